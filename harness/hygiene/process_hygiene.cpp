#include "harness/hygiene/process_hygiene.h"

#include <sys/personality.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string_view>

#include "framework/python/embedded_python.h"
#include "harness/cli/exit_codes.h"

extern char** environ;

namespace fb::harness {
namespace {

constexpr const char* kPadVariable = "FASTERBENCH_ENV_PAD";     // present: the environment is fixed
constexpr const char* kReexecVariable = "FASTERBENCH_REEXECUTED";  // present: never re-execute again

std::vector<std::string>& command_line() {
  static std::vector<std::string> argv;
  return argv;
}

bool aslr_in_effect() {
  const int persona = personality(0xffffffff);
  if (persona != -1 && (persona & ADDR_NO_RANDOMIZE) != 0) return false;
  std::ifstream system_wide("/proc/sys/kernel/randomize_va_space");
  int level = 2;
  if (system_wide >> level && level == 0) return false;
  return true;
}

std::size_t block_bytes(const std::vector<std::string>& strings) {
  std::size_t n = 0;
  for (const std::string& s : strings) n += s.size() + 1;
  return n;
}

std::vector<std::string> current_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  return env;
}

bool kept_variable(std::string_view name) {
  static constexpr std::string_view kKept[] = {
      "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "TERM", "PYTHONPATH",
      "LD_LIBRARY_PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS", "XDG_CACHE_HOME"};
  if (name.rfind("FASTERBENCH_", 0) == 0) return name != kPadVariable;
  return std::find(std::begin(kKept), std::end(kKept), name) != std::end(kKept);
}

}  // namespace

HashSeed parse_hash_seed(std::string_view text, std::string_view option) {
  HashSeed seed;
  seed.source = std::string(option);
  if (text == "random") return seed;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value > 4294967295ull) {
    throw UsageError(fmt::format("{}: '{}' is neither 'random' nor an integer in [0, 4294967295]", option, text));
  }
  seed.random = false;
  seed.value = static_cast<std::uint32_t>(value);
  return seed;
}

HashSeed hash_seed_from_environment() {
  const char* value = std::getenv("PYTHONHASHSEED");
  if (value == nullptr || *value == '\0') return HashSeed{true, 0, "default"};
  return parse_hash_seed(value, "PYTHONHASHSEED");
}

std::string hash_seed_text(const HashSeed& seed) { return seed.random ? "random" : std::to_string(seed.value); }

void remember_command_line(int argc, char** argv) {
  command_line().assign(argv, argv + argc);
}

const std::vector<std::string>& remembered_command_line() { return command_line(); }

void reexecute_if_needed(const HygieneRequest& request) {
  const bool want_aslr_off = request.aslr_off && aslr_in_effect();
  const bool want_env = request.fixed_env && std::getenv(kPadVariable) == nullptr;
  if (!want_aslr_off && !want_env) return;
  if (std::getenv(kReexecVariable) != nullptr) {  // tried once already: record, never loop
    if (want_aslr_off) fmt::print(stderr, "fasterbench: warning: address-space randomization is still on after re-executing\n");
    return;
  }
  const std::vector<std::string>& argv = command_line();
  if (argv.empty()) return;  // not started from main (a test): nothing to repeat
  if (want_aslr_off) {
    const int persona = personality(0xffffffff);
    if (persona == -1 || personality(static_cast<unsigned long>(persona) | ADDR_NO_RANDOMIZE) == -1) {
      fmt::print(stderr, "fasterbench: warning: cannot turn address-space randomization off: {}\n", std::strerror(errno));
      if (!want_env) return;
    }
  }
  // PYTHONHASHSEED goes in now, as apply_hash_seed() will set it, so the block keeps its size.
  std::vector<std::string> env =
      request.fixed_env
          ? fixed_environment(argv, {{kReexecVariable, "1"}, {"PYTHONHASHSEED", hash_seed_text(request.hash_seed)}})
          : current_environment();
  if (!request.fixed_env) env.push_back(std::string(kReexecVariable) + "=1");
  std::vector<char*> args, envp;
  std::vector<std::string> argv_copy = argv;
  for (std::string& a : argv_copy) args.push_back(a.data());
  args.push_back(nullptr);
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::fflush(nullptr);
  ::execve("/proc/self/exe", args.data(), envp.data());
  fmt::print(stderr, "fasterbench: warning: cannot re-execute for process hygiene: {}\n", std::strerror(errno));
}

void apply_hash_seed(const HashSeed& seed) {
  python::set_hash_seed(seed.random ? std::nullopt : std::optional<std::uint32_t>(seed.value));
  ::setenv("PYTHONHASHSEED", hash_seed_text(seed).c_str(), 1);
}

ProcessRecord process_record(const HygieneRequest& request) {
  ProcessRecord r;
  r.hash_seed = hash_seed_text(request.hash_seed);
  r.hash_seed_source = request.hash_seed.source;
  r.aslr = aslr_in_effect();
  r.environment = std::getenv(kPadVariable) != nullptr ? "fixed" : "inherited";
  r.arg_env_bytes = block_bytes(command_line()) + block_bytes(current_environment());
  r.reexecuted = std::getenv(kReexecVariable) != nullptr;
  return r;
}

std::vector<std::string> fixed_environment(const std::vector<std::string>& argv,
                                           const std::vector<std::pair<std::string, std::string>>& set) {
  std::vector<std::string> env;
  for (const std::string& entry : current_environment()) {
    const std::string_view name = std::string_view(entry).substr(0, entry.find('='));
    const bool overridden = std::any_of(set.begin(), set.end(), [&](const auto& kv) { return kv.first == name; });
    if (kept_variable(name) && !overridden) env.push_back(entry);
  }
  for (const auto& [name, value] : set) env.push_back(name + "=" + value);
  std::sort(env.begin(), env.end());
  const std::string pad_prefix = std::string(kPadVariable) + "=";
  const std::size_t used = block_bytes(argv) + block_bytes(env) + pad_prefix.size() + 1;
  const std::size_t target = (used + kArgEnvBlockBytes - 1) / kArgEnvBlockBytes * kArgEnvBlockBytes;
  env.push_back(pad_prefix + std::string(target - used, 'x'));
  return env;
}

std::string disable_aslr_for_children() {
  const int persona = personality(0xffffffff);
  if (persona == -1) return std::strerror(errno);
  if ((persona & ADDR_NO_RANDOMIZE) != 0) return "";
  if (personality(static_cast<unsigned long>(persona) | ADDR_NO_RANDOMIZE) == -1) return std::strerror(errno);
  return "";
}

}  // namespace fb::harness
