// Handler results -> responses, and Python exceptions -> 500 responses.
//
// Accepted results: bytes / bytearray (body as is), str (UTF-8 text), dict or list (JSON,
// encoded here in C++ without importing json), None (204, empty), and (status, body) where
// body is any of the above. Anything else is a 500 naming the type.
#pragma once

#include <Python.h>

#include <string>

#include "framework/http.h"

namespace fb::python {

// Converts `result` (borrowed). On failure returns a 500 response describing why (and clears
// any Python exception raised while converting).
Response convert_result(PyObject* result);

// fast-marshal's conversion (fast_marshal.h): the same accepted results, status rules and
// 500s, but dict/list bodies encoded by json_encoder.h (as json.dumps would write them, NaN and
// Infinity included, with json.dumps' exceptions for what it refuses) into a per-thread buffer,
// and str bodies encoded straight from the str's storage.
Response convert_result_fast(PyObject* result);

// Appends the JSON encoding of `value` to `out`. Returns false with a Python TypeError or
// ValueError set for values JSON cannot hold (non-str keys, NaN, other types, nesting > 64).
bool encode_json(PyObject* value, std::string& out);

// The currently raised exception's type name and str(), cleared. Needs the GIL.
HandlerError take_exception();
// The same as one line: "ValueError: boom".
std::string take_exception_text();

// A 500 response for the currently raised exception (cleared), with the exception attached as
// its HandlerError (framework/handler_errors.h).
Response exception_response();

}  // namespace fb::python
