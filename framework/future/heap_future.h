// The baseline completion slot (phases P0-P3): a shared state allocated on the heap per
// request, as std::promise/std::future do, holding a mutex, a condition variable and the
// response. One allocation per request, a lock on both sides, and a futex wake when the
// consumer already sleeps: the "560 ns future overhead" of the plan's current design.
//
// Lifetime: the promise and the future each own a reference; whichever is destroyed last
// frees the state, so the producer may touch its promise after the consumer has gone.
// Errors: set_error() stores an exception that get() rethrows on the consumer's thread.
#pragma once

#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <utility>

#include "framework/http.h"

namespace fb {

class HeapFuture;

class HeapPromise {
 public:
  HeapPromise() = default;
  void set_value(Response&& value);
  void set_error(std::exception_ptr error);
  bool valid() const noexcept { return state_ != nullptr; }

 private:
  friend std::pair<HeapPromise, HeapFuture> make_heap_future();
  struct State;
  explicit HeapPromise(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
  friend class HeapFuture;
};

class HeapFuture {
 public:
  HeapFuture() = default;
  // Blocks until the promise is set, then moves the response out (or rethrows the error).
  Response get();

 private:
  friend std::pair<HeapPromise, HeapFuture> make_heap_future();
  explicit HeapFuture(std::shared_ptr<HeapPromise::State> state) : state_(std::move(state)) {}
  std::shared_ptr<HeapPromise::State> state_;
};

struct HeapPromise::State {
  std::mutex mutex;
  std::condition_variable ready_cv;
  bool ready = false;         // guarded by mutex
  Response value;             // guarded by mutex
  std::exception_ptr error;   // guarded by mutex
};

// One heap allocation (make_shared: control block and state together).
std::pair<HeapPromise, HeapFuture> make_heap_future();

}  // namespace fb
