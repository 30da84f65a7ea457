// The direct path's thread states (#1): each calling (I/O) thread gets its own persistent
// Python thread state per interpreter, created on its first direct call and attached / detached
// around each call, as a worker's PythonThread is.
//
// LIFETIME RULE: a state belongs to its OS thread, not to an App. It is deleted by that thread
// when the thread exits (thread_local destructor), never by another thread, and App
// destruction leaves it alone. Why not per App, deleted by ~App: since 3.12, PyThreadState_New
// binds the state as its thread's PyGILState state, and deleting it from another thread clears
// the *deleting* thread's PyGILState slot while leaving a dangling pointer in the owner's
// (CPython's unbind_gilstate_tstate assumes the current thread owns it). One state per
// (thread, interpreter) is also all the direct path needs: for the shared main interpreter
// every App reuses it, so a client thread that outlives an App and calls the next one pays
// nothing.
//   - The thread-exit deletion is skipped once Python is finalized (finalization has freed
//     every thread state already) or once the interpreter was reported ended.
//   - Whoever ends a sub-interpreter (#3) calls forget_interpreter() first, and must not end it
//     while a thread is inside a direct call into it (the same rule as for the App: no
//     handle() in flight at destruction).
//   - finalize_python() must not run while client threads that made direct calls are still
//     exiting (the same rule as for every Python-running thread).
//
// SHARP EDGES: a thread that already holds the interpreter's GIL cannot make a direct call
// (attaching would deadlock); App::handle is never called from Python.
#pragma once

#include <Python.h>

#include <cstdint>

namespace fb::python {

// The calling thread's state in `interpreter` (whose PyInterpreterState_GetID is `id`),
// created on first use. Not attached. Cheap after the first call: one thread-local compare.
// Needs no GIL; throws std::runtime_error if CPython cannot create a state.
PyThreadState* caller_thread_state(PyInterpreterState* interpreter, std::int64_t id);

// The interpreter `id` is about to end: threads exiting later must not touch their states in it.
void forget_interpreter(std::int64_t id);

// How many direct-path states the calling thread owns (for tests).
std::size_t caller_thread_state_count();

}  // namespace fb::python
