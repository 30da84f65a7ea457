#include "framework/python/result_conversion.h"

#include <gtest/gtest.h>

#include "framework/python/embedded_python.h"
#include "framework/python/gil.h"

using fb::python::PyRef;

namespace {

// Evaluates a Python expression and converts it as a handler result.
fb::Response convert(const char* expression) {
  fb::python::ensure_python();
  fb::python::GilScope gil;
  PyRef globals(PyDict_New());
  PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins());
  PyRef value(PyRun_String(expression, Py_eval_input, globals.get(), globals.get()));
  EXPECT_TRUE(value) << expression;
  if (!value) {
    PyErr_Print();
    return {};
  }
  return fb::python::convert_result(value.get());
}

}  // namespace

TEST(ResultConversion, Bytes) {
  const auto r = convert("b'abc\\x00d'");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, std::string("abc\0d", 5));
  EXPECT_EQ(r.content_type, "application/octet-stream");
}

TEST(ResultConversion, StrIsUtf8) {
  const auto r = convert("'héllo'");
  EXPECT_EQ(r.body, "h\xc3\xa9llo");
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
}

TEST(ResultConversion, DictToJson) {
  const auto r = convert("{'a': 1, 'b': [True, False, None], 'c': 'x\"y\\n', 'd': 1.5, 'e': {}, 'big': 2**70}");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"a":1,"b":[true,false,null],"c":"x\"y\n","d":1.5,"e":{},"big":1180591620717411303424})");
}

TEST(ResultConversion, ListAndTupleToJson) {
  EXPECT_EQ(convert("[1, (2, 3), 'é']").body, "[1,[2,3],\"\xc3\xa9\"]");
  EXPECT_EQ(convert("[1.0, -0.5, 1e300]").body, "[1.0,-0.5,1e+300]");
}

TEST(ResultConversion, StatusTuple) {
  const auto r = convert("(201, {'id': 7})");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, R"({"id":7})");
  EXPECT_EQ(convert("(404, b'missing')").status, 404);
}

TEST(ResultConversion, NoneIs204) {
  const auto r = convert("None");
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
}

TEST(ResultConversion, UnsupportedValuesAre500s) {
  auto r = convert("3.5");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("TypeError"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("float"), std::string::npos) << r.body;

  r = convert("{1: 'x'}");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("keys must be str"), std::string::npos) << r.body;

  r = convert("[float('nan')]");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("NaN"), std::string::npos) << r.body;

  r = convert("(1, 2, 3)");
  EXPECT_EQ(r.status, 500);
  r = convert("(99, 'x')");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("status 99"), std::string::npos) << r.body;

  r = convert("[object()]");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("not JSON serializable"), std::string::npos);
}

TEST(ResultConversion, DeepNestingIsRejectedNotCrashing) {
  const auto r = convert("eval('[' * 100 + ']' * 100)");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("deeper than 64"), std::string::npos) << r.body;
}

TEST(ResultConversion, NoPythonErrorLeftBehind) {
  convert("{1: 2}");
  fb::python::GilScope gil;
  EXPECT_EQ(PyErr_Occurred(), nullptr);
}
