#include "framework/python/result_conversion.h"

#include <cmath>
#include <cstdio>
#include <string_view>

#include "framework/handler_errors.h"
#include "framework/python/json_encoder.h"

namespace fb::python {
namespace {

constexpr int kMaxJsonDepth = 64;

void append_json_string(std::string_view s, std::string& out) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);  // UTF-8 passes through
        }
    }
  }
  out += '"';
}

bool append_str(PyObject* s, std::string& out) {
  Py_ssize_t size = 0;
  const char* utf8 = PyUnicode_AsUTF8AndSize(s, &size);
  if (utf8 == nullptr) return false;
  append_json_string(std::string_view(utf8, static_cast<std::size_t>(size)), out);
  return true;
}

bool encode(PyObject* v, std::string& out, int depth) {
  if (depth > kMaxJsonDepth) {
    PyErr_SetString(PyExc_ValueError, "JSON nesting deeper than 64 levels");
    return false;
  }
  if (v == Py_None) {
    out += "null";
  } else if (v == Py_True) {
    out += "true";
  } else if (v == Py_False) {
    out += "false";
  } else if (PyUnicode_Check(v)) {
    return append_str(v, out);
  } else if (PyLong_Check(v)) {
    PyObject* text = PyObject_Str(v);  // arbitrary precision, as json.dumps
    if (text == nullptr) return false;
    Py_ssize_t size = 0;
    const char* utf8 = PyUnicode_AsUTF8AndSize(text, &size);
    if (utf8 != nullptr) out.append(utf8, static_cast<std::size_t>(size));
    Py_DECREF(text);
    return utf8 != nullptr;
  } else if (PyFloat_Check(v)) {
    const double d = PyFloat_AS_DOUBLE(v);
    if (!std::isfinite(d)) {
      PyErr_SetString(PyExc_ValueError, "NaN or infinity is not valid JSON");
      return false;
    }
    char* repr = PyOS_double_to_string(d, 'r', 0, Py_DTSF_ADD_DOT_0, nullptr);
    if (repr == nullptr) return false;
    out += repr;
    PyMem_Free(repr);
  } else if (PyDict_Check(v)) {
    out += '{';
    Py_ssize_t pos = 0;
    PyObject* key;
    PyObject* value;
    bool first = true;
    while (PyDict_Next(v, &pos, &key, &value)) {
      if (!PyUnicode_Check(key)) {
        PyErr_Format(PyExc_TypeError, "JSON object keys must be str, not %.100s", Py_TYPE(key)->tp_name);
        return false;
      }
      if (!first) out += ',';
      first = false;
      if (!append_str(key, out)) return false;
      out += ':';
      if (!encode(value, out, depth + 1)) return false;
    }
    out += '}';
  } else if (PyList_Check(v) || PyTuple_Check(v)) {
    PyObject* seq = PySequence_Fast(v, "");
    if (seq == nullptr) return false;
    out += '[';
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    bool ok = true;
    for (Py_ssize_t i = 0; i < n && ok; ++i) {
      if (i != 0) out += ',';
      ok = encode(PySequence_Fast_GET_ITEM(seq, i), out, depth + 1);
    }
    Py_DECREF(seq);
    if (!ok) return false;
    out += ']';
  } else {
    PyErr_Format(PyExc_TypeError, "Object of type %.100s is not JSON serializable", Py_TYPE(v)->tp_name);
    return false;
  }
  return true;
}

// fast-marshal's JSON: encoded into a buffer that keeps its capacity between requests (so the
// encoding allocates nothing after warm-up), then copied into the body at its exact size.
bool encode_json_fast(PyObject* body, std::string& out) {
  constexpr std::size_t kKeepCapacity = 1 << 20;  // a one-off huge response does not pin its buffer
  thread_local std::string scratch;
  scratch.clear();
  const bool ok = encode_json_like_dumps(body, scratch);
  if (ok) out.assign(scratch);
  if (scratch.capacity() > kKeepCapacity) std::string().swap(scratch);
  return ok;
}

// Body conversion shared by plain results and (status, body) tuples. False with an exception set.
template <bool kFast>
bool convert_body(PyObject* body, Response& out) {
  if constexpr (kFast) {
    if (PyUnicode_Check(body) && !PyUnicode_IS_ASCII(body)) {  // ASCII takes the copy below
      out.content_type = "text/plain; charset=utf-8";
      out.body.clear();
      return append_utf8(body, out.body);
    }
  }
  if (PyBytes_Check(body)) {
    out.content_type = "application/octet-stream";
    out.body.assign(PyBytes_AS_STRING(body), static_cast<std::size_t>(PyBytes_GET_SIZE(body)));
  } else if (PyByteArray_Check(body)) {
    out.content_type = "application/octet-stream";
    out.body.assign(PyByteArray_AS_STRING(body), static_cast<std::size_t>(PyByteArray_GET_SIZE(body)));
  } else if (PyUnicode_Check(body)) {
    Py_ssize_t size = 0;
    const char* utf8 = PyUnicode_AsUTF8AndSize(body, &size);
    if (utf8 == nullptr) return false;
    out.content_type = "text/plain; charset=utf-8";
    out.body.assign(utf8, static_cast<std::size_t>(size));
  } else if (PyDict_Check(body) || PyList_Check(body)) {
    out.content_type = "application/json";
    out.body.clear();
    if constexpr (kFast) {
      if (!encode_json_fast(body, out.body)) return false;
    } else {
      if (!encode(body, out.body, 0)) return false;
    }
  } else if (body == Py_None) {
    out.body.clear();
  } else {
    PyErr_Format(PyExc_TypeError,
                 "handler returned %.100s; expected bytes, str, dict, list, None or (status, body)",
                 Py_TYPE(body)->tp_name);
    return false;
  }
  return true;
}

}  // namespace

bool encode_json(PyObject* value, std::string& out) { return encode(value, out, 0); }

HandlerError take_exception() {
#if PY_VERSION_HEX >= 0x030C0000
  PyObject* exc = PyErr_GetRaisedException();
#else
  PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
  PyErr_Fetch(&type, &value, &tb);
  PyErr_NormalizeException(&type, &value, &tb);
  Py_XDECREF(type);
  Py_XDECREF(tb);
  PyObject* exc = value;
#endif
  if (exc == nullptr) return {"unknown error", ""};
  HandlerError out{Py_TYPE(exc)->tp_name, ""};
  PyObject* message = PyObject_Str(exc);
  if (message != nullptr) {
    const char* utf8 = PyUnicode_AsUTF8(message);
    if (utf8 != nullptr) out.message = utf8;
    Py_DECREF(message);
  }
  PyErr_Clear();  // str() itself may have raised
  Py_DECREF(exc);
  return out;
}

std::string take_exception_text() {
  const HandlerError e = take_exception();
  return e.message.empty() ? e.type : e.type + ": " + e.message;
}

Response exception_response() {
  HandlerError e = take_exception();
  Response r = plain_response(500, "Internal Server Error: " + (e.message.empty() ? e.type : e.type + ": " + e.message));
  r.error = make_handler_error(e.type, e.message);
  return r;
}

namespace {

// A result the framework refuses (not an exception): a 500 that says why.
Response invalid_result(const std::string& why) {
  Response r = plain_response(500, "Internal Server Error: " + why);
  r.error = make_handler_error("InvalidResult", why);
  return r;
}

}  // namespace

namespace {

template <bool kFast>
Response convert(PyObject* result) {
  Response out;
  PyObject* body = result;
  if (PyTuple_Check(result)) {
    if (PyTuple_GET_SIZE(result) != 2 || !PyLong_Check(PyTuple_GET_ITEM(result, 0))) {
      return invalid_result("handler returned a tuple that is not (status, body)");
    }
    const long status = PyLong_AsLong(PyTuple_GET_ITEM(result, 0));
    if (status < 100 || status > 599) {
      PyErr_Clear();
      return invalid_result("handler returned status " + std::to_string(status));
    }
    out.status = static_cast<int>(status);
    body = PyTuple_GET_ITEM(result, 1);
  }
  if (body == Py_None && out.status == 200) out.status = 204;
  if (!convert_body<kFast>(body, out)) return exception_response();
  return out;
}

}  // namespace

Response convert_result(PyObject* result) { return convert<false>(result); }

Response convert_result_fast(PyObject* result) {
  // The common results first, without the tuple and None checks: exact bytes, exact dict.
  if (PyBytes_CheckExact(result)) {
    return Response{200, "application/octet-stream",
                    std::string(PyBytes_AS_STRING(result), static_cast<std::size_t>(PyBytes_GET_SIZE(result)))};
  }
  return convert<true>(result);
}

}  // namespace fb::python
