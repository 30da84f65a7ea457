// Process hygiene for measured processes, so that two processes of the same build differ as
// little as a process can:
//   - a fixed str/bytes hash seed (what PYTHONHASHSEED sets; pyperf fixes it too): dict and set
//     layouts, and so the handlers' work, are the same in every process;
//   - no address-space layout randomization (as Google Benchmark re-executes itself with
//     personality(ADDR_NO_RANDOMIZE)): code, heap and stack land at the same addresses;
//   - argument and environment strings of a fixed total size: they sit at the top of the stack,
//     so their size moves every stack address and with it alignment and cache-set conflicts
//     (Mytkowicz et al., "Producing wrong data without doing anything obviously wrong!",
//     ASPLOS 2009).
// `phases` applies all three to every child by default; `run` when asked (--hash-seed, --aslr,
// --env). What each process really had goes to context.process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fb::harness {

struct HashSeed {
  bool random = true;       // a new secret per process
  std::uint32_t value = 0;  // when !random; 0 also turns randomization off in CPython
  std::string source;       // "--hash-seed", "PYTHONHASHSEED" or "default"
};
// "0".."4294967295" or "random". Throws UsageError naming `option`.
HashSeed parse_hash_seed(std::string_view text, std::string_view option);
// What Python itself would take from this process's PYTHONHASHSEED (unset or "random": random).
HashSeed hash_seed_from_environment();
std::string hash_seed_text(const HashSeed& seed);  // "0" or "random"

struct HygieneRequest {
  HashSeed hash_seed;
  bool aslr_off = false;   // --aslr off
  bool fixed_env = false;  // --env fixed
};

// The command line re-execution repeats (call once, from main).
void remember_command_line(int argc, char** argv);
// That command line (empty when main did not remember one, e.g. in a test).
const std::vector<std::string>& remembered_command_line();

// When ASLR off or a fixed environment is asked for and not in effect yet, re-executes this
// program with the same arguments and does not return. Re-executes at most once: a setting that
// is still not in effect afterwards is left as it is, warned about and recorded.
void reexecute_if_needed(const HygieneRequest& request);

// Gives the embedded Python the hash seed (before it starts) and sets PYTHONHASHSEED to match,
// so handlers see in os.environ what the interpreter uses.
void apply_hash_seed(const HashSeed& seed);

// context.process: what this process has in effect.
struct ProcessRecord {
  std::string hash_seed;         // "0" or "random"
  std::string hash_seed_source;  // as HashSeed::source
  bool aslr = true;              // address-space randomization in effect
  std::string environment;       // "fixed" or "inherited"
  std::size_t arg_env_bytes = 0; // argument + environment strings, with their terminators
  bool reexecuted = false;       // this process is the re-executed copy
};
ProcessRecord process_record(const HygieneRequest& request);

// Argument + environment size of every fixed environment: enough for a long PATH and the
// sanitizers' options; a larger block is rounded up to the next multiple (and recorded).
inline constexpr std::size_t kArgEnvBlockBytes = 16384;

// The environment of a measured child started with `argv`: the variables a run needs from this
// process's environment (PATH, HOME, locale, TMPDIR, PYTHONPATH, LD_LIBRARY_PATH, sanitizer
// options, FASTERBENCH_*), `set` on top, and FASTERBENCH_ENV_PAD sized so that argv and the
// environment take a multiple of kArgEnvBlockBytes. Entries are "NAME=value".
std::vector<std::string> fixed_environment(const std::vector<std::string>& argv,
                                           const std::vector<std::pair<std::string, std::string>>& set);

// Turns address-space randomization off for every program this process starts from now on
// (the personality is inherited across fork and exec). Returns "" or why it could not.
std::string disable_aslr_for_children();

}  // namespace fb::harness
