#include "framework/python/json_decoder.h"

#include <array>
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

// Object keys repeat (an array of records has the same few keys in every record): like
// json.loads' memo, one str per distinct short key per parse. A direct-mapped cache keyed on
// the key's bytes; the views point into the parser's string buffer, valid for this parse.
class KeyCache {
 public:
  KeyCache() = default;
  KeyCache(const KeyCache&) = delete;
  KeyCache& operator=(const KeyCache&) = delete;
  ~KeyCache() {
    for (Slot& s : slots_) Py_XDECREF(s.str);
  }

  // New reference, or nullptr with an exception set.
  PyObject* get(std::string_view key) {
    if (key.size() > kMaxKey) return decode(key);
    std::uint32_t h = 2166136261u;  // FNV-1a
    for (char c : key) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    Slot& s = slots_[h % kSlots];
    if (s.str != nullptr && s.key == key) return Py_NewRef(s.str);
    PyObject* str = decode(key);
    if (str == nullptr) return nullptr;
    Py_XDECREF(s.str);
    s = {key, Py_NewRef(str)};
    return str;
  }

 private:
  static PyObject* decode(std::string_view s) {  // validated UTF-8
    return PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), nullptr);
  }
  static constexpr std::size_t kSlots = 64, kMaxKey = 48;
  struct Slot {
    std::string_view key;
    PyObject* str = nullptr;
  };
  std::array<Slot, kSlots> slots_{};
};

PyObject* to_python(dom::element e, KeyCache& keys);

PyObject* array_to_python(dom::array a, KeyCache& keys) {
  // size() is exact below 0xFFFFFF elements (the tape's count field saturates).
  const std::size_t n = a.size();
  if (n < 0xFFFFFF) {
    PyObject* list = PyList_New(static_cast<Py_ssize_t>(n));
    if (list == nullptr) return nullptr;
    Py_ssize_t i = 0;
    for (dom::element item : a) {
      PyObject* v = to_python(item, keys);
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
    PyObject* v = to_python(item, keys);
    if (v == nullptr || PyList_Append(list, v) != 0) {
      Py_XDECREF(v);
      Py_DECREF(list);
      return nullptr;
    }
    Py_DECREF(v);
  }
  return list;
}

PyObject* object_to_python(dom::object o, KeyCache& keys) {
  PyObject* dict = PyDict_New();
  if (dict == nullptr) return nullptr;
  for (dom::key_value_pair field : o) {
    PyRef key(keys.get(field.key));
    PyRef value(key ? to_python(field.value, keys) : nullptr);
    if (!value || PyDict_SetItem(dict, key.get(), value.get()) != 0) {  // a later duplicate wins, as in json.loads
      Py_DECREF(dict);
      return nullptr;
    }
  }
  return dict;
}

PyObject* to_python(dom::element e, KeyCache& keys) {
  switch (e.type()) {
    case dom::element_type::OBJECT: return object_to_python(e.get_object().value_unsafe(), keys);
    case dom::element_type::ARRAY: return array_to_python(e.get_array().value_unsafe(), keys);
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
  // The interpreter's json module: a sys.modules lookup once imported (PyImport_ImportModule
  // would go through __import__ and its locks, ~2 µs, on every call).
  PyRef name(PyUnicode_FromString("json"));
  if (!name) return nullptr;
  PyRef json(PyImport_GetModule(name.get()));
  if (!json) {
    if (PyErr_Occurred()) return nullptr;
    json.reset(PyImport_Import(name.get()));
  }
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
  PyObject* out = nullptr;
  {
    KeyCache keys;
    out = to_python(root, keys);
  }
  t.busy = false;
  return out;
#endif
}

}  // namespace fb::python
