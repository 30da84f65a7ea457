#include "framework/python/python_thread.h"

#include <stdexcept>

#include "framework/python/gil.h"
#include "framework/python/request_object.h"
#include "framework/python/result_conversion.h"

namespace fb::python {

PythonThread::PythonThread(PyInterpreterState* interpreter, const InterpreterBindings& bindings)
    : state_(PyThreadState_New(interpreter)), bindings_(bindings) {
  if (state_ == nullptr) throw std::runtime_error("cannot create a Python thread state");
}

PythonThread::~PythonThread() {
  PyEval_RestoreThread(state_);
  if (loop_ != nullptr) {
    PyRef closed(PyObject_CallMethod(loop_, "close", nullptr));
    if (!closed) PyErr_Clear();
    Py_CLEAR(loop_);
  }
  PyThreadState_Clear(state_);
  PyThreadState_DeleteCurrent();
}

PyObject* PythonThread::run_coroutine(PyObject* coro) {
  PyRef owned(coro);
  if (loop_ == nullptr) {
    PyRef asyncio(PyImport_ImportModule("asyncio"));
    if (!asyncio) return nullptr;
    loop_ = PyObject_CallMethod(asyncio.get(), "new_event_loop", nullptr);
    if (loop_ == nullptr) return nullptr;
  }
  return PyObject_CallMethod(loop_, "run_until_complete", "O", owned.get());
}

Response PythonThread::call(std::size_t route, const Request& request, const std::vector<PathParam>& params,
                            StageTrace& trace) {
  stage_point(trace, FB_POINT_GIL_REQUEST);
  inject_delay(delay_, FB_STAGE_GIL);
  PyEval_RestoreThread(state_);
  stage_point(trace, FB_POINT_GIL_ACQUIRED);

  Response response;
  PyRef request_object(build_request_object(bindings_.request_type(), request, params));
  stage_point(trace, FB_POINT_HANDLER_CALL);
  if (!request_object) {
    stage_point(trace, FB_POINT_HANDLER_RETURN);
    response = exception_response();
  } else {
    PyObject* result = PyObject_CallOneArg(bindings_.handler(route), request_object.get());
    if (result != nullptr && PyCoro_CheckExact(result)) result = run_coroutine(result);
    inject_delay(delay_, FB_STAGE_HANDLER);
    stage_point(trace, FB_POINT_HANDLER_RETURN);
    if (result == nullptr) {
      response = exception_response();
    } else {
      response = convert_result(result);
      Py_DECREF(result);
    }
    request_object.reset();
  }
  inject_delay(delay_, FB_STAGE_MARSHAL);
  stage_point(trace, FB_POINT_MARSHAL_DONE);
  PyEval_SaveThread();
  return response;
}

}  // namespace fb::python
