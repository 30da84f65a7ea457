// The executor's queue interface: many producers (request threads), many consumers (workers).
#pragma once

#include "framework/dispatch/task.h"

namespace fb {

class TaskQueue {
 public:
  virtual ~TaskQueue() = default;
  // Never drops a task; may block while the queue is full (backpressure).
  virtual void push(Task task) = 0;
  // Blocks until a task arrives (true) or the queue is closed and drained (false).
  virtual bool pop(Task& out) = 0;
  // Wakes every blocked consumer; pop() returns false once the queue is empty.
  virtual void close() = 0;
};

}  // namespace fb
