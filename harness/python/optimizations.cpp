#include <pybind11/stl.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "framework/app.h"
#include "framework/options.h"
#include "harness/python/module.h"

namespace fb::python {
namespace {

// "P4" (a cumulative phase) or "direct,lockfree" (switches): the set it names.
OptimizationSet resolve(const std::string& spec) {
  if (auto phase = phase_optimizations(spec)) return *phase;
  if (spec.size() == 2 && (spec[0] == 'P' || spec[0] == 'p')) {
    throw ConfigError("unknown phase '" + spec + "' (accepted: " + phase_names_list() + ")");
  }
  try {
    return parse_optimizations(spec);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(e.what());
  }
}

}  // namespace

void register_optimizations(pybind11::module_& module) {
  module.def(
      "optimizations", [](const std::string& spec) { return resolve(spec).names(); }, pybind11::arg("spec"),
      "The switches a phase (\"P0\"..\"P5\") or a comma-separated list of switches turns on, in the "
      "plan's order, spelled as the CLI and the results spell them. Raises ConfigError for an "
      "unknown phase or switch.");
  module.def(
      "unavailable_reason",
      [](const std::string& spec) { return unavailable_reason(resolve(spec)); }, pybind11::arg("spec"),
      "Why this build or this Python cannot run the given phase or switches (the first reason), "
      "or an empty string when it can.");
}

}  // namespace fb::python
