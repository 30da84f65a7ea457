// Names of the threads that carry requests, as `top -H`, gdb and /proc/<tid>/comm show them.
// The harness also reads them to tell each thread's role when it places threads on CPUs and
// records where they ran (harness/placement/), so the pipeline needs no hook for either.
#pragma once

#include <cstddef>
#include <string_view>

namespace fb {

inline constexpr std::string_view kClientThreadPrefix = "fb-client-";  // calls App::handle (load generator)
inline constexpr std::string_view kWorkerThreadPrefix = "fb-worker-";  // executor worker
inline constexpr std::string_view kLoopThreadPrefix = "fb-loop-";      // a worker's asyncio event loop

// Names the calling thread `prefix` + `index` (cut to the kernel's 15 characters).
void name_this_thread(std::string_view prefix, std::size_t index) noexcept;

}  // namespace fb
