// The parts of the `fasterbench._core` extension module, each registered by its own file.
#pragma once

#include <pybind11/pybind11.h>

namespace fb::python {

// fasterbench.ConfigError, and the translation of the C++ configuration errors into it.
void register_errors(pybind11::module_& module);
// fasterbench.optimizations() and fasterbench.unavailable_reason(): the switches as named by
// the CLI and the results.
void register_optimizations(pybind11::module_& module);

}  // namespace fb::python
