#include "framework/python/python_caller.h"

#include "framework/python/gil.h"
#include "framework/python/handler_call.h"
#include "framework/python/thread_callers.h"

namespace fb::python {

PythonCaller::PythonCaller(const InterpreterBindings& bindings, bool start_loop) {
  lanes_.push_back({this_thread_main_state(), &bindings, nullptr});
  if (start_loop) start_first_loop();
}

PythonCaller::PythonCaller(std::unique_ptr<OwnedInterpreter> own, const InterpreterBindings& main_bindings,
                           const std::vector<bool>& fallback_routes, bool start_loop)
    : own_(std::move(own)) {
  lanes_.push_back({own_->thread_state(), &own_->bindings(), nullptr});
  bool any_fallback = false;
  for (bool f : fallback_routes) any_fallback = any_fallback || f;
  if (any_fallback) {
    lanes_.push_back({this_thread_main_state(), &main_bindings, nullptr});
    route_lane_.resize(fallback_routes.size(), 0);
    for (std::size_t r = 0; r < fallback_routes.size(); ++r) route_lane_[r] = fallback_routes[r] ? 1 : 0;
  }
  if (start_loop) start_first_loop();
}

void PythonCaller::start_first_loop() {
  try {
    loop(lanes_[0]).wait_ready();
  } catch (...) {
    stop_loops();  // own_ (a member) is ended after this by the unwinding
    throw;
  }
}

PythonCaller::~PythonCaller() {
  stop_loops();
  own_.reset();  // ends the sub-interpreter on this thread
}

void PythonCaller::stop_loops() noexcept {
  // With no GIL held: each loop joins its thread, which ends its own thread state.
  for (Lane& lane : lanes_) lane.loop.reset();
}

AsyncLoop& PythonCaller::loop(Lane& lane) {
  if (!lane.loop) lane.loop = std::make_unique<AsyncLoop>(PyThreadState_GetInterpreter(lane.state), *lane.bindings);
  return *lane.loop;
}

std::int64_t PythonCaller::interpreter_id(std::size_t route) const {
  return PyInterpreterState_GetID(PyThreadState_GetInterpreter(lane_for(route).state));
}

std::optional<Response> PythonCaller::call(const Request& request, const RouteMatch& match, StageTrace& trace,
                                           const InjectedDelay& delay, AsyncRequest& async_request) {
  Lane& lane = lane_for(match.route);
  AttachedScope attached(lane.state, trace, delay);
  HandlerOutcome out = call_handler(*lane.bindings, match.route, request, match.params, trace, delay);
  if (out.awaitable != nullptr) {
    async_request.awaitable = out.awaitable;
    loop(lane).post(async_request);  // the request completes on the loop; detached at scope exit
    return std::nullopt;
  }
  return std::move(out.response);
}

void PythonCaller::hand_off(const Lane& lane, PyObject* coroutine, AsyncRequest& handoff) {
  if (PyThreadState_GetInterpreter(lane.state) == PyInterpreterState_Main()) {
    handoff.awaitable = coroutine;  // any worker's main-interpreter loop can run it
    return;
  }
  // The coroutine lives in this thread's own interpreter and cannot run in a worker's.
  PyRef closed(PyObject_CallMethod(coroutine, "close", nullptr));
  if (!closed) PyErr_Clear();
  Py_DECREF(coroutine);
}

}  // namespace fb::python
