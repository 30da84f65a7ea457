#include "framework/future/heap_future.h"

namespace fb {

std::pair<HeapPromise, HeapFuture> make_heap_future() {
  auto state = std::make_shared<HeapPromise::State>();
  return {HeapPromise(state), HeapFuture(std::move(state))};
}

void HeapPromise::set_value(Response&& value) {
  {
    std::lock_guard lock(state_->mutex);
    state_->value = std::move(value);
    state_->ready = true;
  }
  state_->ready_cv.notify_one();  // our reference keeps the state alive after the unlock
  state_.reset();
}

void HeapPromise::set_error(std::exception_ptr error) {
  {
    std::lock_guard lock(state_->mutex);
    state_->error = std::move(error);
    state_->ready = true;
  }
  state_->ready_cv.notify_one();
  state_.reset();
}

Response HeapFuture::get() {
  std::unique_lock lock(state_->mutex);
  state_->ready_cv.wait(lock, [this] { return state_->ready; });
  if (state_->error) std::rethrow_exception(state_->error);
  return std::move(state_->value);
}

}  // namespace fb
