// A fixed pool of worker threads draining one TaskQueue.
//
// Each worker runs `start(worker_index)` on its own thread before taking tasks (the pipeline
// creates the worker's Python thread state there) and `stop(worker_index)` after the queue
// closes. The constructor returns once every worker has started, or rethrows the first start
// failure after joining the others.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "framework/dispatch/task_queue.h"

namespace fb {

class Executor {
 public:
  struct Hooks {
    std::function<void(std::size_t worker)> start;
    std::function<void(std::size_t worker, Task& task)> run;
    std::function<void(std::size_t worker)> stop;
  };

  Executor(std::size_t workers, std::unique_ptr<TaskQueue> queue, Hooks hooks);
  ~Executor();  // closes the queue and joins the workers
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  void submit(Task task) { queue_->push(task); }
  std::size_t size() const noexcept { return threads_.size(); }

 private:
  void shutdown();

  std::unique_ptr<TaskQueue> queue_;
  Hooks hooks_;
  std::vector<std::thread> threads_;
};

}  // namespace fb
