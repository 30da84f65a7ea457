#include "framework/python/subinterpreter.h"

#if FASTERBENCH_HAVE_SUBINTERP

#include <chrono>
#include <fstream>
#include <stdexcept>

#include "framework/python/embedded_python.h"
#include "framework/python/gil.h"

namespace fb::python {
namespace {

// Resident set size of the process (/proc/self/statm, pages -> KiB); 0 when unreadable.
std::int64_t rss_kb() {
  std::ifstream statm("/proc/self/statm");
  std::int64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * 4;  // 4 KiB pages on the platforms this runs on
}

// Creates the interpreter; on return its thread state is attached and its GIL held.
PyThreadState* new_own_gil_interpreter() {
  PyInterpreterConfig config{};
  config.use_main_obmalloc = 0;  // an own GIL requires an own allocator
  config.allow_fork = 0;
  config.allow_exec = 0;
  config.allow_threads = 1;
  config.allow_daemon_threads = 0;
  config.check_multi_interp_extensions = 1;  // refuse single-phase-init extensions
  config.gil = PyInterpreterConfig_OWN_GIL;
  PyThreadState* state = nullptr;
  const PyStatus status = Py_NewInterpreterFromConfig(&state, &config);
  if (PyStatus_Exception(status) || state == nullptr) {
    std::string message = status.err_msg != nullptr ? status.err_msg : "unknown error";
    if (status.func != nullptr) message = std::string(status.func) + ": " + message;
    throw std::runtime_error("cannot create an own-GIL sub-interpreter: " + message);
  }
  return state;
}

}  // namespace

std::unique_ptr<Subinterpreter> Subinterpreter::start(const std::vector<std::string>& python_path,
                                                      const std::vector<std::string>& handler_specs,
                                                      const std::vector<bool>& skip, bool fast_marshal,
                                                      InterpreterStart* cost, std::vector<std::string>* errors) {
  const std::int64_t rss_before = rss_kb();
  const auto started = std::chrono::steady_clock::now();
  std::unique_ptr<Subinterpreter> self(new Subinterpreter(new_own_gil_interpreter()));
  try {
    prepend_to_sys_path(python_path);
    self->bindings_.set_fast_marshal(fast_marshal);
    self->bindings_.load(handler_specs, skip, errors);
  } catch (...) {
    self->end_attached();
    self->state_ = nullptr;
    throw;
  }
  PyEval_SaveThread();
  if (cost != nullptr) {
    cost->interpreter_id = self->id();
    cost->startup_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    cost->memory_kb = rss_kb() - rss_before;
  }
  return self;
}

std::int64_t Subinterpreter::id() const noexcept {
  return PyInterpreterState_GetID(PyThreadState_GetInterpreter(state_));
}

void Subinterpreter::end_attached() noexcept {
  bindings_.clear();
  Py_EndInterpreter(state_);  // leaves no thread state attached
}

Subinterpreter::~Subinterpreter() {
  if (state_ == nullptr) return;
  PyEval_RestoreThread(state_);
  end_attached();
}

}  // namespace fb::python

#endif  // FASTERBENCH_HAVE_SUBINTERP
