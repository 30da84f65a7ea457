// What the Python side of guest mode (fasterbench/app.py) hands to the extension, as C++ values:
// the app it registered, and the keyword arguments of App.handle's set-up and of App.bench.
#pragma once

#include <pybind11/pybind11.h>

#include "harness/commands/run_options.h"
#include "harness/python/guest_bench.h"

namespace fb::python {

// From the dict App._spec() returns: {"name", "file", "python_path": [str], "routes": [{"method",
// "path", "handler", "description", "kind", "request", "body": bytes, "headers": [(str, str)],
// "weight", "line"}]}. Throws ConfigError for a missing key or a value of the wrong type.
GuestApp guest_app_from_python(const pybind11::dict& spec);

// From App.bench's keyword arguments, spelled as `run`'s options without the dashes
// ("requests", "phase", "opt", "pin", "demote_budget_us", ...; None = not given). Throws
// ConfigError naming an argument bench does not take.
harness::RunOptions run_options_from_python(const pybind11::dict& options);

}  // namespace fb::python
