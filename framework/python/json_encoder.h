// fast-marshal's JSON encoder: walks the Python objects directly and writes UTF-8 JSON that is
// byte for byte json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8").
//
// What json.dumps accepts, this accepts, with the same output:
//   - None, True, False; str (and subclasses); int (and subclasses, written as int.__repr__,
//     so an IntEnum is its number); float (and subclasses, float.__repr__), with NaN, Infinity
//     and -Infinity written as json.dumps writes them by default (allow_nan=True);
//   - list and tuple (and subclasses) as arrays; dict (and subclasses: via .items(), as
//     json does) as objects in iteration order;
//   - dict keys that are str, int, float, bool or None, converted as json converts them.
// What json.dumps refuses, this refuses with the same exception type and message:
//   TypeError "Object of type set is not JSON serializable", TypeError "keys must be str,
//   int, float, bool or None, not tuple", ValueError "Circular reference detected",
//   RecursionError for nesting beyond the interpreter's C recursion limit, and
//   UnicodeEncodeError for a str holding a lone surrogate (json.dumps returns such a str,
//   but it has no UTF-8 encoding, so no response body can carry it).
//
// Why not json.dumps: it builds a str (a list of chunks joined by the C encoder), which is
// then encoded to bytes and copied into the response: three buffers for one body. This writes
// the body once, into a caller's buffer, and calls no Python code for the built-in types
// (see BM_EncodeJson* in fasterbench-micro).
#pragma once

#include <Python.h>

#include <string>

namespace fb::python {

// Appends the encoding of `value` to `out`. False with a Python exception set (and `out`
// holding a partial encoding) when json.dumps would raise. Needs the GIL.
bool encode_json_like_dumps(PyObject* value, std::string& out);

// Appends the UTF-8 encoding of the str `s` to `out` without escaping. False with
// UnicodeEncodeError set for lone surrogates. Needs the GIL.
bool append_utf8(PyObject* s, std::string& out);

}  // namespace fb::python
