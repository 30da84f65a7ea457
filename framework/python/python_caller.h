// How one OS thread calls Python handlers: its persistent thread state in each interpreter it
// calls into, attached and detached per call (PyEval_RestoreThread / PyEval_SaveThread) instead
// of PyGILState_Ensure per call, whose cost would land in every request. Not a thread: the
// Python side of one, made for it by a PythonRuntime (runtime.h), which keeps it in the thread's
// registry (thread_callers.h: who owns what, and when it ends).
//
// Two shapes:
//   - shared GIL: the thread's state in the main interpreter, calling the main interpreter's
//     handlers;
//   - own GIL: the thread owns a sub-interpreter it created (an OwnedInterpreter); routes whose
//     handlers could not be imported there fall back to the thread's state in the main
//     interpreter.
// Each interpreter the caller uses (a "lane") can have its own asyncio event loop
// (async_loop.h), run by a thread of its own in that interpreter, where the coroutines of ASYNC
// handlers run. A lane's loop starts when the caller first posts to it (or at construction with
// `start_loop`); a caller used only through call_direct() never starts one.
//
// Two ways to call, which differ only in where a coroutine goes when a handler returns one:
//   call()         an executor worker: the coroutine continues on this caller's loop;
//   call_direct()  the direct path (#1), on an I/O thread that has no loop: the coroutine is
//                  handed back for a worker (or closed, when it belongs to this thread's own
//                  interpreter and so cannot run anywhere else), and the stamps of the attempt
//                  are cleared, since the loop stamps them again.
//
// SHARP EDGES: construct, call and destroy on the same OS thread, with no thread state attached.
// The destructor stops the loops, then (for an owned sub-interpreter) attaches and ends it, so
// the interpreters must still be alive. The main interpreter's bindings must outlive every call
// and every loop; a caller that only ever called through call_direct() may outlive them (it then
// touches nothing of theirs when it ends).
#pragma once

#include <Python.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "framework/http.h"
#include "framework/inject_delay.h"
#include "framework/python/async_loop.h"
#include "framework/python/handler_call.h"
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

class PythonCaller {
 public:
  // Shared GIL: calls `bindings` (the main interpreter's) on the thread's main-interpreter state
  // (thread_callers.h). With `start_loop` the event loop starts now and the constructor waits
  // for it (the App has ASYNC routes: a failure surfaces at start-up); otherwise it starts on
  // the first coroutine.
  PythonCaller(const InterpreterBindings& bindings, bool start_loop);
  // Own GIL: runs every route in `own`, except those with `fallback_routes[route]` true, which
  // run in the main interpreter with `main_bindings`, on the thread's main-interpreter state.
  // `start_loop` starts the own interpreter's loop now.
  PythonCaller(std::unique_ptr<OwnedInterpreter> own, const InterpreterBindings& main_bindings,
               const std::vector<bool>& fallback_routes, bool start_loop);
  ~PythonCaller();  // stops the loops (in-flight coroutines finish or are cancelled), then ends `own`
  PythonCaller(const PythonCaller&) = delete;
  PythonCaller& operator=(const PythonCaller&) = delete;

  // Runs the handler of `match.route` on this thread (stage points: handler_call.h; `delay` is
  // the injected delay, if any) and returns the response. A handler that returns a coroutine
  // although its route is not ASYNC: the coroutine goes to this caller's loop for that
  // interpreter as `async_request` (awaitable set) and nullopt is returned; the request then
  // completes through async_request.owner, and the caller must not touch it.
  std::optional<Response> call(const Request& request, const RouteMatch& match, StageTrace& trace,
                               const InjectedDelay& delay, AsyncRequest& async_request);

  // The same for the direct path, except for a coroutine: it cannot run on this thread, so
  // nullopt is returned with the coroutine in `handoff.awaitable` for an executor worker's loop
  // (an interpreter every worker shares: the main one), or, when it belongs to this thread's own
  // sub-interpreter, closed with `handoff.awaitable` left null (the worker then calls the
  // handler again in its own interpreter, so the handler's synchronous part runs twice on that
  // request). Either way the gil_request, gil_acquired and handler_call stamps of this attempt
  // are cleared: the Python part of the request starts over on the worker's loop.
  // Inline: the direct path's whole cost is the point of it.
  std::optional<Response> call_direct(const Request& request, const RouteMatch& match, StageTrace& trace,
                                      const InjectedDelay& delay, AsyncRequest& handoff) {
    Lane& lane = lane_for(match.route);
    AttachedScope attached(lane.state, trace, delay);  // detaches on every way out, exceptions included
    HandlerOutcome out = call_handler(*lane.bindings, match.route, request, match.params, trace, delay);
    if (out.awaitable == nullptr) [[likely]] return std::move(out.response);
    hand_off(lane, out.awaitable, handoff);
    attached.detach_now();
    // The Python part of this request starts over on the worker's loop, which stamps these.
    for (fb_point p : {FB_POINT_GIL_REQUEST, FB_POINT_GIL_ACQUIRED, FB_POINT_HANDLER_CALL}) trace.at[p] = 0;
    return std::nullopt;
  }

  // Hands an ASYNC request (async_request.route set) to the loop of the interpreter its route
  // runs in, without taking the GIL.
  void post(AsyncRequest& async_request) { loop(lane_for(async_request.route)).post(async_request); }

  // The interpreter route `route` runs in on this thread (0 = main).
  std::int64_t interpreter_id(std::size_t route) const;
  // Python thread states this caller owns: 1 with an own sub-interpreter, else 0 (the
  // main-interpreter state is the thread's, not the caller's).
  std::size_t owned_states() const noexcept { return own_ ? 1 : 0; }

 private:
  // One interpreter as this thread sees it.
  struct Lane {
    PyThreadState* state = nullptr;  // not owned: the OwnedInterpreter's, or the thread's main-interpreter state
    const InterpreterBindings* bindings = nullptr;
    std::unique_ptr<AsyncLoop> loop;  // created by and used from the owning thread only
  };

  static AsyncLoop& loop(Lane& lane);
  // call_direct's coroutine (owned, the lane attached): into handoff.awaitable if it was made in
  // the main interpreter, else closed and released.
  [[gnu::cold]] static void hand_off(const Lane& lane, PyObject* coroutine, AsyncRequest& handoff);
  Lane& lane_for(std::size_t route) noexcept { return lanes_[route < route_lane_.size() ? route_lane_[route] : 0]; }
  const Lane& lane_for(std::size_t route) const noexcept {
    return lanes_[route < route_lane_.size() ? route_lane_[route] : 0];
  }
  void start_first_loop();  // start_loop: lane 0's loop, waited for; stops the loops and rethrows on failure
  void stop_loops() noexcept;

  std::vector<Lane> lanes_;                // [0] the thread's interpreter; [1] the main-interpreter fallback
  std::vector<std::uint8_t> route_lane_;   // route -> index into lanes_; empty: every route on lanes_[0]
  std::unique_ptr<OwnedInterpreter> own_;  // ended after the loops are stopped
};

}  // namespace fb::python
