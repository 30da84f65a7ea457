// Holding the main interpreter's GIL outside the request path (loading handlers, set-up).
// The request path uses PythonThread's persistent thread state instead of PyGILState_Ensure.
#pragma once

#include <Python.h>

namespace fb::python {

class GilScope {
 public:
  GilScope() : state_(PyGILState_Ensure()) {}
  ~GilScope() { PyGILState_Release(state_); }
  GilScope(const GilScope&) = delete;
  GilScope& operator=(const GilScope&) = delete;

 private:
  PyGILState_STATE state_;
};

// An owned reference, released on scope exit.
class PyRef {
 public:
  PyRef() = default;
  explicit PyRef(PyObject* owned) noexcept : obj_(owned) {}
  PyRef(const PyRef&) = delete;
  PyRef& operator=(const PyRef&) = delete;
  PyRef(PyRef&& other) noexcept : obj_(other.release()) {}
  PyRef& operator=(PyRef&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  ~PyRef() { Py_XDECREF(obj_); }

  PyObject* get() const noexcept { return obj_; }
  PyObject* release() noexcept {
    PyObject* o = obj_;
    obj_ = nullptr;
    return o;
  }
  void reset(PyObject* owned = nullptr) noexcept {
    PyObject* old = obj_;
    obj_ = owned;
    Py_XDECREF(old);
  }
  explicit operator bool() const noexcept { return obj_ != nullptr; }

 private:
  PyObject* obj_ = nullptr;
};

}  // namespace fb::python
