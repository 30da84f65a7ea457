#include "framework/python/python_thread.h"

#include <stdexcept>

#include "framework/python/gil.h"
#include "framework/python/handler_call.h"

namespace fb::python {

PythonThread::PythonThread(PyInterpreterState* interpreter, const InterpreterBindings& bindings, bool start_loop)
    : interpreter_(interpreter), state_(PyThreadState_New(interpreter)), bindings_(bindings) {
  if (state_ == nullptr) throw std::runtime_error("cannot create a Python thread state");
  if (start_loop) {
    try {
      loop().wait_ready();
    } catch (...) {
      loop_.reset();
      PyEval_RestoreThread(state_);
      PyThreadState_Clear(state_);
      PyThreadState_DeleteCurrent();
      throw;
    }
  }
}

PythonThread::~PythonThread() {
  loop_.reset();  // joins the loop thread: in-flight coroutines complete (or are cancelled) first
  PyEval_RestoreThread(state_);
  PyThreadState_Clear(state_);
  PyThreadState_DeleteCurrent();
}

AsyncLoop& PythonThread::loop() {
  if (!loop_) loop_ = std::make_unique<AsyncLoop>(interpreter_, bindings_);
  return *loop_;
}

std::optional<Response> PythonThread::call(std::size_t route, const Request& request,
                                           const std::vector<PathParam>& params, StageTrace& trace,
                                           AsyncRequest& async_request) {
  AttachedScope attached(state_, trace);
  HandlerOutcome out = call_handler(bindings_, route, request, params, trace);
  if (out.awaitable != nullptr) {
    async_request.awaitable = out.awaitable;
    loop().post(async_request);  // the request completes on the loop; detached at scope exit
    return std::nullopt;
  }
  return std::move(out.response);
}

}  // namespace fb::python
