// The `fasterbench._core` extension module: the C++ framework and harness for a Python process
// (docs/python.md). The package's __init__.py re-exports what is public.
#include "harness/python/module.h"

PYBIND11_MODULE(_core, module) {
  module.doc() = "The C++ core of the fasterbench package (import fasterbench, not this module).";
  module.attr("__version__") = FASTERBENCH_VERSION;
  fb::python::register_errors(module);
  fb::python::register_optimizations(module);
  fb::python::register_pipeline(module);
  fb::python::register_bench(module);
}
