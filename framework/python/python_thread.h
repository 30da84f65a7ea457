// A thread that runs Python handlers: one persistent thread state per interpreter it calls
// into, attached and detached per call (PyEval_RestoreThread / PyEval_SaveThread) instead of
// PyGILState_Ensure per call, whose cost would land in every request.
//
// Two shapes, both made by a PythonRuntime (runtime.h):
//   - shared GIL: a thread state in the main interpreter, calling the main interpreter's handlers;
//   - own GIL: the thread owns a sub-interpreter it created (an OwnedInterpreter); routes whose
//     handlers could not be imported there fall back to a second thread state in the main
//     interpreter. Each interpreter the thread uses gets its own asyncio loop.
//
// SHARP EDGES: construct, call and destroy on the same OS thread, with no thread state attached.
// The destructor attaches (and, for an owned sub-interpreter, ends it), so the interpreters must
// still be alive and the main interpreter's bindings must outlive the thread.
#pragma once

#include <Python.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "framework/http.h"
#include "framework/python/interpreter_bindings.h"
#include "framework/router.h"
#include "framework/stage.h"

namespace fb::python {

// An interpreter a thread created and must end on that same thread (a sub-interpreter), with
// the bindings loaded into it. Its thread state is detached between calls. The destructor
// attaches it, releases the bindings and ends the interpreter.
class OwnedInterpreter {
 public:
  virtual ~OwnedInterpreter() = default;
  virtual PyThreadState* thread_state() const noexcept = 0;
  virtual const InterpreterBindings& bindings() const noexcept = 0;
  virtual std::int64_t id() const noexcept = 0;
};

class PythonThread {
 public:
  // Shared GIL: a thread state in `interpreter`, whose handlers are `bindings`.
  PythonThread(PyInterpreterState* interpreter, const InterpreterBindings& bindings);
  // Own GIL: runs every route in `own`, except those with `fallback_routes[route]` true, which
  // run in the main interpreter with `main_bindings` (a thread state there is created only if
  // some route falls back).
  PythonThread(std::unique_ptr<OwnedInterpreter> own, const InterpreterBindings& main_bindings,
               const std::vector<bool>& fallback_routes);
  ~PythonThread();
  PythonThread(const PythonThread&) = delete;
  PythonThread& operator=(const PythonThread&) = delete;

  // Runs route `route`'s handler for `request` and converts its result, stamping gil_request,
  // gil_acquired, handler_call, handler_return and marshal_done. A handler that raises gives a
  // 500 whose body names the exception. A coroutine result is run to completion on this
  // thread's event loop for that interpreter (created on first use).
  Response call(std::size_t route, const Request& request, const std::vector<PathParam>& params, StageTrace& trace);

  // The interpreter route `route` runs in on this thread (0 = main).
  std::int64_t interpreter_id(std::size_t route) const;

 private:
  // One interpreter as this thread sees it.
  struct Lane {
    PyThreadState* state = nullptr;
    const InterpreterBindings* bindings = nullptr;
    PyObject* loop = nullptr;  // asyncio event loop, owned; touched only with this lane's GIL held
    bool owns_state = true;    // false for an OwnedInterpreter's state (ended with it)
  };

  // Runs `coro` (stolen) on the lane's loop; new reference to its result, or nullptr.
  static PyObject* run_coroutine(Lane& lane, PyObject* coro);
  Lane& lane_for(std::size_t route) noexcept { return lanes_[route < route_lane_.size() ? route_lane_[route] : 0]; }

  std::vector<Lane> lanes_;               // [0] the thread's interpreter; [1] the main-interpreter fallback
  std::vector<std::uint8_t> route_lane_;  // route -> index into lanes_; empty: every route on lanes_[0]
  std::unique_ptr<OwnedInterpreter> own_;  // ended after the lanes are closed
};

}  // namespace fb::python
