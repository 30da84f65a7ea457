// A worker's asyncio event loop: ASYNC handlers run here, so their awaits overlap instead of
// each holding a worker thread until it finishes.
//
// What it is: an asyncio loop (framework/python/async_loop.py, WorkerLoop) run by a thread of
// its own, in the interpreter of the worker that owns it. Other threads post() requests without
// touching Python: an intrusive list under a mutex, and an eventfd the loop watches
// (add_reader). On the loop thread, holding the GIL, each request's handler is called and its
// coroutine started as a task; when the task ends the request completes with the converted
// result (or a 500 for an exception or a cancellation).
//
// Guarantee: for every posted request exactly one of its owner's async_completed or async_failed
// is called, once, on the loop thread (or, if the loop failed to start, on the thread that finds
// out). A Completion object that
// asyncio drops without calling it (it cannot, but an interpreter may tear it down) completes
// with a 500 on deallocation.
//
// Why its own thread, and why the worker does not take the GIL: the worker blocks in
// TaskQueue::pop(), which knows nothing of asyncio's timers and sockets, so the loop must own
// its wait (epoll); and a worker that attached just to create the coroutine competed for the
// GIL with the loop threads: 100 concurrent 1 ms awaits took ~30 ms instead of a few, mostly
// in 5 ms GIL switch intervals. Now only the loop threads run Python for ASYNC requests.
//
// Stage points of an ASYNC request (with those of the executor around them):
//   gil_request    post() by the worker          gil_acquired  the loop thread picks it up
//   handler_call   the handler is called (creates the coroutine)
//   handler_return the task ended                marshal_done  result converted
// so `gil` is the hand-off to the loop (its wake-up included) and `handler` spans the coroutine
// from creation to completion, awaits included. A request whose coroutine was created
// elsewhere (awaitable set) keeps the points already stamped.
//
// SHARP EDGES: post() nothing after destruction began. A request's memory must stay valid until
// its owner was told. The destructor waits up to async_loop.py's SHUTDOWN_GRACE_S for requests
// in flight, then cancels them.
#pragma once

#include <Python.h>

#include <condition_variable>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "framework/http.h"
#include "framework/inject_delay.h"
#include "framework/python/interpreter_bindings.h"
#include "framework/router.h"
#include "framework/stage.h"

namespace fb::python {

struct AsyncRequest;

// Whoever posts an AsyncRequest and must hear how it ended: the App's RequestContext, a test's
// counter. Exactly one of the two is called, once, on the loop thread; the request may be gone
// after it returns. They run inside CPython's callbacks, so they must not throw.
class AsyncRequestOwner {
 public:
  // The response (a handler exception is a 500 response).
  virtual void async_completed(AsyncRequest& request, Response&& response) noexcept = 0;
  // A C++ exception thrown while serving the request.
  virtual void async_failed(AsyncRequest& request, std::exception_ptr error) noexcept = 0;

 protected:
  ~AsyncRequestOwner() = default;  // not owned through this interface
};

// One request for the loop, in the poster's storage (no allocation per post).
struct AsyncRequest {
  std::size_t route = 0;
  const Request* request = nullptr;
  const std::vector<PathParam>* params = nullptr;
  StageTrace* trace = nullptr;
  InjectedDelay delay;  // testing aid (inject_delay.h): off unless asked for
  // Owned reference to a coroutine already created by the thread that called the handler; the
  // loop then only runs it. nullptr: the loop calls the route's handler itself.
  PyObject* awaitable = nullptr;
  AsyncRequestOwner* owner = nullptr;  // told how the request ended
  AsyncRequest* next = nullptr;        // the loop's inbox link

  void complete(Response&& response) noexcept { owner->async_completed(*this, std::move(response)); }
  void fail(std::exception_ptr error) noexcept { owner->async_failed(*this, std::move(error)); }
};

class AsyncLoop {
 public:
  // Starts the loop thread in `interpreter`, calling handlers from `bindings` (loaded there).
  // Returns at once; requests posted meanwhile wait in the inbox. Needs no GIL.
  AsyncLoop(PyInterpreterState* interpreter, const InterpreterBindings& bindings);
  // Stops the loop (in-flight requests finish or are cancelled, see above) and joins. No GIL.
  ~AsyncLoop();
  AsyncLoop(const AsyncLoop&) = delete;
  AsyncLoop& operator=(const AsyncLoop&) = delete;

  // Blocks until the loop runs; throws std::runtime_error naming the Python error if it could
  // not start. Call without holding the GIL.
  void wait_ready();

  // Queues `request` for the loop and wakes it. Any thread, GIL held or not. Stamps
  // gil_request unless the request already holds the GIL points.
  void post(AsyncRequest& request);

 private:
  void run();
  static PyObject* drain(PyObject* self, PyObject* unused);  // the eventfd's reader
  void start(AsyncRequest& request);                          // loop thread, GIL held
  // Completes every request still in the inbox with a 500 saying `why`.
  void fail_pending(const std::string& why, bool gil_held);

  PyInterpreterState* interpreter_;
  const InterpreterBindings& bindings_;
  int wakeup_fd_ = -1;                   // eventfd; written by post() and the destructor
  PyObject* worker_loop_ = nullptr;      // WorkerLoop; loop thread only
  PyObject* completion_type_ = nullptr;  // the Completion heap type; loop thread only

  std::mutex mutex_;
  std::condition_variable ready_cv_;
  AsyncRequest* inbox_head_ = nullptr;  // guarded by mutex_: posted, not yet drained (FIFO)
  AsyncRequest* inbox_tail_ = nullptr;  // guarded by mutex_
  bool stopping_ = false;               // guarded by mutex_: the destructor began
  bool ready_ = false;                  // guarded by mutex_: the loop thread started (or failed)
  std::string error_;                   // guarded by mutex_: why it failed to start
  std::thread thread_;
};

}  // namespace fb::python
