#include "framework/python/request_object.h"

#include "framework/python/json_decoder.h"

#include <cstddef>
#include <string_view>

#if PY_VERSION_HEX < 0x030C0000
#include <structmember.h>
#define FB_T_OBJECT_EX T_OBJECT_EX
#define FB_READONLY READONLY
#else
#define FB_T_OBJECT_EX Py_T_OBJECT_EX
#define FB_READONLY Py_READONLY
#endif

namespace fb::python {
namespace {

struct RequestObject {
  PyObject_HEAD
  PyObject* method;
  PyObject* path;
  PyObject* path_params;
  PyObject* query;
  PyObject* headers;
  PyObject* body;
};

void request_dealloc(PyObject* self) {
  auto* r = reinterpret_cast<RequestObject*>(self);
  PyTypeObject* type = Py_TYPE(self);
  Py_XDECREF(r->method);
  Py_XDECREF(r->path);
  Py_XDECREF(r->path_params);
  Py_XDECREF(r->query);
  Py_XDECREF(r->headers);
  Py_XDECREF(r->body);
  type->tp_free(self);
  Py_DECREF(type);  // instances of heap types own a reference to their type
}

PyObject* request_json(PyObject* self, PyObject*) { return json_loads(reinterpret_cast<RequestObject*>(self)->body); }

PyMethodDef request_methods[] = {
    {"json", request_json, METH_NOARGS, "The body parsed as JSON: json.loads(body)."},
    {nullptr, nullptr, 0, nullptr}};

PyObject* request_repr(PyObject* self) {
  auto* r = reinterpret_cast<RequestObject*>(self);
  return PyUnicode_FromFormat("<Request %U %U>", r->method, r->path);
}

#define FB_REQUEST_MEMBER(name, doc) {#name, FB_T_OBJECT_EX, offsetof(RequestObject, name), FB_READONLY, doc},
PyMemberDef request_members[] = {FB_REQUEST_ATTRIBUTES(FB_REQUEST_MEMBER){nullptr, 0, 0, 0, nullptr}};
#undef FB_REQUEST_MEMBER

PyType_Slot request_slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(request_dealloc)},
                               {Py_tp_repr, reinterpret_cast<void*>(request_repr)},
                               {Py_tp_members, request_members},
                               {Py_tp_methods, request_methods},
                               {0, nullptr}};

PyType_Spec request_spec = {"fasterbench.Request", sizeof(RequestObject), 0, Py_TPFLAGS_DEFAULT, request_slots};

PyObject* str_of(std::string_view s) { return request_str(s); }

// Sets d[key] = value, stealing both references; false on error.
bool set_item_steal(PyObject* d, PyObject* key, PyObject* value) {
  const bool ok = key != nullptr && value != nullptr && PyDict_SetItem(d, key, value) == 0;
  Py_XDECREF(key);
  Py_XDECREF(value);
  return ok;
}

}  // namespace

PyObject* request_str(std::string_view s) { return PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace"); }

// "a=1&b=2&flag" -> {"a": "1", "b": "2", "flag": ""}. No percent-decoding: scenarios and
// traces carry what the handler should see.
PyObject* query_dict(std::string_view query) {
  PyObject* d = PyDict_New();
  if (d == nullptr) return nullptr;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (!set_item_steal(d, str_of(key), str_of(value))) {
      Py_DECREF(d);
      return nullptr;
    }
  }
  return d;
}

PyObject* headers_dict(const std::vector<Header>& headers) {
  PyObject* d = PyDict_New();
  if (d == nullptr) return nullptr;
  for (const Header& h : headers) {
    PyObject* key = str_of(h.name);
    if (key != nullptr) {
      PyObject* lower = PyObject_CallMethod(key, "lower", nullptr);
      Py_DECREF(key);
      key = lower;
    }
    if (!set_item_steal(d, key, str_of(h.value))) {
      Py_DECREF(d);
      return nullptr;
    }
  }
  return d;
}

PyObject* params_dict(const std::vector<PathParam>& params) {
  PyObject* d = PyDict_New();
  if (d == nullptr) return nullptr;
  for (const PathParam& p : params) {
    if (!set_item_steal(d, str_of(p.name), str_of(p.value))) {
      Py_DECREF(d);
      return nullptr;
    }
  }
  return d;
}

PyObject* create_request_type() { return PyType_FromSpec(&request_spec); }

PyObject* build_request_object(PyObject* request_type, const Request& request, const std::vector<PathParam>& params) {
  auto* type = reinterpret_cast<PyTypeObject*>(request_type);
  PyObject* self = type->tp_alloc(type, 0);
  if (self == nullptr) return nullptr;
  auto* r = reinterpret_cast<RequestObject*>(self);
  r->method = str_of(request.method);
  r->path = str_of(request.path);
  r->path_params = params_dict(params);
  r->query = query_dict(request.query);
  r->headers = headers_dict(request.headers);
  r->body = PyBytes_FromStringAndSize(request.body.data(), static_cast<Py_ssize_t>(request.body.size()));
  if (r->method == nullptr || r->path == nullptr || r->path_params == nullptr || r->query == nullptr ||
      r->headers == nullptr || r->body == nullptr) {
    Py_DECREF(self);
    return nullptr;
  }
  return self;
}

}  // namespace fb::python
