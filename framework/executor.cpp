#include "framework/executor.h"

#include <latch>
#include <mutex>

#include "framework/thread_names.h"
#include "probes/cpu_seen.h"
#include "probes/instruction_count.h"

namespace fb {

Executor::Executor(std::size_t workers, std::unique_ptr<TaskQueue> queue, Hooks hooks)
    : queue_(std::move(queue)), hooks_(std::move(hooks)) {
  std::latch started(static_cast<std::ptrdiff_t>(workers));
  std::mutex failure_mutex;
  std::exception_ptr failure;
  threads_.reserve(workers);
  for (std::size_t i = 0; i < workers; ++i) {
    threads_.emplace_back([this, i, &started, &failure_mutex, &failure] {
      name_this_thread(kWorkerThreadPrefix, i);
      try {
        if (hooks_.start) hooks_.start(i);
      } catch (...) {
        {
          std::lock_guard lock(failure_mutex);
          if (!failure) failure = std::current_exception();
        }
        started.count_down();
        return;
      }
      started.count_down();
      Task task;
      probes::note_cpu();
      for (;;) {
        // Waiting for work is not the pipeline's cost (instructions mode: probes/instruction_count.h).
        probes::instruction_wait_begin();
        const bool got = queue_->pop(task);
        probes::instruction_wait_end();
        if (!got) break;
        hooks_.run(i, task);
        probes::note_cpu();  // where this worker runs (probes/cpu_seen.h): off the request's path
      }
      if (hooks_.stop) hooks_.stop(i);
    });
  }
  started.wait();
  if (failure) {
    shutdown();
    std::rethrow_exception(failure);
  }
}

void Executor::shutdown() {
  queue_->close();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

Executor::~Executor() { shutdown(); }

}  // namespace fb
