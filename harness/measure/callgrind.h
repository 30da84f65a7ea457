// The process side of `--measure instructions`: re-running this invocation under Valgrind's
// Callgrind, and, inside it, counting the instructions of one window of requests at a time.
//
// Why Callgrind: these machines have no hardware performance counters, and an instruction count
// from a simulator does not move with the machine's load, so a 1 % change is visible in one run.
// What it cannot see: waiting (excluded on purpose, probes/instruction_count.h), cache misses,
// branch mispredictions, and the kernel (a system call counts as one instruction).
//
// How: the harness (not under Valgrind) measures the same configuration natively once, for the
// slowdown factor, then starts itself again as
//   valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no ... <this command line>
// and waits for it, passing its exit status on. Instrumentation is off until the first measured
// window starts (start-up and warm-up run uninstrumented), and each thread's collection is on
// only in the stages counted in the current window. A window ends with a Callgrind dump
// (CALLGRIND_DUMP_STATS_AT), written synchronously, whose total this process reads back at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fb::harness {

// Set in the Callgrind child's environment: the directory its dumps go to.
inline constexpr const char* kCallgrindOutVariable = "FASTERBENCH_CALLGRIND_OUT";

// What the measuring process knows about the tool (context.measure).
struct InstructionTool {
  std::string name = "callgrind";
  std::string version;                 // "3.19.0"
  std::vector<std::string> options;    // the Valgrind options used
  std::optional<double> native_ns_per_request;  // the same configuration run natively, measured window
};

// True in the child started by run_under_callgrind (Valgrind is running us and the dump
// directory is set).
bool under_callgrind();

// The valgrind executable on PATH and its version ("3.19.0"); throws UsageError (exit 2) naming
// the Debian package when there is none.
InstructionTool find_callgrind();

// Runs `argv` (this invocation's command line) under Callgrind with `tool`'s options and the
// native cost in its environment; returns its exit status. The dumps go to a private temporary
// directory, removed afterwards.
int run_under_callgrind(const std::vector<std::string>& argv, const InstructionTool& tool);

// In the Callgrind child: what run_under_callgrind passed on (version, options, native cost).
InstructionTool callgrind_tool_from_environment();

// The total of the single event (Ir) in a Callgrind dump: its `summary:` line (the `totals:`
// line when there is no summary). nullopt when neither is there or it is not a number.
std::optional<std::uint64_t> parse_callgrind_total(std::string_view dump_text);

// Instruction windows in the Callgrind child. begin(): instrumentation on (the first time), the
// counted stages set, the counters zeroed; end(): a dump, its total read back and its file
// removed. Throws std::runtime_error when a dump cannot be read (a message naming the file).
class CallgrindWindows {
 public:
  void begin(std::uint32_t counted_stages);
  std::uint64_t end();

 private:
  bool instrumenting_ = false;
  int dumps_ = 0;
};

}  // namespace fb::harness
