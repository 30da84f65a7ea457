#include "probes/instruction_count.h"

#include <valgrind/callgrind.h>

namespace fb::probes {

bool sync_instruction_collection() noexcept {
  ThreadInstructionState& s = t_instruction_state;
  const bool want = should_collect(s, g_counted_stages.load(std::memory_order_relaxed));
  if (want == s.collecting) return false;
  // Flips this thread's collection only (callgrind's exec state is per thread); outside
  // Valgrind the client request is a few no-op instructions.
  CALLGRIND_TOGGLE_COLLECT;
  s.collecting = want;
  return true;
}

}  // namespace fb::probes
