// A thread that runs Python handlers: one persistent thread state per interpreter it calls
// into, attached and detached per call (PyEval_RestoreThread / PyEval_SaveThread) instead of
// PyGILState_Ensure per call, whose cost would land in every request.
//
// Two shapes, both made by a PythonRuntime (runtime.h):
//   - shared GIL: a thread state in the main interpreter, calling the main interpreter's handlers;
//   - own GIL: the thread owns a sub-interpreter it created (an OwnedInterpreter); routes whose
//     handlers could not be imported there fall back to a second thread state in the main
//     interpreter.
// Each interpreter the thread uses (a "lane") has its own asyncio event loop (async_loop.h),
// run by a thread of its own in that interpreter, where the coroutines of ASYNC handlers run.
//
// SHARP EDGES: construct, call and destroy on the same OS thread, with no thread state attached.
// The destructor stops the loops, then attaches (and, for an owned sub-interpreter, ends it),
// so the interpreters must still be alive and the main interpreter's bindings must outlive the
// thread.
#pragma once

#include <Python.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "framework/http.h"
#include "framework/python/async_loop.h"
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
  // Shared GIL: a thread state in `interpreter`, whose handlers are `bindings`. With
  // `start_loop` the event loop starts now and the constructor waits for it (the App has ASYNC
  // routes: a failure surfaces at start-up); otherwise it starts on the first coroutine.
  PythonThread(PyInterpreterState* interpreter, const InterpreterBindings& bindings, bool start_loop);
  // Own GIL: runs every route in `own`, except those with `fallback_routes[route]` true, which
  // run in the main interpreter with `main_bindings` (a thread state there is created only if
  // some route falls back). `start_loop` starts the own interpreter's loop now.
  PythonThread(std::unique_ptr<OwnedInterpreter> own, const InterpreterBindings& main_bindings,
               const std::vector<bool>& fallback_routes, bool start_loop);
  ~PythonThread();  // stops the loops (in-flight coroutines finish or are cancelled), then ends the states
  PythonThread(const PythonThread&) = delete;
  PythonThread& operator=(const PythonThread&) = delete;

  // Runs route `route`'s handler on this thread (stage points: handler_call.h) and returns the
  // response; async_request.delay is the injected delay, if any. A handler that returns a coroutine although its route is not ASYNC: the coroutine
  // goes to this thread's loop for that interpreter as `async_request` (awaitable set) and
  // nullopt is returned; the request then completes through async_request.complete, and the
  // caller must not touch it.
  std::optional<Response> call(std::size_t route, const Request& request, const std::vector<PathParam>& params,
                               StageTrace& trace, AsyncRequest& async_request);

  // Hands an ASYNC request (async_request.route set) to the loop of the interpreter its route
  // runs in, without taking the GIL.
  void post(AsyncRequest& async_request) { loop(lane_for(async_request.route)).post(async_request); }

  // The thread state route `route` runs on (not attached between calls).
  PyThreadState* thread_state(std::size_t route) noexcept { return lane_for(route).state; }
  // The handlers of the interpreter route `route` runs in.
  const InterpreterBindings& bindings(std::size_t route) noexcept { return *lane_for(route).bindings; }

  // The interpreter route `route` runs in on this thread (0 = main).
  std::int64_t interpreter_id(std::size_t route) const;

 private:
  // One interpreter as this thread sees it.
  struct Lane {
    PyThreadState* state = nullptr;
    const InterpreterBindings* bindings = nullptr;
    std::unique_ptr<AsyncLoop> loop;  // created by and used from the owning thread only
    bool owns_state = true;           // false for an OwnedInterpreter's state (ended with it)
  };

  static AsyncLoop& loop(Lane& lane);
  Lane& lane_for(std::size_t route) noexcept { return lanes_[route < route_lane_.size() ? route_lane_[route] : 0]; }
  const Lane& lane_for(std::size_t route) const noexcept {
    return lanes_[route < route_lane_.size() ? route_lane_[route] : 0];
  }
  void start_first_loop();  // start_loop: lane 0's loop, waited for; cleans up and rethrows on failure
  void end_lanes() noexcept;

  std::vector<Lane> lanes_;                // [0] the thread's interpreter; [1] the main-interpreter fallback
  std::vector<std::uint8_t> route_lane_;   // route -> index into lanes_; empty: every route on lanes_[0]
  std::unique_ptr<OwnedInterpreter> own_;  // ended after the lanes are closed
};

}  // namespace fb::python
