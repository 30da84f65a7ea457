#include "framework/dispatch/make_task_queue.h"

#include <stdexcept>

#include "framework/dispatch/mutex_queue.h"
#if FASTERBENCH_HAVE_LOCKFREE
#include "framework/dispatch/lockfree_queue.h"
#endif

namespace fb {

std::unique_ptr<TaskQueue> make_task_queue(const OptimizationSet& opts, [[maybe_unused]] WaitPolicy wait) {
  if (opts.lockfree) {
#if FASTERBENCH_HAVE_LOCKFREE
    // One ring shared by all workers (why not one per worker: bounded_mpmc_ring.h). The
    // closed-loop harness has at most one task in flight per client, far below capacity.
    return std::make_unique<LockFreeQueue>(LockFreeQueue::kDefaultCapacity, wait);
#else
    throw std::logic_error("make_task_queue: lockfree is compiled out (-DFASTERBENCH_OPT_LOCKFREE=OFF)");
#endif
  }
  return std::make_unique<MutexQueue>();
}

}  // namespace fb
