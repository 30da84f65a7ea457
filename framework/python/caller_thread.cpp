#include "framework/python/caller_thread.h"

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace fb::python {
namespace {

// Interpreters reported ended (ids are never reused within a process).
std::mutex g_ended_mutex;
std::vector<std::int64_t> g_ended;  // guarded by g_ended_mutex

bool interpreter_ended(std::int64_t id) {
  std::lock_guard lock(g_ended_mutex);
  return std::find(g_ended.begin(), g_ended.end(), id) != g_ended.end();
}

struct Entry {
  std::int64_t interpreter_id;
  PyThreadState* state;
};

// This thread's states; its destructor runs at thread exit.
struct CallerStates {
  std::vector<Entry> entries;
  std::int64_t last_id = -1;        // one-entry cache for the hot path
  PyThreadState* last_state = nullptr;

  ~CallerStates() {
    for (const Entry& e : entries) {
      if (!Py_IsInitialized() || interpreter_ended(e.interpreter_id)) continue;  // already freed
      PyEval_RestoreThread(e.state);
      PyThreadState_Clear(e.state);
      PyThreadState_DeleteCurrent();
    }
  }
};

thread_local CallerStates t_states;

}  // namespace

PyThreadState* caller_thread_state(PyInterpreterState* interpreter, std::int64_t id) {
  CallerStates& s = t_states;
  if (s.last_id == id) return s.last_state;
  auto it = std::find_if(s.entries.begin(), s.entries.end(), [id](const Entry& e) { return e.interpreter_id == id; });
  if (it == s.entries.end()) {
    std::erase_if(s.entries, [](const Entry& e) { return interpreter_ended(e.interpreter_id); });
    PyThreadState* state = PyThreadState_New(interpreter);
    if (state == nullptr) throw std::runtime_error("cannot create a Python thread state for the calling thread");
    s.entries.push_back({id, state});
    it = s.entries.end() - 1;
  }
  s.last_id = id;
  s.last_state = it->state;
  return it->state;
}

void forget_interpreter(std::int64_t id) {
  std::lock_guard lock(g_ended_mutex);
  g_ended.push_back(id);
}

std::size_t caller_thread_state_count() { return t_states.entries.size(); }

}  // namespace fb::python
