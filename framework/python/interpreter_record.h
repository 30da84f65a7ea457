// One interpreter a PythonRuntime created for a thread, as reported in results
// (runs[].interpreters). No Python headers, so the harness can use it.
#pragma once

#include <cstdint>
#include <string>

namespace fb::python {

struct InterpreterRecord {
  std::string thread;             // "worker 0", "caller 1"
  std::int64_t interpreter_id = 0;
  double startup_ms = 0;          // create + sys.path + import the handlers
  std::int64_t memory_kb = 0;     // process RSS growth while it started (starts are serialized)
};

}  // namespace fb::python
