#include "harness/measure/callgrind.h"

#include <unistd.h>
#include <valgrind/callgrind.h>

#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "harness/cli/exit_codes.h"
#include "harness/host/subprocess.h"
#include "probes/instruction_count.h"

namespace fb::harness {
namespace {

namespace fs = std::filesystem;

constexpr const char* kVersionVariable = "FASTERBENCH_CALLGRIND_VERSION";
constexpr const char* kNativeVariable = "FASTERBENCH_NATIVE_NS_PER_REQUEST";
constexpr const char* kOptionsVariable = "FASTERBENCH_CALLGRIND_OPTIONS";

// Instrumentation and collection off at start (the harness switches them on for the measured
// windows only); no per-instruction or per-line detail, only the totals are read.
const std::vector<std::string> kCallgrindOptions = {"--tool=callgrind", "--instr-atstart=no", "--collect-atstart=no",
                                                    "--dump-instr=no"};

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : " ") + p;
  return out;
}

std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const fs::path candidate = fs::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

}  // namespace

bool under_callgrind() { return RUNNING_ON_VALGRIND != 0 && std::getenv(kCallgrindOutVariable) != nullptr; }

InstructionTool find_callgrind() {
  const std::string valgrind = find_on_path("valgrind");
  if (valgrind.empty()) {
    throw UsageError("--measure instructions needs Valgrind's callgrind, and there is no valgrind on PATH "
                     "(Debian package: valgrind; ./setup.sh installs it)");
  }
  InstructionTool tool;
  tool.options = kCallgrindOptions;
  // "valgrind-3.19.0"
  if (FILE* p = ::popen((valgrind + " --version 2>/dev/null").c_str(), "r")) {
    char line[128] = {};
    if (std::fgets(line, sizeof line, p) != nullptr) {
      std::string text(line);
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      tool.version = text.rfind("valgrind-", 0) == 0 ? text.substr(9) : text;
    }
    ::pclose(p);
  }
  if (tool.version.empty()) throw UsageError(fmt::format("--measure instructions: '{} --version' gave no version", valgrind));
  return tool;
}

int run_under_callgrind(const std::vector<std::string>& argv, const InstructionTool& tool) {
  // Same length in every run (mkdtemp's fixed pattern, a fixed-width number): the environment's
  // size moves the stack, and with it the instruction counts of alignment-dependent code.
  std::string dir = (fs::temp_directory_path() / "fasterbench-callgrind-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) throw std::runtime_error("cannot create a directory for Callgrind's dumps in " + dir);
  std::vector<std::string> command = {find_on_path("valgrind"), "-q"};
  command.insert(command.end(), tool.options.begin(), tool.options.end());
  command.push_back("--callgrind-out-file=" + dir + "/callgrind.out.%p");
  command.push_back(self_executable());
  command.insert(command.end(), argv.begin() + 1, argv.end());
  ProcessOptions options;
  options.env = {{kCallgrindOutVariable, dir},
                 {kVersionVariable, tool.version},
                 {kOptionsVariable, join(tool.options)},
                 {kNativeVariable, fmt::format("{:020.3f}", tool.native_ns_per_request.value_or(0.0))}};
  std::string error;
  const int status = run_process(command, options, &error);
  std::error_code ec;
  fs::remove_all(dir, ec);  // the final dump at exit lands here too
  if (status < 0) throw std::runtime_error("cannot start valgrind: " + error);
  return status;
}

InstructionTool callgrind_tool_from_environment() {
  InstructionTool tool;
  if (const char* v = std::getenv(kVersionVariable)) tool.version = v;
  if (const char* o = std::getenv(kOptionsVariable)) {
    std::stringstream words(o);
    for (std::string w; words >> w;) tool.options.push_back(w);
  }
  if (const char* n = std::getenv(kNativeVariable)) {
    const double ns = std::strtod(n, nullptr);
    if (ns > 0) tool.native_ns_per_request = ns;
  }
  return tool;
}

std::optional<std::uint64_t> parse_callgrind_total(std::string_view text) {
  std::optional<std::uint64_t> totals;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    for (const std::string_view key : {std::string_view("summary:"), std::string_view("totals:")}) {
      if (line.rfind(key, 0) != 0) continue;
      std::string_view number = line.substr(key.size());
      while (!number.empty() && number.front() == ' ') number.remove_prefix(1);
      while (!number.empty() && (number.back() == ' ' || number.back() == '\r')) number.remove_suffix(1);
      std::uint64_t value = 0;
      const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
      // One event only (Ir): a second number would be another event this code does not expect.
      if (number.empty() || ec != std::errc() || ptr != number.data() + number.size()) return std::nullopt;
      if (key == "summary:") return value;
      totals = value;
    }
  }
  return totals;
}

void CallgrindWindows::begin(std::uint32_t counted_stages) {
  if (!instrumenting_) {
    CALLGRIND_START_INSTRUMENTATION;  // flushes Valgrind's code cache once: after the warm-up
    instrumenting_ = true;
  }
  probes::g_counted_stages.store(counted_stages, std::memory_order_relaxed);
  CALLGRIND_ZERO_STATS;
}

std::uint64_t CallgrindWindows::end() {
  CALLGRIND_DUMP_STATS_AT("fasterbench window");
  probes::g_counted_stages.store(0, std::memory_order_relaxed);
  ++dumps_;
  const char* dir = std::getenv(kCallgrindOutVariable);
  const std::string file = fmt::format("{}/callgrind.out.{}.{}", dir != nullptr ? dir : ".", ::getpid(), dumps_);
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  const std::optional<std::uint64_t> total = in ? parse_callgrind_total(text.str()) : std::nullopt;
  if (!total) throw std::runtime_error("cannot read the instruction total from Callgrind's dump " + file);
  std::error_code ec;
  fs::remove(file, ec);
  return *total;
}

}  // namespace fb::harness
