// A thread that runs Python handlers: one persistent thread state, attached and detached per
// call (PyEval_RestoreThread / PyEval_SaveThread) instead of PyGILState_Ensure per call, whose
// cost would land in every request.
//
// SHARP EDGES: construct, call and destroy on the same OS thread. The destructor attaches, so
// the interpreter must still be alive.
#pragma once

#include <Python.h>

#include <vector>

#include "framework/http.h"
#include "framework/inject_delay.h"
#include "framework/python/interpreter_bindings.h"
#include "framework/router.h"
#include "framework/stage.h"

namespace fb::python {

class PythonThread {
 public:
  // A thread state in the interpreter that `bindings` were loaded into.
  PythonThread(PyInterpreterState* interpreter, const InterpreterBindings& bindings);
  ~PythonThread();
  PythonThread(const PythonThread&) = delete;
  PythonThread& operator=(const PythonThread&) = delete;

  // Runs route `route`'s handler for `request` and converts its result, stamping gil_request,
  // gil_acquired, handler_call, handler_return and marshal_done. A handler that raises gives a
  // 500 whose body names the exception. A coroutine result is run to completion on this
  // thread's event loop (created on first use).
  Response call(std::size_t route, const Request& request, const std::vector<PathParam>& params, StageTrace& trace);

  // The testing aid of inject_delay.h for the gil, handler and marshal sites in call(). Set
  // before the first call, on the owning thread.
  void set_injected_delay(InjectedDelay delay) noexcept { delay_ = delay; }

 private:
  // Runs `coro` (stolen) on this thread's loop; new reference to its result, or nullptr.
  PyObject* run_coroutine(PyObject* coro);

  PyThreadState* state_;
  const InterpreterBindings& bindings_;
  InjectedDelay delay_;
  PyObject* loop_ = nullptr;  // asyncio event loop, owned; touched only with the GIL held
};

}  // namespace fb::python
