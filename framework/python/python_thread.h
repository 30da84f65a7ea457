// An executor worker's Python side: one persistent thread state, attached and detached per call
// (PyEval_RestoreThread / PyEval_SaveThread) instead of PyGILState_Ensure per call, whose cost
// would land in every request; and the worker's asyncio event loop (async_loop.h), where the
// coroutines of ASYNC handlers run, on a thread of its own.
//
// SHARP EDGES: construct, call and destroy on the same OS thread, without holding the GIL. The
// destructor attaches, so the interpreter must still be alive.
#pragma once

#include <Python.h>

#include <memory>
#include <optional>
#include <vector>

#include "framework/http.h"
#include "framework/python/async_loop.h"
#include "framework/python/interpreter_bindings.h"
#include "framework/router.h"
#include "framework/stage.h"

namespace fb::python {

class PythonThread {
 public:
  // A thread state in the interpreter that `bindings` were loaded into. With `start_loop` the
  // event loop starts now and the constructor waits for it (the App has ASYNC routes: a failure
  // surfaces at start-up); otherwise it starts on the first coroutine.
  PythonThread(PyInterpreterState* interpreter, const InterpreterBindings& bindings, bool start_loop);
  ~PythonThread();  // stops the loop (in-flight coroutines finish or are cancelled), then ends the state
  PythonThread(const PythonThread&) = delete;
  PythonThread& operator=(const PythonThread&) = delete;

  // Runs route `route`'s handler on this thread (stage points: handler_call.h) and returns the
  // response. A handler that returns a coroutine although its route is not ASYNC: the coroutine
  // goes to this worker's loop as `async_request` (awaitable set) and nullopt is returned; the
  // request then completes through async_request.complete, and the caller must not touch it.
  std::optional<Response> call(std::size_t route, const Request& request, const std::vector<PathParam>& params,
                               StageTrace& trace, AsyncRequest& async_request);

  // Hands an ASYNC request to this worker's loop, without taking the GIL.
  void post(AsyncRequest& async_request) { loop().post(async_request); }

 private:
  AsyncLoop& loop();

  PyInterpreterState* interpreter_;
  PyThreadState* state_;
  const InterpreterBindings& bindings_;
  std::unique_ptr<AsyncLoop> loop_;  // created by and used from the owning thread only
};

}  // namespace fb::python
