#include "harness/call_floor.h"

#include <Python.h>
#include <fmt/format.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "framework/python/embedded_python.h"
#include "framework/python/gil.h"
#include "harness/stats/aggregate.h"
#include "harness/units.h"

namespace fb::harness {

double measure_call_floor_ns() {
  constexpr int kBatches = 7;
  constexpr int kCallsPerBatch = 20'000;
  python::ensure_python();
  python::PyRef handler;
  {
    python::GilScope gil;
    python::PyRef globals(PyDict_New());
    PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins());
    handler.reset(PyRun_String("lambda request: b'ok'", Py_eval_input, globals.get(), globals.get()));
    if (!handler) {
      PyErr_Clear();
      throw std::runtime_error("cannot create the trivial handler for the call floor");
    }
  }
  PyThreadState* state = PyThreadState_New(PyInterpreterState_Main());
  std::vector<double> per_call;
  for (int b = 0; b < kBatches; ++b) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kCallsPerBatch; ++i) {
      PyEval_RestoreThread(state);
      PyObject* r = PyObject_CallOneArg(handler.get(), Py_None);
      Py_XDECREF(r);
      PyEval_SaveThread();
    }
    const auto t1 = std::chrono::steady_clock::now();
    per_call.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / kCallsPerBatch);
  }
  PyEval_RestoreThread(state);
  handler.reset();
  PyThreadState_Clear(state);
  PyThreadState_DeleteCurrent();
  return median(per_call);
}

void print_call_floor(const nlohmann::json& results, std::FILE* out) {
  struct Config {
    std::vector<double> totals, floors, ratios;
  };
  std::vector<std::string> order;
  std::map<std::string, Config> configs;
  for (const nlohmann::json& run : results.at("runs")) {
    const double floor = run.value("call_floor_ns", 0.0);
    if (floor <= 0 || !run.value("supported", true)) continue;
    const std::string config = run.at("config").get<std::string>();
    if (!configs.contains(config)) order.push_back(config);
    Config& c = configs[config];
    const double total = run.at("stages").at("total").at("p50_ns").get<double>();
    c.totals.push_back(total);
    c.floors.push_back(floor);
    c.ratios.push_back(total / floor);
  }
  if (order.empty()) return;
  fmt::print(out, "attach + call + detach floor, measured in each run's process after its requests:\n");
  fmt::print(out, "  {:<24} {:>12} {:>10} {:>14}\n", "config", "total p50", "floor", "total / floor");
  for (const std::string& name : order) {
    const Config& c = configs[name];
    fmt::print(out, "  {:<24} {:>12} {:>10} {:>13.2f}x\n", name, format_ns(median(c.totals)), format_ns(median(c.floors)),
               median(c.ratios));
  }
}

}  // namespace fb::harness
