// Each OS thread's way into Python, in one thread-local registry: the thread's state in the
// main interpreter, and its PythonCaller (python_caller.h) per PythonRuntime. Executor workers
// and the direct path's calling threads alike get theirs from PythonRuntime::caller()
// (runtime.h), which is built on the functions below. The lifetime rules live here, once.
//
// LIFETIME RULES
//   1. A thread's caller for a runtime is made on that thread, on first use, and ends on that
//      thread: when it asks (PythonRuntime::end_caller(): an executor worker before it exits;
//      the thread that destroys the runtime, from ~PythonRuntime), otherwise when the thread
//      exits. No thread ever ends another thread's caller: a sub-interpreter must end on the
//      thread that created it, and a thread state must be deleted by its own thread (rule 2).
//      In guest mode (embedded_python.h) a thread the host's Python made already has a state in
//      the main interpreter: that one is used, and deleted by its owner (CPython, at the thread's
//      end), never here.
//   2. The thread's state in the main interpreter belongs to the thread, not to a runtime: every
//      caller of the thread borrows it (the shared-GIL layout, and the main-interpreter fallback
//      lane of an own-GIL caller), and only the thread's exit deletes it. So a client thread that
//      outlives an App and calls the next one pays nothing, and ~App never deletes another
//      thread's state. Why never from another thread: since 3.12 PyThreadState_New binds the state
//      as its thread's PyGILState state, and deleting it from another thread clears the
//      *deleting* thread's PyGILState slot while leaving a dangling pointer in the owner's
//      (CPython's unbind_gilstate_tstate assumes the current thread owns the state).
//   3. At thread exit the callers end first (own sub-interpreters end), then the main state is
//      deleted; nothing is touched once Python is finalized (finalization freed every thread
//      state and interpreter already). finalize_python() must not run while threads that ran
//      Python are still exiting.
//   4. A caller whose runtime is gone (a client thread that outlived its App) stays until the
//      thread exits: under the shared GIL a few dozen bytes that hold no Python state of their
//      own; under own-GIL sub-interpreters the thread's whole interpreter (its memory:
//      subinterpreter.h). Such a caller only ever ran call_direct(), so it started no loop and
//      touches none of the dead runtime's bindings when it ends.
//
// SHARP EDGES: a runtime must not be destroyed while another thread is inside a call through
// one of its callers (the App's rule: no handle() in flight at destruction). A thread that
// already holds a GIL cannot call through a caller (attaching would deadlock): App::handle is
// never called from Python.
#pragma once

#include <Python.h>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace fb::python {

class PythonCaller;

// The calling thread's state in the main interpreter, created on first use (needs no GIL), not
// attached. Throws std::runtime_error if CPython cannot create it.
PyThreadState* this_thread_main_state();

// The calling thread's caller for the runtime with serial `runtime`, or nullptr. The hot path
// of the direct path: one thread-local compare when the thread calls the same runtime again.
PythonCaller* find_this_thread_caller(std::uint64_t runtime) noexcept;

// Keeps `caller` (made on this thread) as this thread's caller for `runtime`, which has none.
PythonCaller& keep_this_thread_caller(std::uint64_t runtime, std::unique_ptr<PythonCaller> caller);

// Ends this thread's caller for `runtime` now (its loops stop, its own interpreter ends), if it
// has one. No thread state may be attached.
void end_this_thread_caller(std::uint64_t runtime) noexcept;

// Python thread states the calling thread holds through this registry: its main-interpreter
// state (0 or 1) plus one per own sub-interpreter of its callers. For tests.
std::size_t this_thread_state_count();

}  // namespace fb::python
