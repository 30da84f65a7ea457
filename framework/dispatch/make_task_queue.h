// Chooses the executor queue for a configuration: the baseline mutex queue, or the lock-free
// ring of optimization #2 when it is switched on.
#pragma once

#include <memory>

#include "framework/dispatch/task_queue.h"
#include "framework/options.h"

namespace fb {

std::unique_ptr<TaskQueue> make_task_queue(const OptimizationSet& opts, std::size_t workers);

}  // namespace fb
