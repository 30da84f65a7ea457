#include "framework/app.h"
#include "harness/python/module.h"

namespace fb::python {

void register_errors(pybind11::module_& module) {
  // A ValueError too, so that code written against plain Python conventions still catches it.
  // pybind11 translates every C++ ConfigError into it, with the same message.
  auto& config_error = pybind11::register_exception<ConfigError>(module, "ConfigError", PyExc_ValueError);
  config_error.doc() =
      "A configuration fasterbench cannot run: an unknown phase, optimization or handler, an "
      "optimization this build or this Python cannot honour. The message names the cause.";
}

}  // namespace fb::python
