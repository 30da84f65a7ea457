// Runs the report generator (reports/, a Python package) on a results file. It needs a Python
// with matplotlib: Debian's /usr/bin/python3 with python3-matplotlib, found automatically.
#pragma once

#include <string>

namespace fb::harness {

// The first of: `explicit_python`, $FASTERBENCH_REPORT_PYTHON, /usr/bin/python3, python3 on
// PATH, that can import matplotlib. Throws UsageError naming what was tried.
std::string find_report_python(const std::string& explicit_python);

// `python -m reports RESULTS --out DIR` with the source tree on PYTHONPATH. Returns its exit
// status (2: bad results file; see reports/__main__.py).
int launch_report(const std::string& python, const std::string& results, const std::string& out_dir);

// `python -m MODULE INPUT --out DIR` the same way (e.g. reports.sweep on a sweep.json).
int launch_report_module(const std::string& python, const std::string& module, const std::string& input,
                         const std::string& out_dir);

}  // namespace fb::harness
