// Where Python handlers run: the seam between the pipeline and the interpreter layout.
//
// A PythonRuntime owns the handlers loaded for an App and makes, for any thread that is about
// to run Python (an executor worker, or a calling thread on the direct path), that thread's
// PythonThread. Two layouts:
//   - SharedGilRuntime (default): every thread gets a thread state in the main interpreter; one
//     GIL serializes all Python in the process.
//   - SubinterpreterRuntime (--opt subinterp, PEP 684): every thread creates, on itself, its own
//     sub-interpreter with its own GIL and imports the handlers again there; Python on different
//     threads runs in parallel. A route whose handler cannot be imported in an own-GIL
//     interpreter either fails App start-up (fallback policy "fail") or runs in the main
//     interpreter on a second thread state of the same thread ("main").
//
// Usage recipe:
//   auto rt = make_python_runtime(opts, fallback, python_path, specs);  // no GIL held, main or any thread
//   // on each Python-running thread, with no thread state attached:
//   auto t = rt->make_thread("worker 0", /*start_loop=*/false);  ... t->call(...) ...  t.reset();   // same thread
//   rt.reset();  // after every PythonThread it made is gone
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "framework/options.h"
#include "framework/python/interpreter_record.h"
#include "framework/python/python_thread.h"

namespace fb::python {

class PythonRuntime {
 public:
  virtual ~PythonRuntime() = default;

  // The PythonThread for the calling thread; use and destroy it on this thread, before the
  // runtime. `start_loop`: start its event loop now (the App has ASYNC routes). Call with no
  // thread state attached. Thread-safe. Throws HandlerLoadError or std::runtime_error.
  virtual std::unique_ptr<PythonThread> make_thread(const std::string& label, bool start_loop) = 0;

  // Every handler, loaded in the main interpreter (classification inspects these; fallback
  // routes run them). Use with the main GIL held.
  virtual const InterpreterBindings& main_bindings() const noexcept = 0;

  // Where route `route` runs: "main", "own (one per Python-running thread)" or
  // "main (fallback: <why the own-GIL import failed>)".
  virtual std::string route_interpreter(std::size_t route) const = 0;

  // The interpreters created so far (none for the shared GIL), in creation order. Thread-safe.
  virtual std::vector<InterpreterRecord> interpreters() const { return {}; }

  // "shared-gil" or "own-gil".
  virtual const char* layout() const noexcept = 0;
};

// Loads every handler in the main interpreter (errors there are plain HandlerLoadErrors) and
// returns the layout `opts` asks for. With subinterp, the first make_thread() decides which
// routes an own-GIL interpreter cannot import: under `fallback` fail, that make_thread() and
// every later one throw a HandlerLoadError naming the route's handler and the import error
// ("module readline does not support loading in subinterpreters"); under main, those routes run
// in the main interpreter. Call with no thread state attached.
std::unique_ptr<PythonRuntime> make_python_runtime(const OptimizationSet& opts, SubinterpFallback fallback,
                                                   const std::vector<std::string>& python_path,
                                                   const std::vector<std::string>& handler_specs);

}  // namespace fb::python
