// Chooses the executor queue for a configuration: the baseline mutex queue, or the lock-free
// ring of optimization #2 when it is switched on (with the wait policy of `--wait`).
#pragma once

#include <memory>

#include "framework/dispatch/task_queue.h"
#include "framework/dispatch/wait_strategy.h"
#include "framework/options.h"

namespace fb {

// `wait` applies to the lock-free queue only; the mutex queue always blocks on its condvar.
// Throws std::logic_error when `opts` asks for lockfree and this build compiled it out
// (App checks unavailable_reason() first, so that is a caller bug).
std::unique_ptr<TaskQueue> make_task_queue(const OptimizationSet& opts, WaitPolicy wait = kDefaultWaitPolicy);

}  // namespace fb
