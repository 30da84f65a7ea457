// fast-marshal's `request` argument: the same read-only attributes as the eager Request
// (request_object.h) — method, path, path_params, query, headers, body, json() — but nothing is
// copied or built until a handler reads it.
//
// What it is: a heap type created per interpreter through the C API (works in own-GIL
// sub-interpreters: no extension module, no static PyObject*), whose instances view the C++
// Request while the handler runs:
//   - method: a str shared by every request of the interpreter for the usual methods (GET,
//     POST, ...), created once per interpreter; other methods are created per request;
//   - path and body: a str / bytes made on first read, then kept;
//   - path_params, query, headers: the dict built on first read, then kept; a handler that
//     never reads one never pays for it; the names in path_params and query (route parameter
//     names, query keys) come from a per-interpreter cache of interned strs, since the same few
//     names come back request after request (values are made per request);
//   - json(): the body parsed with simdjson (json_decoder.h), equal to json.loads(body).
// Instances are recycled: each interpreter keeps one (LazyRequestPool) and reuses it for the
// next request when nobody else holds it, so a request usually costs no allocation at all.
//
// LIFETIME (why release() exists): the views are valid only until the response is made. If the
// handler kept the object (stored it, or returned a coroutine that holds it), release() copies
// every attribute that was not read yet into Python objects and drops the views, so the object
// stays correct however long it lives; the pool then forgets it and makes a fresh one later.
//
// SHARP EDGES: use one pool per interpreter, only with that interpreter's GIL held. A request
// is exclusively the caller's between acquire() and release() even under a shared GIL: a
// second thread that acquires while the first one's handler released the GIL finds the pooled
// object in use (reference count above 1) and gets a new one.
#pragma once

#include <Python.h>

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "framework/http.h"
#include "framework/router.h"

namespace fb::python {

class LazyRequestPool {
 public:
  LazyRequestPool() = default;
  LazyRequestPool(const LazyRequestPool&) = delete;
  LazyRequestPool& operator=(const LazyRequestPool&) = delete;

  // Creates the type and the method strings in the current interpreter. False with a Python
  // exception set. Needs the GIL.
  bool init();
  // Releases everything (GIL held). Objects handlers still hold stay valid (they own their type).
  void clear();

  // A request object viewing `request` and `params` (both must outlive release()). New
  // reference, or nullptr with an exception set.
  PyObject* acquire(const Request& request, const std::vector<PathParam>& params);
  // Ends the views of an object from acquire() and drops the caller's reference. Never fails:
  // a failure to copy what a kept object still needs is reported as unraisable and the missing
  // attributes then raise RuntimeError when read.
  void release(PyObject* request_object);

  PyObject* type() const noexcept { return type_; }

  // The str for a parameter or query name (UTF-8, invalid bytes replaced), interned and cached
  // by its bytes. New reference, or nullptr with an exception set.
  PyObject* name(std::string_view bytes);

 private:
  PyObject* method_object(std::string_view method);

  // Direct-mapped, keyed on the bytes (owned copies: the views die with their request).
  static constexpr std::size_t kNameSlots = 128, kMaxName = 32;
  struct NameSlot {
    std::array<char, kMaxName> bytes{};
    std::uint8_t size = 0;
    PyObject* str = nullptr;
  };
  std::array<NameSlot, kNameSlots> names_{};

  PyObject* type_ = nullptr;
  PyObject* pooled_ = nullptr;  // one recycled instance (the pool's own reference), or nullptr
  static constexpr std::array<const char*, 7> kMethods = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"};
  std::array<PyObject*, kMethods.size()> methods_{};
};

}  // namespace fb::python
