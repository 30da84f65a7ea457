#include "framework/python/async_loop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "framework/python/async_loop_py.h"  // kAsyncLoopSource, generated from async_loop.py
#include "framework/python/gil.h"
#include "framework/python/handler_call.h"
#include "framework/python/result_conversion.h"
#include "framework/python/support_module.h"
#include "framework/thread_names.h"
#include "probes/cpu_seen.h"

namespace fb::python {
namespace {

// Converts a finished coroutine's outcome (`result`, or nullptr with the exception set) and
// completes the request. Loop thread, GIL held.
void finish(AsyncRequest& request, PyObject* result, bool fast_marshal) {
  Response response;
  try {
    response = finish_awaitable(result, *request.trace, request.delay, fast_marshal);
  } catch (...) {  // no C++ exception may cross the interpreter's frames
    PyErr_Clear();
    request.fail(std::current_exception());
    return;
  }
  request.complete(std::move(response));  // `request` may be gone from here on
}

// The `done` callable handed to asyncio: completes one request exactly once, when called with
// the finished task, or (failing that) when deallocated.
struct Completion {
  PyObject_HEAD
  AsyncRequest* request;
  bool completed;
  bool fast_marshal;  // the interpreter's bindings convert results the fast-marshal way
};

PyObject* completion_call(PyObject* self, PyObject* args, PyObject* /*kwargs*/) {
  auto* c = reinterpret_cast<Completion*>(self);
  PyObject* task = nullptr;
  if (!PyArg_UnpackTuple(args, "done", 1, 1, &task)) return nullptr;
  if (c->completed) Py_RETURN_NONE;
  c->completed = true;
  // task.result(): the value, or raises the handler's exception / CancelledError.
  PyObject* result = PyObject_CallMethod(task, "result", nullptr);
  finish(*c->request, result, c->fast_marshal);
  Py_XDECREF(result);
  PyErr_Clear();
  Py_RETURN_NONE;
}

void completion_dealloc(PyObject* self) {
  auto* c = reinterpret_cast<Completion*>(self);
  PyTypeObject* type = Py_TYPE(self);
  if (!c->completed) {
    c->completed = true;
#if PY_VERSION_HEX >= 0x030C0000
    PyObject* saved = PyErr_GetRaisedException();
#else
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
#endif
    PyErr_SetString(PyExc_RuntimeError, "the event loop dropped the request's coroutine");
    finish(*c->request, nullptr, c->fast_marshal);
#if PY_VERSION_HEX >= 0x030C0000
    PyErr_SetRaisedException(saved);
#else
    PyErr_Restore(t, v, tb);
#endif
  }
  type->tp_free(self);
  Py_DECREF(type);
}

PyType_Slot completion_slots[] = {{Py_tp_call, reinterpret_cast<void*>(completion_call)},
                                  {Py_tp_dealloc, reinterpret_cast<void*>(completion_dealloc)},
                                  {0, nullptr}};

PyType_Spec completion_spec = {"fasterbench.Completion", sizeof(Completion), 0, Py_TPFLAGS_DEFAULT, completion_slots};

constexpr const char* kCapsuleName = "fasterbench.AsyncLoop";

void wake(int fd) {
  const std::uint64_t one = 1;
  // Can only fail with EAGAIN once the counter nears 2^64: the loop is awake anyway.
  [[maybe_unused]] const ssize_t n = ::write(fd, &one, sizeof one);
}

}  // namespace

AsyncLoop::AsyncLoop(PyInterpreterState* interpreter, const InterpreterBindings& bindings)
    : interpreter_(interpreter), bindings_(bindings) {
  wakeup_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wakeup_fd_ < 0) throw std::runtime_error(std::string("cannot create the event loop's eventfd: ") + std::strerror(errno));
  thread_ = std::thread([this] { run(); });
}

AsyncLoop::~AsyncLoop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake(wakeup_fd_);
  thread_.join();
  ::close(wakeup_fd_);
}

void AsyncLoop::wait_ready() {
  std::unique_lock lock(mutex_);
  ready_cv_.wait(lock, [this] { return ready_; });
  if (!error_.empty()) throw std::runtime_error("cannot start a worker event loop: " + error_);
}

void AsyncLoop::post(AsyncRequest& request) {
  if (!request.trace->reached(FB_POINT_GIL_ACQUIRED)) stage_point(*request.trace, FB_POINT_GIL_REQUEST);
  request.next = nullptr;
  bool was_empty = false;
  std::string failed;
  {
    std::lock_guard lock(mutex_);
    if (ready_ && !error_.empty()) {
      failed = error_;
    } else {
      was_empty = inbox_head_ == nullptr;
      (was_empty ? inbox_head_ : inbox_tail_->next) = &request;
      inbox_tail_ = &request;
    }
  }
  if (!failed.empty()) {
    // The loop never started. (An awaitable it carried is leaked: no GIL to release it here.)
    request.complete(plain_response(500, "Internal Server Error: no event loop: " + failed));
  } else if (was_empty) {
    wake(wakeup_fd_);  // a non-empty inbox has a wake-up pending already
  }
}

void AsyncLoop::fail_pending(const std::string& why, bool gil_held) {
  AsyncRequest* r = nullptr;
  {
    std::lock_guard lock(mutex_);
    r = std::exchange(inbox_head_, nullptr);
    inbox_tail_ = nullptr;
  }
  while (r != nullptr) {
    AsyncRequest* next = r->next;
    PyObject* awaitable = std::exchange(r->awaitable, nullptr);
    if (gil_held) Py_XDECREF(awaitable);  // else leaked: it cannot be released without the GIL
    r->complete(plain_response(500, "Internal Server Error: " + why));
    r = next;
  }
}

void AsyncLoop::run() {
  static std::atomic<std::size_t> loops{0};  // relaxed: only distinct names matter
  name_this_thread(kLoopThreadPrefix, loops.fetch_add(1, std::memory_order_relaxed));
  probes::note_cpu();
  PyThreadState* state = PyThreadState_New(interpreter_);
  if (state == nullptr) {
    {
      std::lock_guard lock(mutex_);
      error_ = "cannot create a Python thread state";
      ready_ = true;
    }
    ready_cv_.notify_all();
    fail_pending("no event loop: cannot create a Python thread state", false);  // later posts fail at once
    return;
  }
  PyEval_RestoreThread(state);
  std::string error;
  {
    PyObject* module = support_module("_fasterbench_async", kAsyncLoopSource, "<fasterbench async_loop.py>");
    static PyMethodDef drain_def = {"drain", &AsyncLoop::drain, METH_NOARGS, "Runs the requests posted to this loop."};
    PyRef capsule(module != nullptr ? PyCapsule_New(this, kCapsuleName, nullptr) : nullptr);
    PyRef drain_fn(capsule ? PyCFunction_New(&drain_def, capsule.get()) : nullptr);
    worker_loop_ = drain_fn ? PyObject_CallMethod(module, "WorkerLoop", "iO", wakeup_fd_, drain_fn.get()) : nullptr;
    completion_type_ = worker_loop_ != nullptr ? PyType_FromSpec(&completion_spec) : nullptr;
    if (completion_type_ == nullptr) error = take_exception_text();
  }
  {
    std::lock_guard lock(mutex_);
    error_ = error;
    ready_ = true;
  }
  ready_cv_.notify_all();
  if (error.empty()) {
    PyRef finished(PyObject_CallMethod(worker_loop_, "run", nullptr));  // until the destructor stops it
    if (!finished) PyErr_WriteUnraisable(worker_loop_);
    fail_pending("the event loop has stopped", true);  // posted after the stop: a broken contract
  } else {
    fail_pending("no event loop: " + error, true);
  }
  Py_CLEAR(worker_loop_);
  Py_CLEAR(completion_type_);
  PyThreadState_Clear(state);
  PyThreadState_DeleteCurrent();
}

PyObject* AsyncLoop::drain(PyObject* self, PyObject* /*unused*/) {
  auto* loop = static_cast<AsyncLoop*>(PyCapsule_GetPointer(self, kCapsuleName));
  if (loop == nullptr) return nullptr;
  probes::note_cpu();  // once per wake-up (probes/cpu_seen.h)
  std::uint64_t count = 0;
  [[maybe_unused]] const ssize_t n = ::read(loop->wakeup_fd_, &count, sizeof count);  // reset; EAGAIN is fine
  AsyncRequest* r = nullptr;
  bool stopping = false;
  {
    std::lock_guard lock(loop->mutex_);
    r = std::exchange(loop->inbox_head_, nullptr);
    loop->inbox_tail_ = nullptr;
    stopping = loop->stopping_;
  }
  while (r != nullptr) {
    AsyncRequest* next = r->next;  // read first: starting may complete (and free) the request
    loop->start(*r);
    r = next;
  }
  if (stopping) {
    PyRef stopped(PyObject_CallMethod(loop->worker_loop_, "stop", nullptr));
    if (!stopped) PyErr_WriteUnraisable(loop->worker_loop_);
  }
  Py_RETURN_NONE;
}

void AsyncLoop::start(AsyncRequest& request) {
  StageTrace& trace = *request.trace;
  if (!trace.reached(FB_POINT_GIL_ACQUIRED)) stage_point(trace, FB_POINT_GIL_ACQUIRED);
  PyObject* awaitable = std::exchange(request.awaitable, nullptr);
  if (awaitable == nullptr) {
    HandlerOutcome out;
    try {
      out = call_handler(bindings_, request.route, *request.request, *request.params, trace, request.delay);
    } catch (...) {  // no C++ exception may cross the interpreter's frames
      PyErr_Clear();
      request.fail(std::current_exception());
      return;
    }
    if (out.awaitable == nullptr) {  // a plain result (an "async" override on a sync handler)
      request.complete(std::move(out.response));
      return;
    }
    awaitable = out.awaitable;
  } else if (!trace.reached(FB_POINT_HANDLER_CALL)) {
    stage_point(trace, FB_POINT_HANDLER_CALL);
  }
  PyRef owned(awaitable);
  auto* type = reinterpret_cast<PyTypeObject*>(completion_type_);
  PyRef completion(type->tp_alloc(type, 0));
  if (!completion) {
    finish(request, nullptr, bindings_.fast_marshal());  // MemoryError -> 500
    return;
  }
  auto* c = reinterpret_cast<Completion*>(completion.get());
  c->request = &request;
  c->completed = false;
  c->fast_marshal = bindings_.fast_marshal();
  PyRef started(PyObject_CallMethod(worker_loop_, "start", "OO", owned.get(), completion.get()));
  if (!started && !c->completed) {
    c->completed = true;
    finish(request, nullptr, c->fast_marshal);
  }
  PyErr_Clear();
}

}  // namespace fb::python
