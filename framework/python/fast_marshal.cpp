#include "framework/python/fast_marshal.h"

#include "framework/python/handler_call.h"
#include "framework/python/interpreter_bindings.h"
#include "framework/python/result_conversion.h"

namespace fb::python {

HandlerOutcome call_handler_fast(const InterpreterBindings& bindings, std::size_t route, const Request& request,
                                 const std::vector<PathParam>& params, StageTrace& trace, const InjectedDelay& delay) {
  HandlerOutcome out;
  LazyRequestPool& pool = bindings.request_pool();
  PyObject* request_object = pool.acquire(request, params);
  stage_point(trace, FB_POINT_HANDLER_CALL);
  if (request_object == nullptr) {
    stage_point(trace, FB_POINT_HANDLER_RETURN);
    out.response = exception_response();
  } else {
    // args[-1] is free for the callee (PY_VECTORCALL_ARGUMENTS_OFFSET): a bound method puts
    // its self there instead of copying the arguments.
    PyObject* args[2] = {nullptr, request_object};
    constexpr std::size_t kOneArgument = 1 | PY_VECTORCALL_ARGUMENTS_OFFSET;
    PyObject* handler = bindings.handler(route);
    const vectorcallfunc entry = bindings.vectorcall(route);
    PyObject* result = entry != nullptr ? entry(handler, args + 1, kOneArgument, nullptr)
                                        : PyObject_Vectorcall(handler, args + 1, kOneArgument, nullptr);
    if (result != nullptr && is_awaitable(result)) {
      pool.release(request_object);  // the coroutine holds it: it gets its own copies now
      out.awaitable = result;
      return out;  // handler_return comes when it completes
    }
    out.response = handler_returned(result, trace, delay, /*fast_marshal=*/true);
    Py_XDECREF(result);
    pool.release(request_object);  // marshal work, as the eager object's teardown is
  }
  inject_delay(delay, FB_STAGE_MARSHAL);
  stage_point(trace, FB_POINT_MARSHAL_DONE);
  return out;
}

}  // namespace fb::python
