// fast-marshal's request.json(): parses a request body with simdjson (Debian's
// libsimdjson-dev) straight into Python objects equal to json.loads(body).
//
// Equal means: same types and values (int for integers, float for numbers with a fraction or
// an exponent, str, list, dict with the last duplicate key winning, True/False/None). What
// simdjson does not accept, json.loads decides: the body then goes to json.loads itself, so a
// malformed body raises exactly what a handler would get from json.loads (json.JSONDecodeError
// with its message and position, or UnicodeDecodeError), and what json.loads accepts beyond
// RFC 8259 still parses as json.loads parses it: NaN and Infinity, integers beyond 64 bits,
// numbers too large for a double (inf), lone surrogate escapes, UTF-16/32 bodies, a UTF-8
// BOM, and nesting deeper than kMaxSimdDepth (json.loads's own recursion limit applies then).
#pragma once

#include <Python.h>

#include <cstdint>
#include <string_view>

namespace fb::python {

// Nesting simdjson handles itself; deeper documents go to json.loads.
inline constexpr std::size_t kMaxSimdDepth = 256;

// Parses `body`. `body_object` (borrowed, may be nullptr) is the same bytes as a Python object,
// passed to json.loads on the fallback path so it need not be copied again. Returns a new
// reference, or nullptr with the exception json.loads raised. Needs the GIL.
PyObject* parse_json_body(std::string_view body, PyObject* body_object);

// json.loads(body) itself (the baseline request's json(), and the fallback above).
PyObject* json_loads(PyObject* body_object);

// How the calling thread's parse_json_body() calls went: parsed by simdjson, or handed to
// json.loads. For tests and benchmarks (a plain thread-local count; costs one increment).
struct JsonParseCounts {
  std::uint64_t simdjson = 0;
  std::uint64_t json_loads = 0;
};
JsonParseCounts json_parse_counts() noexcept;

}  // namespace fb::python
