// Python code the framework itself runs inside an interpreter (the classifier, the worker event
// loop), kept as real .py files in the source tree and embedded at build time
// (fasterbench_embed_python). Each source becomes a module of its own, executed once per
// interpreter and registered in that interpreter's sys.modules under a private name, so every
// sub-interpreter (#3) gets its own copy and nothing is looked up on disk.
#pragma once

#include <Python.h>

namespace fb::python {

// The module `name` of the current interpreter: sys.modules[name] if present, else `source`
// compiled (as `filename`, for tracebacks) and executed into a new module that is then
// registered. Borrowed reference (owned by sys.modules), or nullptr with an exception set.
// Needs the GIL.
PyObject* support_module(const char* name, const char* source, const char* filename);

}  // namespace fb::python
