#include "framework/python/interpreter_bindings.h"

#include "framework/python/gil.h"
#include "framework/python/request_object.h"
#include "framework/python/result_conversion.h"

namespace fb::python {

PyObject* import_handler(const std::string& spec) {
  const std::size_t colon = spec.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size()) {
    PyErr_Format(PyExc_ValueError, "handler '%s' is not of the form module:function", spec.c_str());
    return nullptr;
  }
  PyRef object(PyImport_ImportModule(spec.substr(0, colon).c_str()));
  if (!object) return nullptr;
  std::size_t start = colon + 1;
  while (start <= spec.size()) {
    const std::size_t dot = spec.find('.', start);
    const std::string attr = spec.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    PyRef next(PyObject_GetAttrString(object.get(), attr.c_str()));
    if (!next) return nullptr;
    object = std::move(next);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (!PyCallable_Check(object.get())) {
    PyErr_Format(PyExc_TypeError, "handler '%s' is a %.100s, not a callable", spec.c_str(), Py_TYPE(object.get())->tp_name);
    return nullptr;
  }
  return object.release();
}

void InterpreterBindings::load(const std::vector<std::string>& handler_specs, const std::vector<bool>& skip,
                               std::vector<std::string>* errors) {
  clear();
  if (errors != nullptr) errors->assign(handler_specs.size(), "");
  request_type_ = create_request_type();
  if (request_type_ == nullptr) {
    throw HandlerLoadError(0, "cannot create the Request type: " + take_exception_text());
  }
  if (fast_marshal_ && !pool_.init()) {
    const std::string why = take_exception_text();
    clear();
    throw HandlerLoadError(0, "cannot create the lazy Request type: " + why);
  }
  for (std::size_t i = 0; i < handler_specs.size(); ++i) {
    if (i < skip.size() && skip[i]) {
      handlers_.push_back(nullptr);
      vectorcalls_.push_back(nullptr);
      continue;
    }
    PyObject* handler = import_handler(handler_specs[i]);
    if (handler == nullptr) {
      const std::string why = take_exception_text();
      if (errors != nullptr) {
        (*errors)[i] = why;
        handlers_.push_back(nullptr);
        vectorcalls_.push_back(nullptr);
        continue;
      }
      clear();
      throw HandlerLoadError(i, "cannot load handler '" + handler_specs[i] + "': " + why);
    }
    handlers_.push_back(handler);
    vectorcalls_.push_back(PyVectorcall_Function(handler));
  }
}

void InterpreterBindings::clear() {
  for (PyObject* h : handlers_) Py_XDECREF(h);
  handlers_.clear();
  vectorcalls_.clear();
  pool_.clear();
  Py_CLEAR(request_type_);
}

InterpreterBindings::~InterpreterBindings() {
  // Owners call clear() with the GIL held; by then there is nothing to release here.
}

}  // namespace fb::python
