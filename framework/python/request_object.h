// The `request` argument handed to handlers: an instance of a small heap type created through
// the C API in each interpreter (no extension module to import, so it also works in own-GIL
// sub-interpreters). Read-only attributes: method (str), path (str), path_params (dict),
// query (dict, last value wins), headers (dict, lower-case names), body (bytes).
#pragma once

#include <Python.h>

#include <vector>

#include "framework/http.h"
#include "framework/router.h"

namespace fb::python {

// Creates the Request type in the current interpreter. Returns a new reference or nullptr
// with a Python exception set. Needs the GIL.
PyObject* create_request_type();

// Builds a request object. Returns a new reference or nullptr with an exception set.
PyObject* build_request_object(PyObject* request_type, const Request& request, const std::vector<PathParam>& params);

}  // namespace fb::python
