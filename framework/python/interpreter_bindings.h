// What one interpreter needs to serve requests: its Request type and the handler callables,
// imported in that interpreter from "module:function" specs; with fast-marshal (#5), the lazy
// request pool and each handler's vectorcall entry point too.
#pragma once

#include <Python.h>

#include "framework/python/lazy_request.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace fb::python {

class HandlerLoadError : public std::runtime_error {
 public:
  HandlerLoadError(std::size_t route, const std::string& message) : std::runtime_error(message), route_(route) {}
  std::size_t route() const noexcept { return route_; }

 private:
  std::size_t route_;
};

class InterpreterBindings {
 public:
  InterpreterBindings() = default;
  InterpreterBindings(const InterpreterBindings&) = delete;
  InterpreterBindings& operator=(const InterpreterBindings&) = delete;
  // Drops the references; needs the interpreter's GIL held (or the interpreter ended).
  ~InterpreterBindings();

  // Imports every handler ("module:function", function may be dotted: "module:Class.method").
  // Needs the GIL of the interpreter it loads into. Throws HandlerLoadError naming the spec and
  // the Python exception ("ModuleNotFoundError: No module named 'x'"). Routes whose entry in
  // `skip` is true are not imported (their handler() is nullptr): a sub-interpreter skips the
  // routes that fall back to the main interpreter. With `errors`, a handler that fails to
  // import is not an exception: its handler() is nullptr and (*errors)[route] says why ("" for
  // the others).
  void load(const std::vector<std::string>& handler_specs, const std::vector<bool>& skip = {},
            std::vector<std::string>* errors = nullptr);

  // Releases the references now (GIL held), so the destructor has nothing left to do.
  void clear();

  // Call before load(): serve requests the fast-marshal way (fast_marshal.h).
  void set_fast_marshal(bool on) noexcept { fast_marshal_ = on; }
  bool fast_marshal() const noexcept { return fast_marshal_; }
  // fast-marshal only: the interpreter's lazy request objects (used with its GIL held; the
  // bindings are const to their users, the pool is the one thing a call changes).
  LazyRequestPool& request_pool() const noexcept { return pool_; }
  // fast-marshal only: route `route`'s vectorcall entry point, or nullptr (call it generically).
  vectorcallfunc vectorcall(std::size_t route) const noexcept { return vectorcalls_[route]; }

  PyObject* request_type() const noexcept { return request_type_; }
  PyObject* handler(std::size_t route) const noexcept { return handlers_[route]; }  // nullptr if skipped
  std::size_t size() const noexcept { return handlers_.size(); }

 private:
  PyObject* request_type_ = nullptr;
  std::vector<PyObject*> handlers_;
  bool fast_marshal_ = false;
  mutable LazyRequestPool pool_;
  std::vector<vectorcallfunc> vectorcalls_;
};

// Resolves "module:function" to a new reference, or nullptr with a Python exception set
// (ValueError for a malformed spec).
PyObject* import_handler(const std::string& spec);

}  // namespace fb::python
