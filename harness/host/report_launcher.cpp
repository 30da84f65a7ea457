#include "harness/host/report_launcher.h"

#include <cstdlib>
#include <vector>

#include "harness/cli/exit_codes.h"
#include "harness/host/subprocess.h"

namespace fb::harness {
namespace {

bool has_matplotlib(const std::string& python) {
  ProcessOptions quiet;
  quiet.quiet = true;
  return run_process({python, "-c", "import matplotlib"}, quiet) == 0;
}

}  // namespace

std::string find_report_python(const std::string& explicit_python) {
  std::vector<std::string> candidates;
  if (!explicit_python.empty()) {
    if (!has_matplotlib(explicit_python)) {
      throw UsageError("--report-python " + explicit_python + " cannot import matplotlib (install python3-matplotlib)");
    }
    return explicit_python;
  }
  if (const char* env = std::getenv("FASTERBENCH_REPORT_PYTHON"); env != nullptr && *env != '\0') candidates.emplace_back(env);
  candidates.emplace_back("/usr/bin/python3");
  candidates.emplace_back("python3");
  std::string tried;
  for (const std::string& c : candidates) {
    if (has_matplotlib(c)) return c;
    tried += (tried.empty() ? "" : ", ") + c;
  }
  throw UsageError("no Python with matplotlib found (tried " + tried +
                   "); run ./setup.sh or pass --report-python");
}

int launch_report(const std::string& python, const std::string& results, const std::string& out_dir) {
  return launch_report_module(python, "reports", results, out_dir);
}

int launch_report_module(const std::string& python, const std::string& module, const std::string& input,
                         const std::string& out_dir) {
  ProcessOptions options;
  const char* existing = std::getenv("PYTHONPATH");
  std::string path = FASTERBENCH_SOURCE_DIR;
  if (existing != nullptr && *existing != '\0') path += std::string(":") + existing;
  options.env = {{"PYTHONPATH", path}, {"MPLBACKEND", "Agg"}};
  std::string error;
  const int rc = run_process({python, "-m", module, input, "--out", out_dir}, options, &error);
  if (rc < 0) throw UsageError(error);
  return rc;
}

}  // namespace fb::harness
