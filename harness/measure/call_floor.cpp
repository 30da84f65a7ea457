#include "harness/measure/call_floor.h"

#include <Python.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "framework/python/embedded_python.h"
#include "framework/python/gil.h"
#include "harness/stats/aggregate.h"

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

}  // namespace fb::harness
