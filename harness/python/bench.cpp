// fasterbench._core.bench: App.bench's measurement (harness/python/guest_bench.h), with the
// calling thread's GIL released for its whole length, and a signal that stopped it handed back
// to Python as Python would have handled it.
#include <csignal>
#include <string>

#include "harness/python/guest_bench.h"
#include "harness/python/guest_conversions.h"
#include "harness/python/module.h"

namespace fb::python {
namespace py = pybind11;
namespace {

// The signal was taken from Python for the measurement (the clients stopped at their next
// request). Now Python's own handler for it runs, as if the signal had just arrived: for SIGINT
// the default one raises KeyboardInterrupt. Off the main thread, or when Python does not handle
// that signal, KeyboardInterrupt is raised here instead, so the call never returns as if done.
[[noreturn]] void raise_interrupted(int signal) {
  if (PyErr_SetInterruptEx(signal) == 0 && PyErr_CheckSignals() != 0) throw py::error_already_set();
  PyErr_SetString(PyExc_KeyboardInterrupt,
                  ("fasterbench: bench stopped by signal " + std::to_string(signal) + " before it finished").c_str());
  throw py::error_already_set();
}

py::str bench(const py::dict& app_spec, const py::dict& options) {
  const GuestApp app = guest_app_from_python(app_spec);
  const harness::RunOptions run_options = run_options_from_python(options);
  GuestBenchOutcome outcome;
  {
    py::gil_scoped_release no_gil;
    outcome = run_guest_bench(app, run_options);
  }
  if (outcome.signal != 0) raise_interrupted(outcome.signal);
  return py::str(outcome.document);
}

}  // namespace

void register_bench(py::module_& module) {
  module.def("bench", &bench, py::arg("app"), py::arg("options"),
             "Measures App._spec() `app` as `fasterbench run` measures a scenario, with run's options "
             "(spelled with underscores) in `options`; returns the results document as JSON text. Raises "
             "ConfigError for bad options or handlers, KeyboardInterrupt when Ctrl-C stopped it.");
}

}  // namespace fb::python
