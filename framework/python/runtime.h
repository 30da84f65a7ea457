// Where Python handlers run: the seam between the pipeline and the interpreter layout.
//
// A PythonRuntime owns the handlers loaded for an App and hands every thread that runs Python
// (an executor worker, or a calling thread on the direct path) that thread's PythonCaller
// (python_caller.h), made on the thread at its first call and kept in the thread's registry
// (thread_callers.h, which states who ends what, when). Two layouts:
//   - SharedGilRuntime (default): every thread calls through its thread state in the main
//     interpreter; one GIL serializes all Python in the process.
//   - SubinterpreterRuntime (--opt subinterp, PEP 684): every thread creates, on itself, its own
//     sub-interpreter with its own GIL and imports the handlers again there; Python on different
//     threads runs in parallel. A route whose handler cannot be imported in an own-GIL
//     interpreter either fails App start-up (fallback policy "fail") or runs in the main
//     interpreter on the thread's main-interpreter state ("main").
//
// Usage recipe:
//   auto rt = make_python_runtime(opts, fallback, python_path, specs);  // no GIL held, main or any thread
//   // on each Python-running thread, with no thread state attached:
//   PythonCaller& c = rt->caller("worker 0", /*start_loop=*/false);  ... c.call(...) ...
//   rt->end_caller();  // optional: otherwise when the thread exits
//   rt.reset();        // with no call in flight on any thread; ends this thread's caller
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "framework/options.h"
#include "framework/python/interpreter_bindings.h"
#include "framework/python/interpreter_record.h"
#include "framework/python/python_caller.h"
#include "framework/python/thread_callers.h"

namespace fb::python {

class PythonRuntime {
 public:
  PythonRuntime();
  virtual ~PythonRuntime() = default;  // each layout's destructor calls end_caller() first
  PythonRuntime(const PythonRuntime&) = delete;
  PythonRuntime& operator=(const PythonRuntime&) = delete;

  // The calling thread's caller for this runtime, made on first use: the direct path's way in.
  // Under own GIL its interpreter is labelled "caller N" in interpreters(). Hot path: one
  // thread-local compare. Call with no thread state attached. Thread-safe. Throws
  // HandlerLoadError or std::runtime_error.
  PythonCaller& caller() {
    if (PythonCaller* c = find_this_thread_caller(serial_)) return *c;
    return keep_new_caller({}, /*start_loop=*/false);
  }
  // The same for a thread that names itself (an executor worker at its start): `label` names its
  // interpreter in interpreters(); `start_loop` starts its event loop now (the App has ASYNC
  // routes). Returns the thread's existing caller if it has one already.
  PythonCaller& caller(const std::string& label, bool start_loop);
  // Ends the calling thread's caller for this runtime now, if it has one (its loops stop, its
  // own interpreter ends). Other threads' callers end when they call this or exit. Call with no
  // thread state attached.
  void end_caller() noexcept;

  // Every handler, loaded in the main interpreter (classification inspects these; fallback
  // routes run them). Use with the main GIL held.
  virtual const InterpreterBindings& main_bindings() const noexcept = 0;

  // Where route `route` runs: "main", "own (one per Python-running thread)" or
  // "main (fallback: <why the own-GIL import failed>)".
  virtual std::string route_interpreter(std::size_t route) const = 0;

  // The interpreters created so far (none for the shared GIL), in creation order. Thread-safe.
  virtual std::vector<InterpreterRecord> interpreters() const { return {}; }

  // "shared-gil" or "own-gil" (the results' interpreter_layout).
  virtual std::string_view layout() const noexcept = 0;

 protected:
  // A caller for the calling thread, made on it. `label` is empty for a calling thread of the
  // direct path (the layout names those).
  virtual std::unique_ptr<PythonCaller> make_caller(const std::string& label, bool start_loop) = 0;

 private:
  PythonCaller& keep_new_caller(const std::string& label, bool start_loop);  // cold: first use on a thread

  // Names this runtime in the threads' registries: never reused, unlike its address.
  const std::uint64_t serial_;
};

// Loads every handler in the main interpreter (errors there are plain HandlerLoadErrors) and
// returns the layout `opts` asks for. With subinterp, the first caller made decides which
// routes an own-GIL interpreter cannot import: under `fallback` fail, making that caller and
// every later one throws a HandlerLoadError naming the route's handler and the import error
// ("module readline does not support loading in subinterpreters"); under main, those routes run
// in the main interpreter. Call with no thread state attached.
std::unique_ptr<PythonRuntime> make_python_runtime(const OptimizationSet& opts, SubinterpFallback fallback,
                                                   const std::vector<std::string>& python_path,
                                                   const std::vector<std::string>& handler_specs);

}  // namespace fb::python
