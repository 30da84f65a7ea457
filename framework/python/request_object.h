// The `request` argument handed to handlers: an instance of a small heap type created through
// the C API in each interpreter (no extension module to import, so it also works in own-GIL
// sub-interpreters). Read-only attributes: method (str), path (str), path_params (dict),
// query (dict, last value wins), headers (dict, lower-case names), body (bytes); and the
// method json(), json.loads(body).
#pragma once

#include <Python.h>

#include <string_view>
#include <vector>

#include "framework/http.h"
#include "framework/router.h"

namespace fb::python {

// The Request type's attributes, one table for both implementations (this plain one and
// fast-marshal's lazy one, lazy_request.h), so a handler sees the same interface with or without
// the optimization: X(name, docstring), `name` also the field of the object that holds it.
#define FB_REQUEST_ATTRIBUTES(X)                          \
  X(method, "HTTP method")                                \
  X(path, "path without the query")                       \
  X(path_params, "dict of path parameters")               \
  X(query, "dict of query parameters")                    \
  X(headers, "dict of headers, lower-case names")         \
  X(body, "request body (bytes)")

// Creates the Request type in the current interpreter. Returns a new reference or nullptr
// with a Python exception set. Needs the GIL.
PyObject* create_request_type();

// Builds a request object. Returns a new reference or nullptr with an exception set.
PyObject* build_request_object(PyObject* request_type, const Request& request, const std::vector<PathParam>& params);

// The attribute values, shared with fast-marshal's lazy request (lazy_request.h) so both give
// handlers the same objects. New references, or nullptr with an exception set.
PyObject* request_str(std::string_view s);                           // UTF-8, invalid bytes replaced
PyObject* query_dict(std::string_view query);                        // "a=1&b" -> {"a": "1", "b": ""}
PyObject* headers_dict(const std::vector<Header>& headers);          // names lower-cased
PyObject* params_dict(const std::vector<PathParam>& params);

}  // namespace fb::python
