#include "framework/python/support_module.h"

#include "framework/python/gil.h"

namespace fb::python {

PyObject* support_module(const char* name, const char* source, const char* filename) {
  PyObject* modules = PyImport_GetModuleDict();  // borrowed
  PyObject* existing = PyDict_GetItemString(modules, name);  // borrowed, no exception
  if (existing != nullptr) return existing;

  PyRef code(Py_CompileString(source, filename, Py_file_input));
  if (!code) return nullptr;
  PyRef module(PyModule_New(name));
  if (!module) return nullptr;
  PyObject* globals = PyModule_GetDict(module.get());  // borrowed
  if (PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins()) != 0) return nullptr;
  PyRef file(PyUnicode_FromString(filename));
  if (!file || PyDict_SetItemString(globals, "__file__", file.get()) != 0) return nullptr;
  PyRef result(PyEval_EvalCode(code.get(), globals, globals));
  if (!result) return nullptr;
  if (PyDict_SetItemString(modules, name, module.get()) != 0) return nullptr;
  return module.get();  // sys.modules holds it now
}

}  // namespace fb::python
