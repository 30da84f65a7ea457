// The baseline (phase P0) dispatch queue of the plan's "current" design: a std::deque guarded
// by a std::mutex, consumers blocked on a std::condition_variable, one notify_one per push.
//
// Guarantee: linearizable FIFO (every operation under one lock). Unbounded: push never blocks
// beyond the lock. Cost per handoff: lock + unlock on both sides, plus a futex wake when a
// worker is asleep; that wake-up is most of the `dispatch` stage.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>

#include "framework/dispatch/task_queue.h"

namespace fb {

class MutexQueue final : public TaskQueue {
 public:
  void push(Task task) override;
  bool pop(Task& out) override;
  void close() override;

 private:
  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::deque<Task> tasks_;  // guarded by mutex_
  bool closed_ = false;     // guarded by mutex_
};

}  // namespace fb
