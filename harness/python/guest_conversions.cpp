#include "harness/python/guest_conversions.h"

#include <pybind11/stl.h>

#include <algorithm>
#include <set>
#include <string>
#include <type_traits>
#include <variant>

#include "harness/cli/command_line.h"
#include "harness/commands/run.h"

namespace fb::python {
namespace py = pybind11;
namespace {

template <typename T>
T item(const py::dict& d, const char* key, const std::string& where) {
  if (!d.contains(key)) throw ConfigError(where + ": missing '" + key + "'");
  try {
    return d[key].cast<T>();
  } catch (const py::cast_error&) {
    throw ConfigError(where + ": '" + key + "' has the wrong type (" +
                      std::string(py::str(py::type::of(d[key]).attr("__name__"))) + ")");
  }
}

// The options of `run` that a measurement from Python takes, spelled with underscores. Not:
// --scenario (the app is the scenario), --measure instructions and the hygiene options (they
// re-execute the process, which is the user's), --replay (a file of recorded requests: use the
// CLI), --probes ebpf (the eBPF backend attaches to the process as a whole) and --target.
const std::set<std::string> kBenchOptions = {
    "requests", "warmup", "clients", "workers", "repetitions", "seed", "rate", "duration", "arrival",
    "phase", "opt", "wait", "future_spin_ns", "demote_budget_us", "demote_after", "subinterp_fallback",
    "inject_delay", "inject_work", "pin", "cpus", "stamps", "max_error_rate", "out"};

std::string bench_option_list() {
  std::string out;
  for (const std::string& name : kBenchOptions) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// `value` into the field `option` writes, checked as the CLI checks it (choices, range).
void set_option(harness::Option& option, const std::string& name, const py::handle& value) {
  const std::string shown = name + "=" + std::string(py::repr(value));
  auto check_range = [&](double v) {
    if (option.range && (v < option.range->first || v > option.range->second)) {
      throw ConfigError(shown + ": must be in [" + std::to_string(option.range->first) + ", " +
                        std::to_string(option.range->second) + "]");
    }
  };
  try {
    std::visit(
        [&](auto* target) {
          using T = std::remove_pointer_t<decltype(target)>;
          if constexpr (std::is_same_v<T, std::string>) {
            if (py::isinstance<py::bool_>(value)) throw py::cast_error();
            *target = py::isinstance<py::str>(value) ? value.cast<std::string>() : std::string(py::str(value));
          } else if constexpr (std::is_same_v<T, bool>) {
            *target = value.cast<bool>();
          } else if constexpr (std::is_same_v<T, double>) {
            *target = value.cast<double>();
            check_range(*target);
          } else {  // the integers
            if (!py::isinstance<py::int_>(value) || py::isinstance<py::bool_>(value)) throw py::cast_error();
            if constexpr (std::is_same_v<T, std::optional<std::int64_t>>) {
              *target = value.cast<std::int64_t>();
              check_range(static_cast<double>(**target));
            } else {
              *target = value.cast<T>();
              check_range(static_cast<double>(*target));
            }
          }
        },
        option.target);
  } catch (const py::cast_error&) {
    throw ConfigError(shown + ": wrong type");
  }
  if (!option.choices.empty()) {
    const std::string text = option.value_text();
    if (std::find(option.choices.begin(), option.choices.end(), text) == option.choices.end()) {
      std::string accepted;
      for (const std::string& c : option.choices) accepted += (accepted.empty() ? "" : ", ") + c;
      throw ConfigError(shown + ": must be one of " + accepted);
    }
  }
}

}  // namespace

GuestApp guest_app_from_python(const py::dict& spec) {
  GuestApp app;
  app.name = item<std::string>(spec, "name", "app");
  app.file = item<std::string>(spec, "file", "app");
  app.python_path = item<std::vector<std::string>>(spec, "python_path", "app");
  for (const py::handle& entry : item<py::list>(spec, "routes", "app")) {
    const py::dict r = py::reinterpret_borrow<py::dict>(entry);
    GuestRoute route;
    route.method = item<std::string>(r, "method", "route");
    route.path = item<std::string>(r, "path", "route");
    const std::string where = "route " + route.method + " " + route.path;
    route.handler = item<std::string>(r, "handler", where);
    route.description = item<std::string>(r, "description", where);
    route.kind = item<std::string>(r, "kind", where);
    route.request = item<std::string>(r, "request", where);
    route.body = item<std::string>(r, "body", where);  // bytes cast to std::string as they are
    route.headers = item<std::vector<std::pair<std::string, std::string>>>(r, "headers", where);
    route.weight = item<double>(r, "weight", where);
    route.line = item<int>(r, "line", where);
    app.routes.push_back(std::move(route));
  }
  return app;
}

harness::RunOptions run_options_from_python(const py::dict& options) {
  harness::RunOptions o;
  harness::Command root;
  harness::describe_run_command(root, o);  // run's options, with run's defaults, writing into `o`
  harness::Command& run = root.subcommands.front();
  for (const auto& [key, value] : options) {
    const std::string name = py::str(key);
    if (value.is_none()) continue;
    if (!kBenchOptions.contains(name)) {
      throw ConfigError("bench() does not take '" + name + "' (it takes: " + bench_option_list() + ")");
    }
    std::string flag = "--" + name;
    std::replace(flag.begin(), flag.end(), '_', '-');
    auto option = std::find_if(run.options.begin(), run.options.end(), [&](const harness::Option& op) { return op.name == flag; });
    if (option == run.options.end()) throw ConfigError("bench(): run has no option " + flag);  // kBenchOptions is wrong
    set_option(*option, name, value);
  }
  o.no_progress = true;
  return o;
}

}  // namespace fb::python
