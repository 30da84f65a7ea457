// Optimization #5, fast-marshal: the JSON encoder and the simdjson decoder against json.dumps /
// json.loads on a generated corpus (tests/fixtures/python/fb_json_corpus.py), and the lazy
// request object end to end in the pipeline, with and without own-GIL sub-interpreters.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "framework/app.h"
#include "framework/python/embedded_python.h"
#include "framework/python/gil.h"
#include "framework/python/json_decoder.h"
#include "framework/python/json_encoder.h"
#include "probes/clock.h"
#include "python_test_env.h"

namespace {

using fb::App;
using fb::AppConfig;
using fb::OptimizationSet;
using fb::Request;
using fb::StageTrace;
using fb::python::PyRef;

#define SKIP_UNLESS_FAST_MARSHAL()                                                                   \
  do {                                                                                               \
    const std::string reason = fb::unavailable_reason(fb::Optimization::fast_marshal);              \
    if (!reason.empty()) GTEST_SKIP() << "--opt fast-marshal unavailable here: " << reason;         \
  } while (0)

std::string str(PyObject* s) {
  Py_ssize_t n = 0;
  const char* p = PyUnicode_AsUTF8AndSize(s, &n);
  if (p == nullptr) {
    PyErr_Clear();
    return "<not UTF-8>";
  }
  return std::string(p, static_cast<std::size_t>(n));
}

// The raised exception as (type's __name__, str(exception)); clears it.
std::pair<std::string, std::string> take_exception() {
  PyRef exc(PyErr_GetRaisedException());
  if (!exc) return {"<none>", ""};
  PyRef name(PyType_GetName(Py_TYPE(exc.get())));
  PyRef message(PyObject_Str(exc.get()));
  return {name ? str(name.get()) : "?", message ? str(message.get()) : "?"};
}

// The corpus module, imported in the main interpreter (GIL held by the caller). New reference.
PyObject* corpus() {
  fb::python::add_to_sys_path(fb::test::fixture_python_path());
  PyObject* module = PyImport_ImportModule("fb_json_corpus");
  if (module == nullptr) PyErr_Print();
  return module;
}

// module.name(arg); not PyObject_CallMethod(..., "O", arg), which unpacks a tuple argument.
PyObject* call_one(PyObject* module, const char* name, PyObject* arg) {
  PyRef function(PyObject_GetAttrString(module, name));
  return function ? PyObject_CallOneArg(function.get(), arg) : nullptr;
}

std::string describe_value(PyObject* v) {
  PyRef r(PyObject_Repr(v));
  std::string text = r ? str(r.get()) : "<repr failed>";
  if (!r) PyErr_Clear();
  return text.size() > 300 ? text.substr(0, 300) + "..." : text;
}

TEST(FastMarshalCorpus, EncoderIsByteIdenticalToJsonDumps) {
  fb::python::ensure_python();
  fb::python::GilScope gil;
  PyRef module(corpus());
  ASSERT_TRUE(module);
  PyObject* c = module.get();
  PyRef values(PyObject_CallMethod(c, "values", nullptr));
  ASSERT_TRUE(values);
  std::size_t accepted = 0, refused = 0;
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(values.get()); ++i) {
    PyObject* v = PyList_GET_ITEM(values.get(), i);
    PyRef expected(call_one(c, "dumps_expected", v));
    ASSERT_TRUE(expected);
    std::string out;
    const bool ok = fb::python::encode_json_like_dumps(v, out);
    const std::string kind = str(PyTuple_GET_ITEM(expected.get(), 0));
    if (kind == "ok") {
      ++accepted;
      PyObject* bytes = PyTuple_GET_ITEM(expected.get(), 1);
      const std::string want(PyBytes_AS_STRING(bytes), static_cast<std::size_t>(PyBytes_GET_SIZE(bytes)));
      if (!ok) ADD_FAILURE() << "refused " << describe_value(v) << ": " << take_exception().second;
      else EXPECT_EQ(out, want) << describe_value(v);
      continue;
    }
    ++refused;
    ASSERT_FALSE(ok) << "accepted what json.dumps refuses: " << describe_value(v);
    const auto [type, message] = take_exception();
    const std::string want_type = str(PyTuple_GET_ITEM(expected.get(), 1));
    const std::string want_message = str(PyTuple_GET_ITEM(expected.get(), 2));
    EXPECT_EQ(type, want_type) << describe_value(v);
    if (type == "UnicodeEncodeError") {
      // The position differs (json.dumps counts in the whole document, we in the str).
      EXPECT_NE(message.find("surrogates not allowed"), std::string::npos) << message;
    } else {
      EXPECT_EQ(message, want_message) << describe_value(v);
    }
  }
  EXPECT_GT(accepted, 2500u);
  EXPECT_GT(refused, 10u);
  EXPECT_FALSE(PyErr_Occurred());
}

TEST(FastMarshalCorpus, SimdjsonParsesLikeJsonLoads) {
  fb::python::ensure_python();
  fb::python::GilScope gil;
  PyRef module(corpus());
  ASSERT_TRUE(module);
  PyObject* c = module.get();
  PyRef bodies(PyObject_CallMethod(c, "bodies", nullptr));
  ASSERT_TRUE(bodies);
  const fb::python::JsonParseCounts before = fb::python::json_parse_counts();
  std::size_t parsed = 0, errors = 0;
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(bodies.get()); ++i) {
    PyObject* body = PyList_GET_ITEM(bodies.get(), i);
    const std::string_view view(PyBytes_AS_STRING(body), static_cast<std::size_t>(PyBytes_GET_SIZE(body)));
    PyRef expected(call_one(c, "loads_expected", body));
    ASSERT_TRUE(expected);
    const bool want_ok = str(PyTuple_GET_ITEM(expected.get(), 0)) == "ok";
    // Both ways in: from the view alone, and with the bytes object for the fallback.
    for (PyObject* body_object : {static_cast<PyObject*>(nullptr), body}) {
      PyRef got(fb::python::parse_json_body(view, body_object));
      const std::string shown = describe_value(body);
      if (want_ok) {
        ++parsed;
        if (!got) {
          ADD_FAILURE() << "failed on " << shown << ": " << take_exception().second;
          continue;
        }
        PyRef same(PyObject_CallMethod(c, "same", "OO", got.get(), PyTuple_GET_ITEM(expected.get(), 1)));
        ASSERT_TRUE(same);
        EXPECT_EQ(same.get(), Py_True) << shown << " -> " << describe_value(got.get());
      } else {
        ++errors;
        ASSERT_FALSE(got) << "parsed what json.loads refuses: " << shown;
        const auto [type, message] = take_exception();
        EXPECT_EQ(type, str(PyTuple_GET_ITEM(expected.get(), 1))) << shown;
        EXPECT_EQ(message, str(PyTuple_GET_ITEM(expected.get(), 2))) << shown;
      }
    }
  }
  EXPECT_GT(parsed, 5000u);
  EXPECT_GT(errors, 40u);
  const fb::python::JsonParseCounts after = fb::python::json_parse_counts();
  if (fb::unavailable_reason(fb::Optimization::fast_marshal).empty()) {
    // The corpus's valid RFC 8259 bodies go through simdjson; the rest through json.loads.
    EXPECT_GT(after.simdjson - before.simdjson, 5000u);
  }
  EXPECT_GT(after.json_loads - before.json_loads, 2u * 40u);
}

// ---- the lazy request in the pipeline ----------------------------------------------------

struct Config {
  const char* name;
  bool fast_marshal, direct, subinterp;
};

class FastMarshalPipeline : public ::testing::TestWithParam<Config> {
 protected:
  void SetUp() override {
    SKIP_UNLESS_FAST_MARSHAL();
    if (GetParam().subinterp && !fb::unavailable_reason(fb::Optimization::subinterp).empty()) {
      GTEST_SKIP() << "sub-interpreters unavailable: " << fb::unavailable_reason(fb::Optimization::subinterp);
    }
    fb::probes::calibrate_clock();
  }

  static AppConfig config(bool fast_marshal) {
    AppConfig c;
    c.python_path = fb::test::fixture_python_path();
    c.workers = 1;  // one interpreter per App on the executor path: AKeptRequest reads what it kept
    c.optimizations.fast_marshal = fast_marshal;
    c.optimizations.direct = GetParam().direct;
    c.optimizations.subinterp = GetParam().subinterp;
    c.routes = {{"POST", "/describe/{a}/{b}", "fb_marshal_handlers:describe"},
                {"GET", "/method", "fb_marshal_handlers:method_only"},
                {"POST", "/keep/{id}", "fb_marshal_handlers:keep"},
                {"GET", "/kept", "fb_marshal_handlers:describe_kept"},
                {"POST", "/echo", "fb_marshal_handlers:echo_json"},
                {"POST", "/json-error", "fb_marshal_handlers:json_error"},
                {"GET", "/refused", "fb_marshal_handlers:refused"},
                {"GET", "/non-finite", "fb_marshal_handlers:non_finite"},
                {"GET", "/keys", "fb_marshal_handlers:keys"},
                {"GET", "/unicode", "fb_marshal_handlers:unicode"}};
    return c;
  }

  static fb::Response call(App& app, std::string_view method, std::string_view path, std::string_view query = "",
                           std::string_view body = "", std::vector<fb::Header> headers = {}) {
    Request r;
    r.method = method;
    r.path = path;
    r.query = query;
    r.body = body;
    r.headers = std::move(headers);
    StageTrace t;
    return app.handle(r, t);
  }
};

TEST_P(FastMarshalPipeline, LazyRequestShowsWhatTheEagerOneShows) {
  App eager(config(false));
  App lazy(config(true));
  for (App* app : {&eager, &lazy}) (void)call(*app, "GET", "/method");  // warm up both
  const std::vector<fb::Header> headers = {{"Content-Type", "text/plain"}, {"X-Trace", "abc"}};
  const auto a = call(eager, "POST", "/describe/x/42", "q=1&flag&q=2", "payload", headers);
  const auto b = call(lazy, "POST", "/describe/x/42", "q=1&flag&q=2", "payload", headers);
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(b.body, a.body);
  EXPECT_NE(b.body.find(R"("path_params":{"a":"x","b":"42"})"), std::string::npos) << b.body;
  EXPECT_NE(b.body.find(R"("headers":{"content-type":"text/plain","x-trace":"abc"})"), std::string::npos) << b.body;
  // A method outside the interned set works too.
  EXPECT_EQ(call(lazy, "GET", "/method").body, "GET");
}

TEST_P(FastMarshalPipeline, AKeptRequestOutlivesItsViews) {
  App app(config(true));
  for (int i = 0; i < 3; ++i) {
    // The request's bytes live here and are overwritten after each response: a kept request
    // that still pointed at them would read garbage.
    std::string path = "/keep/" + std::to_string(i), query = "n=" + std::to_string(i);
    std::string body = "{\"i\":" + std::to_string(i) + "}";
    std::string header = "value-" + std::to_string(i);
    EXPECT_EQ(call(app, "POST", path, query, body, {{"X-Kept", header}}).body, "kept");
    std::fill(path.begin(), path.end(), '#');
    std::fill(query.begin(), query.end(), '#');
    std::fill(body.begin(), body.end(), '#');
    std::fill(header.begin(), header.end(), '#');
  }
  const auto kept = call(app, "GET", "/kept");
  ASSERT_EQ(kept.status, 200) << kept.body;
  // Under direct + subinterp each client thread has its own interpreter; all calls here come
  // from this thread, so one interpreter saw all three.
  for (int i = 0; i < 3; ++i) {
    const std::string n = std::to_string(i);
    const std::string want = R"({"method":"POST","path":"/keep/)" + n + R"(","path_params":{"id":")" + n +
                             R"("},"query":{"n":")" + n + R"("},"headers":{"x-kept":"value-)" + n + R"("},"body":"{\"i\":)" +
                             n + R"(}","json":{"i":)" + n + "}}";
    EXPECT_NE(kept.body.find(want), std::string::npos) << kept.body;
  }
}

TEST_P(FastMarshalPipeline, JsonBodiesAndTheirErrors) {
  App app(config(true));
  EXPECT_EQ(call(app, "POST", "/echo", "", R"({"a": [1, 2.5, "é", null, true], "b": {}})").body,
            R"({"parsed":{"a":[1,2.5,"é",null,true],"b":{}}})");
  const auto bad = call(app, "POST", "/json-error", "", R"({"a": })");
  EXPECT_EQ(bad.body,
            R"j({"type":"JSONDecodeError","module":"json.decoder","message":"Expecting value: line 1 column 7 (char 6)"})j");
  // Beyond RFC 8259, as json.loads: NaN and big integers.
  EXPECT_EQ(call(app, "POST", "/echo", "", "[NaN, 123456789012345678901234567890]").body,
            R"({"parsed":[NaN,123456789012345678901234567890]})");
}

TEST_P(FastMarshalPipeline, ResultsAreEncodedAsJsonDumpsEncodesThem) {
  App app(config(true));
  const auto refused = call(app, "GET", "/refused");
  EXPECT_EQ(refused.status, 500);
  EXPECT_EQ(refused.body, "Internal Server Error: TypeError: Object of type set is not JSON serializable");
  EXPECT_EQ(call(app, "GET", "/non-finite").body, R"({"nan":NaN,"inf":Infinity,"-inf":-Infinity})");
  EXPECT_EQ(call(app, "GET", "/keys").body, R"({"1":"int","2.5":"float","false":"bool","null":"none"})");
  const auto text = call(app, "GET", "/unicode");
  EXPECT_EQ(text.body, "h\xc3\xa9llo \xf0\x9f\x98\x80");
  EXPECT_EQ(text.content_type, "text/plain; charset=utf-8");
}

INSTANTIATE_TEST_SUITE_P(Configs, FastMarshalPipeline,
                         ::testing::Values(Config{"executor", true, false, false}, Config{"direct", true, true, false},
                                           Config{"subinterp", true, false, true}, Config{"direct_subinterp", true, true, true}),
                         [](const auto& test) { return std::string(test.param.name); });

}  // namespace
