#include "framework/classify.h"

#include <Python.h>

#include "framework/classify_py.h"  // kClassifySource, generated from classify.py
#include "framework/python/gil.h"
#include "framework/python/result_conversion.h"
#include "framework/python/support_module.h"

namespace fb {

std::string_view kind_name(HandlerKind kind) {
  switch (kind) {
    case HandlerKind::sync_fast: return "SYNC_FAST";
    case HandlerKind::sync_blocking: return "SYNC_BLOCKING";
    case HandlerKind::async: return "ASYNC";
  }
  return "?";
}

std::optional<HandlerKind> kind_from_override(std::string_view name) {
  if (name == "fast") return HandlerKind::sync_fast;
  if (name == "blocking") return HandlerKind::sync_blocking;
  if (name == "async") return HandlerKind::async;
  return std::nullopt;
}

std::string_view override_name(HandlerKind kind) {
  switch (kind) {
    case HandlerKind::sync_fast: return "fast";
    case HandlerKind::sync_blocking: return "blocking";
    case HandlerKind::async: return "async";
  }
  return "?";
}

namespace {

using python::PyRef;

// classify.py's function `name` in the current interpreter (new reference), or nullptr with an
// exception set.
PyObject* helper(const char* name) {
  PyObject* module = python::support_module("_fasterbench_classify", kClassifySource, "<fasterbench classify.py>");
  if (module == nullptr) return nullptr;
  return PyObject_GetAttrString(module, name);
}

std::string utf8_of(PyObject* s) {
  const char* text = s != nullptr && PyUnicode_Check(s) ? PyUnicode_AsUTF8(s) : nullptr;
  if (text == nullptr) {
    PyErr_Clear();
    return "";
  }
  return text;
}

}  // namespace

Classification classify_handler(PyObject* handler) {
  PyRef fn(helper("classify_safely"));
  PyRef result(fn ? PyObject_CallOneArg(fn.get(), handler) : nullptr);
  if (!result || !PyTuple_Check(result.get()) || PyTuple_GET_SIZE(result.get()) != 2) {
    const std::string why = result ? "classify() did not return (kind, reason)" : python::take_exception_text();
    return {HandlerKind::sync_blocking, "could not inspect (" + why + "): treated as blocking"};
  }
  const std::string kind = utf8_of(PyTuple_GET_ITEM(result.get(), 0));
  Classification c;
  c.reason = utf8_of(PyTuple_GET_ITEM(result.get(), 1));
  if (kind == "SYNC_FAST") c.kind = HandlerKind::sync_fast;
  else if (kind == "ASYNC") c.kind = HandlerKind::async;
  else c.kind = HandlerKind::sync_blocking;
  return c;
}

std::string handler_problem(PyObject* handler) {
  PyRef fn(helper("handler_problem"));
  PyRef result(fn ? PyObject_CallOneArg(fn.get(), handler) : nullptr);
  if (!result) {
    python::take_exception_text();  // an inspection failure is not the handler's problem
    return "";
  }
  return result.get() == Py_None ? "" : utf8_of(result.get());
}

}  // namespace fb
