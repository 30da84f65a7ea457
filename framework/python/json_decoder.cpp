#include "framework/python/json_decoder.h"

#include <string>

#include "framework/python/gil.h"

#if FASTERBENCH_HAVE_FAST_MARSHAL
#include <simdjson.h>
#endif

namespace fb::python {
namespace {

thread_local JsonParseCounts t_counts;

#if FASTERBENCH_HAVE_FAST_MARSHAL

namespace dom = simdjson::dom;

// One parser per thread, reused: its tape and string buffers grow to the largest body seen and
// stay, so parsing allocates nothing after warm-up. `padded` is the body copied with the zeroed
// tail simdjson may read past the end (the body is a view into the caller's memory).
struct ThreadParser {
  dom::parser parser;
  std::string padded;
  bool busy = false;  // a finalizer run by the object building below may parse again (re-entry)
  bool ready = false;
};

thread_local ThreadParser t_parser;

PyObject* to_python(dom::element e);

PyObject* array_to_python(dom::array a) {
  // size() is exact below 0xFFFFFF elements (the tape's count field saturates).
  const std::size_t n = a.size();
  if (n < 0xFFFFFF) {
    PyObject* list = PyList_New(static_cast<Py_ssize_t>(n));
    if (list == nullptr) return nullptr;
    Py_ssize_t i = 0;
    for (dom::element item : a) {
      PyObject* v = to_python(item);
      if (v == nullptr) {
        Py_DECREF(list);
        return nullptr;
      }
      PyList_SET_ITEM(list, i++, v);
    }
    return list;
  }
  PyObject* list = PyList_New(0);
  if (list == nullptr) return nullptr;
  for (dom::element item : a) {
    PyObject* v = to_python(item);
    if (v == nullptr || PyList_Append(list, v) != 0) {
      Py_XDECREF(v);
      Py_DECREF(list);
      return nullptr;
    }
    Py_DECREF(v);
  }
  return list;
}

PyObject* object_to_python(dom::object o) {
  PyObject* dict = PyDict_New();
  if (dict == nullptr) return nullptr;
  for (dom::key_value_pair field : o) {
    PyRef key(PyUnicode_DecodeUTF8(field.key.data(), static_cast<Py_ssize_t>(field.key.size()), nullptr));
    PyRef value(key ? to_python(field.value) : nullptr);
    if (!value || PyDict_SetItem(dict, key.get(), value.get()) != 0) {  // a later duplicate wins, as in json.loads
      Py_DECREF(dict);
      return nullptr;
    }
  }
  return dict;
}

PyObject* to_python(dom::element e) {
  switch (e.type()) {
    case dom::element_type::OBJECT: return object_to_python(e.get_object().value_unsafe());
    case dom::element_type::ARRAY: return array_to_python(e.get_array().value_unsafe());
    case dom::element_type::STRING: {
      const std::string_view s = e.get_string().value_unsafe();  // validated UTF-8
      return PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), nullptr);
    }
    case dom::element_type::INT64: return PyLong_FromLongLong(e.get_int64().value_unsafe());
    case dom::element_type::UINT64: return PyLong_FromUnsignedLongLong(e.get_uint64().value_unsafe());
    case dom::element_type::DOUBLE: return PyFloat_FromDouble(e.get_double().value_unsafe());
    case dom::element_type::BOOL: return Py_NewRef(e.get_bool().value_unsafe() ? Py_True : Py_False);
    case dom::element_type::NULL_VALUE: return Py_NewRef(Py_None);
  }
  PyErr_SetString(PyExc_SystemError, "simdjson returned an unknown element type");
  return nullptr;
}

#endif  // FASTERBENCH_HAVE_FAST_MARSHAL

PyObject* fallback(std::string_view body, PyObject* body_object) {
  ++t_counts.json_loads;
  if (body_object != nullptr) return json_loads(body_object);
  PyRef bytes(PyBytes_FromStringAndSize(body.data(), static_cast<Py_ssize_t>(body.size())));
  return bytes ? json_loads(bytes.get()) : nullptr;
}

}  // namespace

JsonParseCounts json_parse_counts() noexcept { return t_counts; }

PyObject* json_loads(PyObject* body_object) {
  // sys.modules lookup after the first import in this interpreter; json is per interpreter.
  PyRef json(PyImport_ImportModule("json"));
  if (!json) return nullptr;
  PyRef loads(PyObject_GetAttrString(json.get(), "loads"));
  if (!loads) return nullptr;
  return PyObject_CallOneArg(loads.get(), body_object);
}

PyObject* parse_json_body(std::string_view body, PyObject* body_object) {
#if !FASTERBENCH_HAVE_FAST_MARSHAL
  return fallback(body, body_object);  // compiled without simdjson (-DFASTERBENCH_OPT_FAST_MARSHAL=OFF)
#else
  ThreadParser& t = t_parser;
  if (t.busy) return fallback(body, body_object);  // re-entered from a finalizer: rare, take the slow way
  if (!t.ready) {
    if (t.parser.allocate(4096, kMaxSimdDepth) != simdjson::SUCCESS) return fallback(body, body_object);
    t.ready = true;
  }
  t.padded.assign(body);
  t.padded.append(simdjson::SIMDJSON_PADDING, '\0');
  dom::element root;
  if (t.parser.parse(t.padded.data(), body.size(), false).get(root) != simdjson::SUCCESS) {
    return fallback(body, body_object);  // json.loads raises, or accepts what RFC 8259 does not
  }
  ++t_counts.simdjson;
  t.busy = true;
  PyObject* out = to_python(root);
  t.busy = false;
  return out;
#endif
}

}  // namespace fb::python
