#include "framework/python/python_thread.h"

#include <stdexcept>

#include "framework/python/gil.h"
#include "framework/python/handler_call.h"

namespace fb::python {

PythonThread::PythonThread(PyInterpreterState* interpreter, const InterpreterBindings& bindings, bool start_loop) {
  Lane lane;
  lane.state = PyThreadState_New(interpreter);
  if (lane.state == nullptr) throw std::runtime_error("cannot create a Python thread state");
  lane.bindings = &bindings;
  lanes_.push_back(std::move(lane));
  if (start_loop) start_first_loop();
}

PythonThread::PythonThread(std::unique_ptr<OwnedInterpreter> own, const InterpreterBindings& main_bindings,
                           const std::vector<bool>& fallback_routes, bool start_loop)
    : own_(std::move(own)) {
  Lane lane;
  lane.state = own_->thread_state();
  lane.bindings = &own_->bindings();
  lane.owns_state = false;
  lanes_.push_back(std::move(lane));
  bool any_fallback = false;
  for (bool f : fallback_routes) any_fallback = any_fallback || f;
  if (any_fallback) {
    Lane main;
    main.state = PyThreadState_New(PyInterpreterState_Main());
    if (main.state == nullptr) {
      end_lanes();
      throw std::runtime_error("cannot create a Python thread state");
    }
    main.bindings = &main_bindings;
    lanes_.push_back(std::move(main));
    route_lane_.resize(fallback_routes.size(), 0);
    for (std::size_t r = 0; r < fallback_routes.size(); ++r) route_lane_[r] = fallback_routes[r] ? 1 : 0;
  }
  if (start_loop) start_first_loop();
}

void PythonThread::start_first_loop() {
  try {
    loop(lanes_[0]).wait_ready();
  } catch (...) {
    end_lanes();  // own_ (a member) is ended after this by the unwinding
    throw;
  }
}

PythonThread::~PythonThread() {
  end_lanes();
  own_.reset();  // ends the sub-interpreter on this thread
}

void PythonThread::end_lanes() noexcept {
  // Loops first, with no GIL held: each joins its thread, which ends its own thread state.
  for (Lane& lane : lanes_) lane.loop.reset();
  for (Lane& lane : lanes_) {
    if (!lane.owns_state) continue;  // an OwnedInterpreter's state ends with it
    PyEval_RestoreThread(lane.state);
    PyThreadState_Clear(lane.state);
    PyThreadState_DeleteCurrent();
  }
  lanes_.clear();
}

AsyncLoop& PythonThread::loop(Lane& lane) {
  if (!lane.loop) lane.loop = std::make_unique<AsyncLoop>(PyThreadState_GetInterpreter(lane.state), *lane.bindings);
  return *lane.loop;
}

std::int64_t PythonThread::interpreter_id(std::size_t route) const {
  return PyInterpreterState_GetID(PyThreadState_GetInterpreter(lane_for(route).state));
}

std::optional<Response> PythonThread::call(std::size_t route, const Request& request,
                                           const std::vector<PathParam>& params, StageTrace& trace,
                                           AsyncRequest& async_request) {
  Lane& lane = lane_for(route);
  AttachedScope attached(lane.state, trace, async_request.delay);
  HandlerOutcome out = call_handler(*lane.bindings, route, request, params, trace, async_request.delay);
  if (out.awaitable != nullptr) {
    async_request.awaitable = out.awaitable;
    loop(lane).post(async_request);  // the request completes on the loop; detached at scope exit
    return std::nullopt;
  }
  return std::move(out.response);
}

}  // namespace fb::python
