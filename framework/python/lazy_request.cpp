#include "framework/python/lazy_request.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "framework/python/gil.h"
#include "framework/python/json_decoder.h"
#include "framework/python/request_object.h"

namespace fb::python {
namespace {

struct LazyRequest {
  PyObject_HEAD
  // The views, valid between acquire() and release(); all nullptr otherwise.
  const Request* request;
  const std::vector<PathParam>* params;
  LazyRequestPool* pool;  // for its name cache
  // Built on first read (method at acquire), owned; nullptr until then.
  PyObject* method;
  PyObject* path;
  PyObject* body;
  PyObject* path_params;
  PyObject* query;
  PyObject* headers;
};

LazyRequest* as_lazy(PyObject* self) { return reinterpret_cast<LazyRequest*>(self); }

void clear_attributes(LazyRequest* r) {
  Py_CLEAR(r->method);
  Py_CLEAR(r->path);
  Py_CLEAR(r->body);
  Py_CLEAR(r->path_params);
  Py_CLEAR(r->query);
  Py_CLEAR(r->headers);
}

void lazy_dealloc(PyObject* self) {
  PyTypeObject* type = Py_TYPE(self);
  clear_attributes(as_lazy(self));
  type->tp_free(self);
  Py_DECREF(type);  // instances of heap types own a reference to their type
}

using Builder = PyObject* (*)(const LazyRequest*);

PyObject* build_path(const LazyRequest* r) { return request_str(r->request->path); }
PyObject* build_body(const LazyRequest* r) {
  return PyBytes_FromStringAndSize(r->request->body.data(), static_cast<Py_ssize_t>(r->request->body.size()));
}
// Sets d[key] = value, stealing both references; false on error.
bool set_item_steal(PyObject* d, PyObject* key, PyObject* value) {
  const bool ok = key != nullptr && value != nullptr && PyDict_SetItem(d, key, value) == 0;
  Py_XDECREF(key);
  Py_XDECREF(value);
  return ok;
}

// params_dict() and query_dict() of request_object.h, with the names from the pool's cache.
PyObject* build_path_params(const LazyRequest* r) {
  PyObject* d = PyDict_New();
  if (d == nullptr) return nullptr;
  for (const PathParam& p : *r->params) {
    if (!set_item_steal(d, r->pool->name(p.name), request_str(p.value))) {
      Py_DECREF(d);
      return nullptr;
    }
  }
  return d;
}

PyObject* build_query(const LazyRequest* r) {
  PyObject* d = PyDict_New();
  if (d == nullptr) return nullptr;
  std::string_view query = r->request->query;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (!set_item_steal(d, r->pool->name(pair.substr(0, eq)), request_str(value))) {
      Py_DECREF(d);
      return nullptr;
    }
  }
  return d;
}
PyObject* build_headers(const LazyRequest* r) { return headers_dict(r->request->headers); }

// The attribute in `slot`, built from the views on first read. New reference.
PyObject* get_or_build(LazyRequest* r, PyObject*& slot, Builder build) {
  if (slot == nullptr) {
    if (r->request == nullptr) {
      PyErr_SetString(PyExc_RuntimeError, "this request's data is no longer available");
      return nullptr;
    }
    slot = build(r);
    if (slot == nullptr) return nullptr;
  }
  return Py_NewRef(slot);
}

PyObject* get_method(PyObject* self, void*) { return Py_NewRef(as_lazy(self)->method); }
PyObject* get_path(PyObject* self, void*) { return get_or_build(as_lazy(self), as_lazy(self)->path, build_path); }
PyObject* get_body(PyObject* self, void*) { return get_or_build(as_lazy(self), as_lazy(self)->body, build_body); }
PyObject* get_path_params(PyObject* self, void*) {
  return get_or_build(as_lazy(self), as_lazy(self)->path_params, build_path_params);
}
PyObject* get_query(PyObject* self, void*) { return get_or_build(as_lazy(self), as_lazy(self)->query, build_query); }
PyObject* get_headers(PyObject* self, void*) {
  return get_or_build(as_lazy(self), as_lazy(self)->headers, build_headers);
}

// request.json(): simdjson on the body's bytes where they still are (the view, or the bytes
// object once built or kept), json.loads for whatever simdjson does not take.
PyObject* lazy_json(PyObject* self, PyObject*) {
  LazyRequest* r = as_lazy(self);
  if (r->body != nullptr) {
    return parse_json_body(std::string_view(PyBytes_AS_STRING(r->body), static_cast<std::size_t>(PyBytes_GET_SIZE(r->body))),
                           r->body);
  }
  if (r->request == nullptr) {
    PyErr_SetString(PyExc_RuntimeError, "this request's data is no longer available");
    return nullptr;
  }
  return parse_json_body(r->request->body, nullptr);
}

PyObject* lazy_repr(PyObject* self) {
  PyRef path(get_path(self, nullptr));
  if (!path) return nullptr;
  return PyUnicode_FromFormat("<Request %U %U>", as_lazy(self)->method, path.get());
}

#define FB_LAZY_GETTER(name, doc) {#name, get_##name, nullptr, doc, nullptr},
PyGetSetDef lazy_getset[] = {FB_REQUEST_ATTRIBUTES(FB_LAZY_GETTER){nullptr, nullptr, nullptr, nullptr, nullptr}};
#undef FB_LAZY_GETTER

PyMethodDef lazy_methods[] = {
    {"json", lazy_json, METH_NOARGS, "The body parsed as JSON (equal to json.loads(body))."},
    {nullptr, nullptr, 0, nullptr}};

PyType_Slot lazy_slots[] = {{Py_tp_dealloc, reinterpret_cast<void*>(lazy_dealloc)},
                            {Py_tp_repr, reinterpret_cast<void*>(lazy_repr)},
                            {Py_tp_getset, lazy_getset},
                            {Py_tp_methods, lazy_methods},
                            {0, nullptr}};

PyType_Spec lazy_spec = {"fasterbench.Request", sizeof(LazyRequest), 0, Py_TPFLAGS_DEFAULT, lazy_slots};

// Copies every attribute not read yet, then drops the views. False with an exception set.
bool materialize(LazyRequest* r) {
  bool ok = true;
  for (auto [slot, build] : {std::pair<PyObject**, Builder>{&r->path, build_path},
                             {&r->body, build_body},
                             {&r->path_params, build_path_params},
                             {&r->query, build_query},
                             {&r->headers, build_headers}}) {
    if (*slot == nullptr && ok) {
      *slot = build(r);
      ok = *slot != nullptr;
    }
  }
  r->request = nullptr;
  r->params = nullptr;
  r->pool = nullptr;
  return ok;
}

}  // namespace

bool LazyRequestPool::init() {
  clear();
  type_ = PyType_FromSpec(&lazy_spec);
  if (type_ == nullptr) return false;
  for (std::size_t i = 0; i < kMethods.size(); ++i) {
    methods_[i] = PyUnicode_InternFromString(kMethods[i]);
    if (methods_[i] == nullptr) return false;
  }
  return true;
}

void LazyRequestPool::clear() {
  for (NameSlot& s : names_) Py_CLEAR(s.str);
  Py_CLEAR(pooled_);
  for (PyObject*& m : methods_) Py_CLEAR(m);
  Py_CLEAR(type_);
}

PyObject* LazyRequestPool::method_object(std::string_view method) {
  for (std::size_t i = 0; i < kMethods.size(); ++i) {
    if (method == kMethods[i]) return Py_NewRef(methods_[i]);
  }
  return request_str(method);
}

PyObject* LazyRequestPool::name(std::string_view bytes) {
  if (bytes.size() > kMaxName) return request_str(bytes);
  std::uint32_t h = 2166136261u;  // FNV-1a
  for (char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  NameSlot& s = names_[h % kNameSlots];
  if (s.str != nullptr && std::string_view(s.bytes.data(), s.size) == bytes) return Py_NewRef(s.str);
  PyObject* str = request_str(bytes);
  if (str == nullptr) return nullptr;
  PyUnicode_InternInPlace(&str);  // its hash is computed once, and dict lookups compare by identity first
  Py_XDECREF(s.str);
  std::copy(bytes.begin(), bytes.end(), s.bytes.begin());
  s.size = static_cast<std::uint8_t>(bytes.size());
  s.str = Py_NewRef(str);
  return str;
}

PyObject* LazyRequestPool::acquire(const Request& request, const std::vector<PathParam>& params) {
  PyObject* method = method_object(request.method);
  if (method == nullptr) return nullptr;
  PyObject* self = nullptr;
  if (pooled_ != nullptr && Py_REFCNT(pooled_) == 1) {
    self = Py_NewRef(pooled_);  // only the pool holds it: ours until release()
  } else {
    auto* type = reinterpret_cast<PyTypeObject*>(type_);
    self = type->tp_alloc(type, 0);
    if (self == nullptr) {
      Py_DECREF(method);
      return nullptr;
    }
    if (pooled_ == nullptr) pooled_ = Py_NewRef(self);  // the first one, or the kept one's successor
  }
  LazyRequest* r = as_lazy(self);
  r->request = &request;
  r->params = &params;
  r->pool = this;
  r->method = method;
  return self;
}

void LazyRequestPool::release(PyObject* self) {
  LazyRequest* r = as_lazy(self);
  const Py_ssize_t ours = self == pooled_ ? 2 : 1;
  if (Py_REFCNT(self) > ours) {
    // Kept by the handler: it must stand on its own from now on.
    if (!materialize(r)) PyErr_WriteUnraisable(self);
    if (self == pooled_) {
      Py_DECREF(pooled_);
      pooled_ = nullptr;
    }
  } else {
    clear_attributes(r);
    r->request = nullptr;
    r->params = nullptr;
    r->pool = nullptr;
  }
  Py_DECREF(self);
}

}  // namespace fb::python
