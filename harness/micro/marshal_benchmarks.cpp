// fast-marshal (#5) part by part, each against what it replaces, side by side in one run:
//   BM_RequestObject/{eager,lazy}/{no_access,reads_item}  build (+ read) + release the request
//       argument: the baseline's eager Request vs the recycled lazy one; `reads_item` reads
//       what scenarios/handlers/mixed.py:get_item reads (path_params and query);
//   BM_EncodeJson/{json_dumps,baseline,native}/{small,medium,large}  a dict result to response
//       bytes: json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode(), the same
//       through one JSONEncoder made once (json_encoder), the
//       baseline's C++ encoder (P0..P4, not json.dumps-identical), and fast-marshal's encoder;
//   BM_ParseJson/{json_loads,simdjson}/{small,medium,large}  request.json() on a body;
//   BM_CallHandler/{call_one_arg,vectorcall}  calling a trivial handler.
// small is the /items/{id} result (~60 bytes), medium ~1 KB, large ~100 KB.
//
// Counters per operation: py_allocs (calls of Python's object and memory allocators: malloc,
// calloc and realloc of PYMEM_DOMAIN_OBJ and PYMEM_DOMAIN_MEM, counted by a forwarding hook
// installed for the measured loop only) and cxx_allocs (C++ operator new, probes/alloc_hooks).
#include <Python.h>
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "framework/python/embedded_python.h"
#include "framework/python/gil.h"
#include "framework/python/json_decoder.h"
#include "framework/python/json_encoder.h"
#include "framework/python/lazy_request.h"
#include "framework/python/request_object.h"
#include "framework/python/result_conversion.h"
#include "framework/router.h"
#include "probes/alloc_counter.h"

namespace {

using fb::python::PyRef;

// ---- counting Python's allocators ----------------------------------------------------------

struct CountingAllocator {
  PyMemAllocatorEx original{};
  std::uint64_t calls = 0;  // only touched with the GIL held (the benchmarks run one thread)
};
CountingAllocator g_obj, g_mem;

void* count_malloc(void* ctx, std::size_t n) {
  auto* a = static_cast<CountingAllocator*>(ctx);
  ++a->calls;
  return a->original.malloc(a->original.ctx, n);
}
void* count_calloc(void* ctx, std::size_t n, std::size_t size) {
  auto* a = static_cast<CountingAllocator*>(ctx);
  ++a->calls;
  return a->original.calloc(a->original.ctx, n, size);
}
void* count_realloc(void* ctx, void* p, std::size_t n) {
  auto* a = static_cast<CountingAllocator*>(ctx);
  ++a->calls;
  return a->original.realloc(a->original.ctx, p, n);
}
void forward_free(void* ctx, void* p) {
  auto* a = static_cast<CountingAllocator*>(ctx);
  a->original.free(a->original.ctx, p);
}

// Counts Python and C++ allocations of the scope's thread while it lives (GIL held).
class AllocationCount {
 public:
  AllocationCount() {
    hook(PYMEM_DOMAIN_OBJ, g_obj);
    hook(PYMEM_DOMAIN_MEM, g_mem);
    cxx_before_ = fb::probes::this_thread_alloc_totals();
  }
  // Stops counting and sets the per-operation counters.
  void report(benchmark::State& state) {
    const auto d = cxx_before_.until(fb::probes::this_thread_alloc_totals());
    PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &g_obj.original);
    PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &g_mem.original);
    std::uint64_t cxx = 0;
    for (std::uint64_t n : d.allocations) cxx += n;
    state.counters["py_allocs"] = benchmark::Counter(static_cast<double>(g_obj.calls + g_mem.calls),
                                                     benchmark::Counter::kAvgIterations);
    state.counters["cxx_allocs"] = benchmark::Counter(static_cast<double>(cxx), benchmark::Counter::kAvgIterations);
  }

 private:
  static void hook(PyMemAllocatorDomain domain, CountingAllocator& a) {
    a.calls = 0;
    PyMem_GetAllocator(domain, &a.original);
    PyMemAllocatorEx counting = {&a, count_malloc, count_calloc, count_realloc, forward_free};
    PyMem_SetAllocator(domain, &counting);
  }
  fb::probes::AllocTotals cxx_before_;
};

// ---- inputs ------------------------------------------------------------------------------

PyObject* eval(const char* expression) {
  PyRef globals(PyDict_New());
  PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins());
  PyObject* v = PyRun_String(expression, Py_eval_input, globals.get(), globals.get());
  if (v == nullptr) PyErr_Print();
  return v;
}

// The /items/{id} result, and lists of similar records of about 1 KB and 100 KB.
const char* const kDocuments[] = {
    R"({"id": 42, "name": "item-42", "price": 63.0, "verbose": True})",
    R"([{"id": i, "name": f"item-{i}", "price": i * 1.5, "tags": ["a", "é"], "stock": None} for i in range(12)])",
    R"([{"id": i, "name": f"item-{i}", "price": i * 1.5, "tags": ["a", "é"], "stock": None} for i in range(1100)])"};
const char* const kSizeNames[] = {"small", "medium", "large"};

enum class Encoder { json_dumps, json_encoder, baseline, native };
enum class Parser { json_loads, simdjson };

void BM_EncodeJson(benchmark::State& state, Encoder encoder, int size) {
  fb::python::ensure_python();
  fb::python::GilScope gil;
  PyRef doc(eval(kDocuments[size]));
  PyRef dumps(eval("__import__('functools').partial(__import__('json').dumps, separators=(',', ':'), ensure_ascii=False)"));
  // The json module's fastest use: one JSONEncoder made once (json.dumps with these arguments
  // makes a new one per call).
  PyRef encode(eval("__import__('json').JSONEncoder(separators=(',', ':'), ensure_ascii=False).encode"));
  std::string out;
  std::size_t bytes = 0;
  AllocationCount count;
  for (auto _ : state) {
    switch (encoder) {
      case Encoder::json_dumps:
      case Encoder::json_encoder: {
        // What a framework without a native encoder does: dumps, encode, copy into the response.
        PyRef text(PyObject_CallOneArg(encoder == Encoder::json_dumps ? dumps.get() : encode.get(), doc.get()));
        PyRef utf8(PyUnicode_AsUTF8String(text.get()));
        out.assign(PyBytes_AS_STRING(utf8.get()), static_cast<std::size_t>(PyBytes_GET_SIZE(utf8.get())));
        break;
      }
      case Encoder::baseline: out = fb::python::convert_result(doc.get()).body; break;
      case Encoder::native: out = fb::python::convert_result_fast(doc.get()).body; break;
    }
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  count.report(state);
  state.counters["bytes"] = static_cast<double>(bytes);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}

void BM_ParseJson(benchmark::State& state, Parser parser, int size) {
  fb::python::ensure_python();
  fb::python::GilScope gil;
  PyRef doc(eval(kDocuments[size]));
  std::string body;
  if (!fb::python::encode_json_like_dumps(doc.get(), body)) PyErr_Print();
  PyRef body_object(PyBytes_FromStringAndSize(body.data(), static_cast<Py_ssize_t>(body.size())));
  AllocationCount count;
  for (auto _ : state) {
    PyRef value(parser == Parser::json_loads ? fb::python::json_loads(body_object.get())
                                             : fb::python::parse_json_body(body, nullptr));
    benchmark::DoNotOptimize(value.get());
  }
  count.report(state);
  state.counters["bytes"] = static_cast<double>(body.size());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}

// What scenarios/handlers/mixed.py:get_item reads.
void read_item_attributes(PyObject* request, PyObject* path_params, PyObject* query) {
  PyRef a(PyObject_GetAttr(request, path_params));
  PyRef b(PyObject_GetAttr(request, query));
  benchmark::DoNotOptimize(a.get());
  benchmark::DoNotOptimize(b.get());
}

void BM_RequestObject(benchmark::State& state, bool lazy, bool reads) {
  fb::python::ensure_python();
  fb::python::GilScope gil;
  fb::Request request;
  request.method = "GET";
  request.path = "/items/42";
  request.query = "verbose=1";
  const std::vector<fb::PathParam> params = {{"id", "42"}};
  PyRef eager_type(fb::python::create_request_type());
  fb::python::LazyRequestPool pool;
  if (!pool.init()) PyErr_Print();
  PyRef path_params(PyUnicode_InternFromString("path_params"));
  PyRef query(PyUnicode_InternFromString("query"));
  AllocationCount count;
  for (auto _ : state) {
    if (lazy) {
      PyObject* r = pool.acquire(request, params);
      if (reads) read_item_attributes(r, path_params.get(), query.get());
      pool.release(r);
    } else {
      PyRef r(fb::python::build_request_object(eager_type.get(), request, params));
      if (reads) read_item_attributes(r.get(), path_params.get(), query.get());
    }
  }
  count.report(state);
  pool.clear();
}

void BM_CallHandler(benchmark::State& state, bool vectorcall) {
  fb::python::ensure_python();
  fb::python::GilScope gil;
  PyRef globals(PyDict_New());
  PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins());
  PyRef done(PyRun_String("def handler(request):\n    return b'ok'\n", Py_file_input, globals.get(), globals.get()));
  PyObject* handler = PyDict_GetItemString(globals.get(), "handler");
  const vectorcallfunc entry = PyVectorcall_Function(handler);
  PyObject* args[2] = {nullptr, Py_None};
  AllocationCount count;
  for (auto _ : state) {
    PyObject* r = vectorcall ? entry(handler, args + 1, 1 | PY_VECTORCALL_ARGUMENTS_OFFSET, nullptr)
                             : PyObject_CallOneArg(handler, Py_None);
    benchmark::DoNotOptimize(r);
    Py_DECREF(r);
  }
  count.report(state);
}

void register_all() {
  for (bool lazy : {false, true}) {
    for (bool reads : {false, true}) {
      const std::string name = std::string("BM_RequestObject/") + (lazy ? "lazy" : "eager") + (reads ? "/reads_item" : "/no_access");
      benchmark::RegisterBenchmark(name.c_str(), BM_RequestObject, lazy, reads);
    }
  }
  for (int size = 0; size < 3; ++size) {
    for (auto [encoder, name] : {std::pair{Encoder::json_dumps, "json_dumps"}, {Encoder::json_encoder, "json_encoder"},
                                 {Encoder::baseline, "baseline"},
                                 {Encoder::native, "native"}}) {
      benchmark::RegisterBenchmark((std::string("BM_EncodeJson/") + name + "/" + kSizeNames[size]).c_str(),
                                   BM_EncodeJson, encoder, size);
    }
    for (auto [parser, name] : {std::pair{Parser::json_loads, "json_loads"}, {Parser::simdjson, "simdjson"}}) {
      benchmark::RegisterBenchmark((std::string("BM_ParseJson/") + name + "/" + kSizeNames[size]).c_str(),
                                   BM_ParseJson, parser, size);
    }
  }
  benchmark::RegisterBenchmark("BM_CallHandler/call_one_arg", BM_CallHandler, false);
  benchmark::RegisterBenchmark("BM_CallHandler/vectorcall", BM_CallHandler, true);
}

const bool registered = (register_all(), true);

}  // namespace
