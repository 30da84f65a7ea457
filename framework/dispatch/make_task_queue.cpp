#include "framework/dispatch/make_task_queue.h"

#include "framework/dispatch/mutex_queue.h"

namespace fb {

std::unique_ptr<TaskQueue> make_task_queue(const OptimizationSet& /*opts*/, std::size_t /*workers*/) {
  return std::make_unique<MutexQueue>();
}

}  // namespace fb
