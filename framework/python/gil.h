// Holding the main interpreter's GIL outside the request path (loading handlers, set-up).
// The request path uses the thread's PythonCaller and its persistent thread state instead.
//
// GilScope attaches a temporary thread state of its own in the main interpreter rather than
// calling PyGILState_Ensure: since 3.12 the PyGILState API hands out the *first* thread state a
// thread created, whatever its interpreter, so on a thread that owns a sub-interpreter
// (--opt subinterp) PyGILState_Ensure would attach that sub-interpreter's thread state and the
// code in the scope would run in the wrong interpreter. Nesting is allowed: inside a scope (or
// on a thread already attached to the main interpreter) it does nothing; on a thread attached
// to another interpreter it detaches that state for the scope and re-attaches it afterwards.
#pragma once

#include <Python.h>

namespace fb::python {

class GilScope {
 public:
  GilScope() {
    PyThreadState* current = _PyThreadState_UncheckedGet();
    if (current != nullptr && PyThreadState_GetInterpreter(current) == PyInterpreterState_Main()) return;
    if (current != nullptr) saved_ = PyEval_SaveThread();
    own_ = PyThreadState_New(PyInterpreterState_Main());
    PyEval_RestoreThread(own_);
  }
  ~GilScope() {
    if (own_ == nullptr) return;
    PyThreadState_Clear(own_);
    PyThreadState_DeleteCurrent();
    if (saved_ != nullptr) PyEval_RestoreThread(saved_);
  }
  GilScope(const GilScope&) = delete;
  GilScope& operator=(const GilScope&) = delete;

 private:
  PyThreadState* own_ = nullptr;    // the temporary thread state, or nullptr when nested
  PyThreadState* saved_ = nullptr;  // another interpreter's state detached for the scope
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
