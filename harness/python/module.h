// The parts of the `fasterbench._core` extension module, each registered by its own file.
#pragma once

#include <pybind11/pybind11.h>

namespace fb::python {

// fasterbench.ConfigError, and the translation of the C++ configuration errors into it.
void register_errors(pybind11::module_& module);
// fasterbench.optimizations() and fasterbench.unavailable_reason(): the switches as named by
// the CLI and the results.
void register_optimizations(pybind11::module_& module);
// fasterbench._core.Pipeline: a guest app's pipeline serving one request at a time (App.handle).
void register_pipeline(pybind11::module_& module);
// fasterbench._core.bench(): a guest app measured as `run` measures a scenario (App.bench).
void register_bench(pybind11::module_& module);

}  // namespace fb::python
