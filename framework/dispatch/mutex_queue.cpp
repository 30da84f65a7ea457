#include "framework/dispatch/mutex_queue.h"

namespace fb {

void MutexQueue::push(Task task) {
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(task);
  }
  not_empty_.notify_one();
}

bool MutexQueue::pop(Task& out) {
  std::unique_lock lock(mutex_);
  not_empty_.wait(lock, [this] { return !tasks_.empty() || closed_; });
  if (tasks_.empty()) return false;
  out = tasks_.front();
  tasks_.pop_front();
  return true;
}

void MutexQueue::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  not_empty_.notify_all();
}

}  // namespace fb
