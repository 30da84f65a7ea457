// PEP 684 own-GIL sub-interpreters (optimization #3), created and ended on the thread that
// uses them.
//
// Configuration: own GIL, own object allocator (obmalloc), check_multi_interp_extensions = 1,
// threads allowed (asyncio may start helper threads), no fork/exec, no daemon threads. With
// these settings CPython refuses single-phase-init extension modules (readline, and any
// module not declaring Py_MOD_PER_INTERPRETER_GIL_SUPPORTED): importing one raises
// "ImportError: module readline does not support loading in subinterpreters".
//
// SHARP EDGES:
//   - Create with NO thread state attached on the calling thread, and make sure no other
//     thread holds the main GIL for long while interpreters start: in 3.13 a sub-interpreter's
//     first import of a C extension runs through the main interpreter.
//   - End on the creating thread (the destructor does), before finalize_python().
//   - CPython 3.13.0 keeps all obmalloc arenas of an own-obmalloc interpreter that ends with
//     any block still allocated (Objects/obmalloc.c, _PyInterpreterState_FinalizeAllocatedBlocks
//     frees them only when none leaked), and importing the stdlib always leaks some: each
//     create/end cycle retains a few MB of RSS (about 2 MB bare, 6 MB after importing asyncio,
//     measured here). Fine for one App per process; a server that restarts apps should reuse
//     interpreters instead.
//   - Available only when FASTERBENCH_HAVE_SUBINTERP (Python >= 3.12 and the CMake option on).
#pragma once

#include <Python.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "framework/python/interpreter_bindings.h"
#include "framework/python/python_caller.h"

#if FASTERBENCH_HAVE_SUBINTERP

namespace fb::python {

// What starting one interpreter cost.
struct InterpreterStart {
  std::int64_t interpreter_id = 0;
  double startup_ms = 0;        // Py_NewInterpreterFromConfig + sys.path + handler imports
  std::int64_t memory_kb = 0;   // process RSS growth over the same span (callers serialize starts)
};

class Subinterpreter final : public OwnedInterpreter {
 public:
  // Creates an own-GIL interpreter on the calling thread (no thread state may be attached),
  // prepends `python_path` to its sys.path and imports the handlers of the routes not marked in
  // `skip`, the fast-marshal way when `fast_marshal`. Returns with its thread state detached. A handler that fails to import throws
  // HandlerLoadError (the interpreter is ended first), unless `errors` is given: then its
  // handler stays nullptr and (*errors)[route] says why. Throws std::runtime_error when CPython
  // cannot create the interpreter.
  static std::unique_ptr<Subinterpreter> start(const std::vector<std::string>& python_path,
                                               const std::vector<std::string>& handler_specs,
                                               const std::vector<bool>& skip, bool fast_marshal,
                                               InterpreterStart* cost, std::vector<std::string>* errors = nullptr);
  ~Subinterpreter() override;  // attaches, releases the bindings, Py_EndInterpreter

  PyThreadState* thread_state() const noexcept override { return state_; }
  const InterpreterBindings& bindings() const noexcept override { return bindings_; }
  std::int64_t id() const noexcept override;

 private:
  explicit Subinterpreter(PyThreadState* state) : state_(state) {}
  void end_attached() noexcept;  // releases the bindings and ends the interpreter; its state is attached

  PyThreadState* state_;
  InterpreterBindings bindings_;
};

}  // namespace fb::python

#endif  // FASTERBENCH_HAVE_SUBINTERP
