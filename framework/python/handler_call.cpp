#include "framework/python/handler_call.h"

#include "framework/python/fast_marshal.h"
#include "framework/python/gil.h"
#include "framework/python/request_object.h"
#include "framework/python/result_conversion.h"

namespace fb::python {

bool is_awaitable(PyObject* object) {
  if (PyCoro_CheckExact(object)) return true;
  const PyAsyncMethods* methods = Py_TYPE(object)->tp_as_async;
  return methods != nullptr && methods->am_await != nullptr;
}

HandlerOutcome call_handler(const InterpreterBindings& bindings, std::size_t route, const Request& request,
                            const std::vector<PathParam>& params, StageTrace& trace, const InjectedDelay& delay) {
  if (bindings.fast_marshal()) return call_handler_fast(bindings, route, request, params, trace, delay);
  HandlerOutcome out;
  PyRef request_object(build_request_object(bindings.request_type(), request, params));
  stage_point(trace, FB_POINT_HANDLER_CALL);
  if (!request_object) {
    stage_point(trace, FB_POINT_HANDLER_RETURN);
    out.response = exception_response();
  } else {
    PyObject* result = PyObject_CallOneArg(bindings.handler(route), request_object.get());
    if (result != nullptr && is_awaitable(result)) {
      out.awaitable = result;
      return out;  // handler_return comes when it completes
    }
    out.response = handler_returned(result, trace, delay, /*fast_marshal=*/false);
    Py_XDECREF(result);
  }
  request_object.reset();  // its teardown is the other half of building it: marshal work
  inject_delay(delay, FB_STAGE_MARSHAL);
  stage_point(trace, FB_POINT_MARSHAL_DONE);
  return out;
}

Response handler_returned(PyObject* result, StageTrace& trace, const InjectedDelay& delay, bool fast_marshal) {
  inject_delay(delay, FB_STAGE_HANDLER);
  stage_point(trace, FB_POINT_HANDLER_RETURN);
  if (result == nullptr) return exception_response();
  return fast_marshal ? convert_result_fast(result) : convert_result(result);
}

Response finish_awaitable(PyObject* result, StageTrace& trace, const InjectedDelay& delay, bool fast_marshal) {
  Response response = handler_returned(result, trace, delay, fast_marshal);
  inject_delay(delay, FB_STAGE_MARSHAL);
  stage_point(trace, FB_POINT_MARSHAL_DONE);
  return response;
}

}  // namespace fb::python
