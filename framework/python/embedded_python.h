// The process's embedded CPython: started once, shared by every App in the process.
//
// Python's runtime is process-global and cannot be reliably finalized and started again, so
// it is initialized on first use and finalized by finalize_python() at the end of main().
// Between calls into Python no thread holds the main GIL: the initializing thread releases it,
// and every Python-running thread attaches its own thread state (see python_caller.h).
//
// Guest mode: when the framework is loaded into a Python process (the fasterbench extension
// module), the interpreter exists before ensure_python() is first called. It is then the host's:
// ensure_python() starts nothing and finalize_python() ends nothing, and it is the host's thread
// that calls into the framework that must release its GIL first (the bindings do).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fb::python {

struct PythonInfo {
  std::string version;     // "3.13.0"
  std::string executable;  // the interpreter whose stdlib is embedded (guest mode: the host's sys.executable)
  std::string mode = "embedded";  // "embedded" (started here) or "guest" (a Python process loaded the framework)
  bool subinterpreters_supported = false;  // PEP 684 own-GIL interpreters (>= 3.12)
};

// Starts the interpreter if needed (isolated config: no user site, no PYTHON* variables), or
// adopts the running one in guest mode. Thread-safe. Throws std::runtime_error when CPython fails
// to start.
void ensure_python();

// True when the interpreter belongs to a Python process that loaded the framework (guest mode).
bool python_is_guest();

// The str/bytes hash secret the interpreter will use: derived from a fixed seed (what
// PYTHONHASHSEED=N does; 0 disables randomization), or random per process (nullopt, the
// default). Sub-interpreters share it. Call before the interpreter starts: afterwards it throws
// std::logic_error, since the secret cannot change.
void set_hash_seed(std::optional<std::uint32_t> seed);

// Adds directories to the main interpreter's sys.path (front, skipping ones already present).
void add_to_sys_path(const std::vector<std::string>& directories);

// The same in the interpreter whose GIL the calling thread holds (a sub-interpreter starts with
// the configured sys.path, not the main interpreter's current one).
void prepend_to_sys_path(const std::vector<std::string>& directories);

PythonInfo python_info();

// Finalizes the interpreter (not in guest mode: the host does). Every Python-running thread
// must have been stopped.
void finalize_python();

}  // namespace fb::python
