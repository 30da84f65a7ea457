#include "framework/python/python_thread.h"

#include <stdexcept>

#include "framework/python/gil.h"
#include "framework/python/request_object.h"
#include "framework/python/result_conversion.h"

namespace fb::python {

PythonThread::PythonThread(PyInterpreterState* interpreter, const InterpreterBindings& bindings) {
  Lane lane;
  lane.state = PyThreadState_New(interpreter);
  if (lane.state == nullptr) throw std::runtime_error("cannot create a Python thread state");
  lane.bindings = &bindings;
  lanes_.push_back(lane);
}

PythonThread::PythonThread(std::unique_ptr<OwnedInterpreter> own, const InterpreterBindings& main_bindings,
                           const std::vector<bool>& fallback_routes)
    : own_(std::move(own)) {
  Lane lane;
  lane.state = own_->thread_state();
  lane.bindings = &own_->bindings();
  lane.owns_state = false;
  lanes_.push_back(lane);
  bool any_fallback = false;
  for (bool f : fallback_routes) any_fallback = any_fallback || f;
  if (!any_fallback) return;
  Lane main;
  main.state = PyThreadState_New(PyInterpreterState_Main());
  if (main.state == nullptr) throw std::runtime_error("cannot create a Python thread state");
  main.bindings = &main_bindings;
  lanes_.push_back(main);
  route_lane_.resize(fallback_routes.size(), 0);
  for (std::size_t r = 0; r < fallback_routes.size(); ++r) route_lane_[r] = fallback_routes[r] ? 1 : 0;
}

PythonThread::~PythonThread() {
  for (Lane& lane : lanes_) {
    PyEval_RestoreThread(lane.state);
    if (lane.loop != nullptr) {
      PyRef closed(PyObject_CallMethod(lane.loop, "close", nullptr));
      if (!closed) PyErr_Clear();
      Py_CLEAR(lane.loop);
    }
    if (lane.owns_state) {
      PyThreadState_Clear(lane.state);
      PyThreadState_DeleteCurrent();
    } else {
      PyEval_SaveThread();
    }
  }
  own_.reset();  // ends the sub-interpreter on this thread
}

std::int64_t PythonThread::interpreter_id(std::size_t route) const {
  const Lane& lane = lanes_[route < route_lane_.size() ? route_lane_[route] : 0];
  return PyInterpreterState_GetID(PyThreadState_GetInterpreter(lane.state));
}

PyObject* PythonThread::run_coroutine(Lane& lane, PyObject* coro) {
  PyRef owned(coro);
  if (lane.loop == nullptr) {
    PyRef asyncio(PyImport_ImportModule("asyncio"));
    if (!asyncio) return nullptr;
    lane.loop = PyObject_CallMethod(asyncio.get(), "new_event_loop", nullptr);
    if (lane.loop == nullptr) return nullptr;
  }
  return PyObject_CallMethod(lane.loop, "run_until_complete", "O", owned.get());
}

Response PythonThread::call(std::size_t route, const Request& request, const std::vector<PathParam>& params,
                            StageTrace& trace) {
  Lane& lane = lane_for(route);
  stage_point(trace, FB_POINT_GIL_REQUEST);
  PyEval_RestoreThread(lane.state);
  stage_point(trace, FB_POINT_GIL_ACQUIRED);

  Response response;
  PyRef request_object(build_request_object(lane.bindings->request_type(), request, params));
  stage_point(trace, FB_POINT_HANDLER_CALL);
  if (!request_object) {
    stage_point(trace, FB_POINT_HANDLER_RETURN);
    response = exception_response();
  } else {
    PyObject* result = PyObject_CallOneArg(lane.bindings->handler(route), request_object.get());
    if (result != nullptr && PyCoro_CheckExact(result)) result = run_coroutine(lane, result);
    stage_point(trace, FB_POINT_HANDLER_RETURN);
    if (result == nullptr) {
      response = exception_response();
    } else {
      response = convert_result(result);
      Py_DECREF(result);
    }
    request_object.reset();
  }
  stage_point(trace, FB_POINT_MARSHAL_DONE);
  PyEval_SaveThread();
  return response;
}

}  // namespace fb::python
