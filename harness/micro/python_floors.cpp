// Python floors: what calling a trivial handler costs with nothing else around it.
#include <Python.h>
#include <benchmark/benchmark.h>

#include "framework/python/embedded_python.h"
#include "framework/python/gil.h"

namespace {

using fb::python::PyRef;

// A trivial handler, `lambda request: b"ok"`, created in the main interpreter.
PyObject* trivial_handler() {
  static PyObject* handler = [] {
    fb::python::ensure_python();
    fb::python::GilScope gil;
    PyRef globals(PyDict_New());
    PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins());
    PyRef result(PyRun_String("lambda request: b'ok'", Py_eval_input, globals.get(), globals.get()));
    return result.release();
  }();
  return handler;
}

// PyObject_Call of a trivial function with the GIL already held: the pure call floor.
void BM_PyCallGilHeld(benchmark::State& state) {
  PyObject* handler = trivial_handler();
  fb::python::GilScope gil;
  for (auto _ : state) {
    PyObject* r = PyObject_CallOneArg(handler, Py_None);
    benchmark::DoNotOptimize(r);
    Py_DECREF(r);
  }
}
BENCHMARK(BM_PyCallGilHeld);

// Attach a persistent thread state, call, detach: the floor of the direct path (#1) per request.
void BM_AttachCallDetach(benchmark::State& state) {
  PyObject* handler = trivial_handler();
  PyThreadState* ts = PyThreadState_New(PyInterpreterState_Main());
  for (auto _ : state) {
    PyEval_RestoreThread(ts);
    PyObject* r = PyObject_CallOneArg(handler, Py_None);
    benchmark::DoNotOptimize(r);
    Py_DECREF(r);
    PyEval_SaveThread();
  }
  PyEval_RestoreThread(ts);
  PyThreadState_Clear(ts);
  PyThreadState_DeleteCurrent();
}
BENCHMARK(BM_AttachCallDetach);

// PyGILState_Ensure/Release around the call: what the plan's GILGuard costs per request.
void BM_GilStateEnsureCallRelease(benchmark::State& state) {
  PyObject* handler = trivial_handler();
  for (auto _ : state) {
    PyGILState_STATE s = PyGILState_Ensure();
    PyObject* r = PyObject_CallOneArg(handler, Py_None);
    benchmark::DoNotOptimize(r);
    Py_DECREF(r);
    PyGILState_Release(s);
  }
}
BENCHMARK(BM_GilStateEnsureCallRelease);

}  // namespace
