// One handler call, shared by every path that runs Python: a PythonCaller (an executor worker's
// or the direct path's calling thread's) and an event loop. The caller holds the interpreter's GIL.
//
// Stage points: attach() stamps gil_request / gil_acquired around taking the GIL;
// call_handler() builds the request object (marshal), stamps handler_call, calls, and for a
// plain result stamps handler_return, converts it and stamps marshal_done. For an awaitable
// result (a coroutine) handler_return is stamped later, by finish_awaitable() when it completes
// on an event loop: for ASYNC handlers the `handler` stage is coroutine creation -> completion,
// including its wait on the loop.
#pragma once

#include <Python.h>

#include <vector>

#include "framework/http.h"
#include "framework/inject_delay.h"
#include "framework/python/interpreter_bindings.h"
#include "framework/router.h"
#include "framework/stage.h"

namespace fb::python {

// `delay` (a testing aid, inject_delay.h) may add a busy-wait to the gil stage, and in
// call_handler / finish_awaitable to the handler and marshal stages.
inline void attach(PyThreadState* state, StageTrace& trace, const InjectedDelay& delay) {
  stage_point(trace, FB_POINT_GIL_REQUEST);
  inject_delay(delay, FB_STAGE_GIL);
  PyEval_RestoreThread(state);
  stage_point(trace, FB_POINT_GIL_ACQUIRED);
}

inline void detach() { PyEval_SaveThread(); }

// attach() now, detach() at scope exit, also when a C++ exception leaves the scope.
class AttachedScope {
 public:
  AttachedScope(PyThreadState* state, StageTrace& trace, const InjectedDelay& delay) { attach(state, trace, delay); }
  ~AttachedScope() {
    if (attached_) detach();
  }
  AttachedScope(const AttachedScope&) = delete;
  AttachedScope& operator=(const AttachedScope&) = delete;
  void detach_now() {
    attached_ = false;
    detach();
  }

 private:
  bool attached_ = true;
};

struct HandlerOutcome {
  Response response;              // the converted result, when awaitable == nullptr
  PyObject* awaitable = nullptr;  // new reference: the handler returned a coroutine to run
};

// Calls route `route`'s handler. A handler that raises (or a result that cannot be converted)
// gives a 500 response naming the exception. Bindings loaded with fast-marshal take
// call_handler_fast() (fast_marshal.h).
HandlerOutcome call_handler(const InterpreterBindings& bindings, std::size_t route, const Request& request,
                            const std::vector<PathParam>& params, StageTrace& trace, const InjectedDelay& delay);

// The handler has returned `result` (borrowed; nullptr with the exception set, cleared here):
// stamps handler_return and converts it, the fast-marshal way when `fast_marshal`.
Response handler_returned(PyObject* result, StageTrace& trace, const InjectedDelay& delay, bool fast_marshal);

// The response for a finished awaitable: `result` (borrowed), or nullptr with the exception set
// (cleared here), converted the fast-marshal way when `fast_marshal`. Stamps handler_return and
// marshal_done.
Response finish_awaitable(PyObject* result, StageTrace& trace, const InjectedDelay& delay, bool fast_marshal = false);

// A coroutine, or any object with __await__ (asyncio futures, Cython coroutines).
bool is_awaitable(PyObject* object);

}  // namespace fb::python
