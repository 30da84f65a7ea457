#include "framework/python/embedded_python.h"

#include <Python.h>

#include <mutex>
#include <stdexcept>

#include "framework/python/gil.h"

namespace fb::python {
namespace {

std::mutex g_mutex;
PyThreadState* g_main_thread_state = nullptr;  // saved by the initializing thread
bool g_started = false;
bool g_guest = false;  // guarded by g_mutex: the interpreter was running before ensure_python()
std::optional<std::uint32_t> g_hash_seed;  // guarded by g_mutex

void check_status(PyStatus status, PyConfig* config) {
  if (PyStatus_Exception(status)) {
    std::string message = status.err_msg != nullptr ? status.err_msg : "unknown error";
    if (status.func != nullptr) message = std::string(status.func) + ": " + message;
    PyConfig_Clear(config);
    throw std::runtime_error("cannot start the embedded Python: " + message);
  }
}

}  // namespace

void set_hash_seed(std::optional<std::uint32_t> seed) {
  std::lock_guard lock(g_mutex);
  if (g_started) throw std::logic_error("the hash seed must be set before the embedded Python starts");
  g_hash_seed = seed;
}

void ensure_python() {
  std::lock_guard lock(g_mutex);
  if (g_started) return;
  if (Py_IsInitialized()) {  // guest mode: a Python process imported us; its interpreter, its GIL
    g_started = true;
    g_guest = true;
    return;
  }
  PyConfig config;
  PyConfig_InitIsolatedConfig(&config);
  config.install_signal_handlers = 0;
  // A handler that crashes the process (a segfault in an extension, os.abort()) leaves the Python
  // traceback of every thread on stderr, where `phases` shows it in the crashed row.
  config.faulthandler = 1;
  if (g_hash_seed) {  // the isolated config ignores PYTHONHASHSEED: the same setting, explicitly
    config.use_hash_seed = 1;
    config.hash_seed = *g_hash_seed;
  }
  // The stdlib is found relative to program_name: point it at the interpreter we were built
  // against, since our own binary sits in no Python prefix.
  check_status(PyConfig_SetBytesString(&config, &config.program_name, FASTERBENCH_PYTHON_EXECUTABLE), &config);
  check_status(Py_InitializeFromConfig(&config), &config);
  PyConfig_Clear(&config);
  g_main_thread_state = PyEval_SaveThread();
  g_started = true;
}

void add_to_sys_path(const std::vector<std::string>& directories) {
  ensure_python();
  GilScope gil;
  prepend_to_sys_path(directories);
}

void prepend_to_sys_path(const std::vector<std::string>& directories) {
  PyObject* sys_path = PySys_GetObject("path");  // borrowed
  for (auto it = directories.rbegin(); it != directories.rend(); ++it) {
    PyObject* entry = PyUnicode_DecodeFSDefault(it->c_str());
    if (entry == nullptr) {
      PyErr_Clear();
      continue;
    }
    if (PySequence_Contains(sys_path, entry) == 0) PyList_Insert(sys_path, 0, entry);
    Py_DECREF(entry);
  }
  PyErr_Clear();
}

bool python_is_guest() {
  std::lock_guard lock(g_mutex);
  return g_guest;
}

PythonInfo python_info() {
  PythonInfo info;
  info.version = PY_VERSION;
  info.executable = FASTERBENCH_PYTHON_EXECUTABLE;
  info.subinterpreters_supported = PY_VERSION_HEX >= 0x030C0000;
  if (python_is_guest()) {
    info.mode = "guest";
    GilScope gil;
    PyObject* executable = PySys_GetObject("executable");  // borrowed
    if (executable != nullptr && PyUnicode_Check(executable)) {
      if (const char* text = PyUnicode_AsUTF8(executable)) info.executable = text;
    }
    PyErr_Clear();
  }
  return info;
}

void finalize_python() {
  std::lock_guard lock(g_mutex);
  if (!g_started || g_guest) return;
  PyEval_RestoreThread(g_main_thread_state);
  Py_FinalizeEx();
  g_main_thread_state = nullptr;
  g_started = false;
}

}  // namespace fb::python
