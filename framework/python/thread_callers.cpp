#include "framework/python/thread_callers.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "framework/python/embedded_python.h"
#include "framework/python/python_caller.h"

namespace fb::python {
namespace {

// This thread's Python; its destructor runs at thread exit (rules 1-3 of the header).
struct ThreadCallers {
  struct Entry {
    std::uint64_t runtime;
    std::unique_ptr<PythonCaller> caller;
  };
  PyThreadState* main_state = nullptr;
  bool main_state_adopted = false;  // the host's own state (guest mode): its thread deletes it, not us
  std::vector<Entry> entries;
  std::uint64_t last_runtime = 0;  // one-entry cache for the hot path (serials start at 1)
  PythonCaller* last = nullptr;

  ~ThreadCallers() {
    if (!Py_IsInitialized()) {
      for (Entry& e : entries) (void)e.caller.release();  // finalization freed their interpreters
      return;
    }
    entries.clear();  // own sub-interpreters end here, on their thread
    if (main_state != nullptr && !main_state_adopted) {
      PyEval_RestoreThread(main_state);
      PyThreadState_Clear(main_state);
      PyThreadState_DeleteCurrent();
    }
  }
};

thread_local ThreadCallers t_callers;

}  // namespace

PyThreadState* this_thread_main_state() {
  ThreadCallers& t = t_callers;
  if (t.main_state == nullptr && python_is_guest()) {
    // A thread of the host's Python (its main thread, a threading.Thread) calling into the
    // framework has a state in the main interpreter already, detached by the bindings for the
    // call: use it, so a handler on the direct path sees its thread's threading.local and
    // context, and a C extension's PyGILState_Ensure finds the state that is attached.
    PyThreadState* own = PyGILState_GetThisThreadState();
    if (own != nullptr && PyThreadState_GetInterpreter(own) == PyInterpreterState_Main()) {
      t.main_state = own;
      t.main_state_adopted = true;
    }
  }
  if (t.main_state == nullptr) {
    t.main_state = PyThreadState_New(PyInterpreterState_Main());
    if (t.main_state == nullptr) throw std::runtime_error("cannot create a Python thread state for this thread");
  }
  return t.main_state;
}

PythonCaller* find_this_thread_caller(std::uint64_t runtime) noexcept {
  ThreadCallers& t = t_callers;
  if (t.last_runtime == runtime) return t.last;
  auto it = std::find_if(t.entries.begin(), t.entries.end(),
                         [runtime](const ThreadCallers::Entry& e) { return e.runtime == runtime; });
  if (it == t.entries.end()) return nullptr;
  t.last_runtime = runtime;
  t.last = it->caller.get();
  return t.last;
}

PythonCaller& keep_this_thread_caller(std::uint64_t runtime, std::unique_ptr<PythonCaller> caller) {
  ThreadCallers& t = t_callers;
  t.entries.push_back({runtime, std::move(caller)});
  t.last_runtime = runtime;
  t.last = t.entries.back().caller.get();
  return *t.last;
}

void end_this_thread_caller(std::uint64_t runtime) noexcept {
  ThreadCallers& t = t_callers;
  if (t.last_runtime == runtime) {
    t.last_runtime = 0;
    t.last = nullptr;
  }
  auto it = std::find_if(t.entries.begin(), t.entries.end(),
                         [runtime](const ThreadCallers::Entry& e) { return e.runtime == runtime; });
  if (it == t.entries.end()) return;
  std::unique_ptr<PythonCaller> ended = std::move(it->caller);
  t.entries.erase(it);  // the registry is consistent again before the caller's destructor runs
  ended.reset();
}

std::size_t this_thread_state_count() {
  const ThreadCallers& t = t_callers;
  std::size_t n = t.main_state != nullptr ? 1 : 0;
  for (const auto& e : t.entries) n += e.caller->owned_states();
  return n;
}

}  // namespace fb::python
