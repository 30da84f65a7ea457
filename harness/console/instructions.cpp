#include "harness/console/instructions.h"

#include <fmt/format.h>

#include "harness/measure/instruction_windows.h"
#include "probes/stage_names.h"

namespace fb::harness {

void print_instruction_tables(const std::vector<RunRecord>& runs, const MeasureRecord& m, std::FILE* out) {
  fmt::print(out, "\ninstructions per request ({} {}; waits, start-up and warm-up not counted; no times in this mode)\n",
             m.tool, m.version);
  std::string header = fmt::format("{:<14} {:>3} {:>9} {:>12}", "config", "rep", "requests", "total");
  for (const fb_stage s : kInstructionWindowStages) header += fmt::format(" {:>10}", probes::stage_name(s));
  header += fmt::format(" {:>8}", "closure");
  fmt::print(out, "{}\n", header);
  for (const RunRecord& r : runs) {
    if (!r.instructions) continue;
    const InstructionCounts& c = *r.instructions;
    std::string line = fmt::format("{:<14} {:>3} {:>9} {:>12.1f}", r.config, r.repetition, c.requests_per_window, c.per_request);
    for (const fb_stage s : kInstructionWindowStages) line += fmt::format(" {:>10.1f}", c.stage_per_request[s].value_or(0));
    line += fmt::format(" {:>8.5f}", c.closure);
    fmt::print(out, "{}\n", line);
  }
  if (m.slowdown) {
    fmt::print(out, "cost: {:.1f}x slower than a normal run of the same configuration ({:.0f} ns/request natively, "
               "{:.0f} ns/request under {}, measured window)\n",
               *m.slowdown, m.native_ns_per_request.value_or(0), m.instrumented_ns_per_request.value_or(0), m.tool);
  }
}

}  // namespace fb::harness
