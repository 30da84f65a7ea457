#include "framework/python/json_encoder.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "framework/python/gil.h"

namespace fb::python {
namespace {

// ---- output ------------------------------------------------------------------------------

// Appends to a std::string through a raw pointer: one capacity check per item instead of one
// per character, and no out-of-line append call per piece. The string is grown ahead (zero
// filled, within its capacity after warm-up) and cut to the written length by finish().
class Sink {
 public:
  explicit Sink(std::string& s) : s_(s), len_(s.size()) {}
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  // Room for n more bytes; returns where to write them (commit with advance()).
  [[gnu::always_inline]] char* room(std::size_t n) {
    if (len_ + n > s_.size()) [[unlikely]] grow(n);
    return s_.data() + len_;
  }
  [[gnu::always_inline]] void advance(std::size_t n) { len_ += n; }
  [[gnu::always_inline]] void put(char c) { *room(1) = c, ++len_; }
  [[gnu::always_inline]] void put(const char* p, std::size_t n) {
    std::memcpy(room(n), p, n);
    len_ += n;
  }
  void finish() { s_.resize(len_); }

 private:
  [[gnu::noinline]] void grow(std::size_t n) { s_.resize(std::max(len_ + n + 256, s_.size() * 2)); }

  std::string& s_;
  std::size_t len_;
};

// ---- strings -------------------------------------------------------------------------------

// json's escape_unicode (Modules/_json.c) with ensure_ascii=False: only '"', '\\' and control
// characters below 0x20 are escaped; DEL and everything above 0x7f pass through.
inline bool needs_escape(std::uint32_t c) { return c < 0x20 || c == '"' || c == '\\'; }

void append_escape(std::uint32_t c, Sink& out) {
  switch (c) {
    case '"': out.put("\\\"", 2); return;
    case '\\': out.put("\\\\", 2); return;
    case '\b': out.put("\\b", 2); return;
    case '\f': out.put("\\f", 2); return;
    case '\n': out.put("\\n", 2); return;
    case '\r': out.put("\\r", 2); return;
    case '\t': out.put("\\t", 2); return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";  // json writes lower-case hex
      const char u[6] = {'\\', 'u', '0', '0', kHex[(c >> 4) & 0xf], kHex[c & 0xf]};
      out.put(u, sizeof u);
    }
  }
}

// ASCII (the common case): runs without escapes are appended whole.
void append_ascii(const char* p, std::size_t n, bool escape, Sink& out) {
  if (!escape) {
    out.put(p, n);
    return;
  }
  std::size_t run = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (!needs_escape(c)) continue;
    out.put(p + run, i - run);
    append_escape(c, out);
    run = i + 1;
  }
  out.put(p + run, n - run);
}

// One code point as UTF-8; false for a surrogate (no UTF-8 encoding).
inline bool append_code_point(std::uint32_t c, Sink& out) {
  char* b = out.room(4);
  if (c < 0x80) {
    b[0] = static_cast<char>(c);
    out.advance(1);
  } else if (c < 0x800) {
    b[0] = static_cast<char>(0xC0 | (c >> 6));
    b[1] = static_cast<char>(0x80 | (c & 0x3F));
    out.advance(2);
  } else if (c < 0x10000) {
    if (c >= 0xD800 && c <= 0xDFFF) return false;
    b[0] = static_cast<char>(0xE0 | (c >> 12));
    b[1] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    b[2] = static_cast<char>(0x80 | (c & 0x3F));
    out.advance(3);
  } else {
    b[0] = static_cast<char>(0xF0 | (c >> 18));
    b[1] = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    b[2] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    b[3] = static_cast<char>(0x80 | (c & 0x3F));
    out.advance(4);
  }
  return true;
}

template <typename Char>
bool append_wide(const Char* p, Py_ssize_t n, bool escape, Sink& out) {
  for (Py_ssize_t i = 0; i < n; ++i) {
    const std::uint32_t c = p[i];
    if (escape && needs_escape(c)) {
      append_escape(c, out);
    } else if (!append_code_point(c, out)) {
      return false;
    }
  }
  return true;
}

// The str's code points as UTF-8, escaped for a JSON string when `escape`. Reads the str's own
// storage (PEP 393 kinds) instead of asking CPython for a UTF-8 copy, which it would cache in
// the object for non-ASCII strings.
bool append_str(PyObject* s, bool escape, Sink& out) {
  const Py_ssize_t n = PyUnicode_GET_LENGTH(s);
  const void* data = PyUnicode_DATA(s);
  if (PyUnicode_IS_ASCII(s)) {
    append_ascii(static_cast<const char*>(data), static_cast<std::size_t>(n), escape, out);
    return true;
  }
  bool ok = true;
  switch (PyUnicode_KIND(s)) {
    case PyUnicode_1BYTE_KIND: ok = append_wide(static_cast<const Py_UCS1*>(data), n, escape, out); break;
    case PyUnicode_2BYTE_KIND: ok = append_wide(static_cast<const Py_UCS2*>(data), n, escape, out); break;
    default: ok = append_wide(static_cast<const Py_UCS4*>(data), n, escape, out); break;
  }
  if (!ok) {
    // A lone surrogate: let CPython raise its own UnicodeEncodeError, with the position.
    if (PyUnicode_AsUTF8AndSize(s, nullptr) != nullptr) {
      PyErr_SetString(PyExc_UnicodeEncodeError, "surrogates not allowed");  // not reached: it fails
    }
  }
  return ok;
}

bool append_json_string(PyObject* s, Sink& out) {
  out.put('"');
  if (!append_str(s, true, out)) return false;
  out.put('"');
  return true;
}

// ---- numbers -------------------------------------------------------------------------------

// int.__repr__: machine-sized values directly, big ones through CPython.
void append_machine_int(long long x, Sink& out) {
  char* b = out.room(24);
  out.advance(static_cast<std::size_t>(std::to_chars(b, b + 24, x).ptr - b));
}

bool append_int(PyObject* v, Sink& out) {
#if PY_VERSION_HEX >= 0x030C0000
  if (PyUnstable_Long_IsCompact(reinterpret_cast<PyLongObject*>(v))) {  // one digit: no call
    append_machine_int(static_cast<long long>(PyUnstable_Long_CompactValue(reinterpret_cast<PyLongObject*>(v))), out);
    return true;
  }
#endif
  int overflow = 0;
  const long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
  if (overflow == 0) {
    if (x == -1 && PyErr_Occurred()) return false;
    append_machine_int(x, out);
    return true;
  }
  PyRef text(PyLong_Type.tp_repr(v));
  if (!text) return false;
  return append_str(text.get(), false, out);
}

// float.__repr__ ('r' mode, Python/pystrtod.c): the shortest digits that round-trip, written
// positionally when the decimal exponent is in [-4, 16), else as d.ddde+XX (at least two
// exponent digits); an integral positional value gets ".0". std::to_chars gives the same
// shortest digits without PyOS_double_to_string's heap buffer.
void append_finite_float(double d, Sink& out) {
  char sci[32];
  const char* end = std::to_chars(sci, sci + sizeof sci, d, std::chars_format::scientific).ptr;
  const char* p = sci;  // "-1.2345e+16": sign, a digit, '.' and more digits if any, 'e', sign, exponent
  if (*p == '-') {
    out.put('-');
    ++p;
  }
  char digits[24];
  std::size_t n = 0;
  digits[n++] = *p++;
  if (*p == '.') {
    for (++p; *p != 'e'; ++p) digits[n++] = *p;
  }
  ++p;  // 'e'
  const bool negative_exponent = *p++ == '-';
  int exponent = 0;
  for (; p < end; ++p) exponent = exponent * 10 + (*p - '0');
  if (negative_exponent) exponent = -exponent;
  const int decpt = exponent + 1;  // digits d1 d2 ... = 0.d1d2... * 10^decpt
  if (decpt <= -4 || decpt > 16) {
    out.put(digits[0]);
    if (n > 1) {
      out.put('.');
      out.put(digits + 1, n - 1);
    }
    char e[8];
    const int mag = exponent < 0 ? -exponent : exponent;
    const auto er = std::to_chars(e, e + sizeof e, mag);
    out.put(exponent < 0 ? "e-" : "e+", 2);
    if (er.ptr - e < 2) out.put('0');
    out.put(e, static_cast<std::size_t>(er.ptr - e));
  } else if (decpt <= 0) {
    out.put("0.", 2);
    std::memset(out.room(static_cast<std::size_t>(-decpt)), '0', static_cast<std::size_t>(-decpt));
    out.advance(static_cast<std::size_t>(-decpt));
    out.put(digits, n);
  } else if (static_cast<std::size_t>(decpt) < n) {
    out.put(digits, static_cast<std::size_t>(decpt));
    out.put('.');
    out.put(digits + decpt, n - static_cast<std::size_t>(decpt));
  } else {
    out.put(digits, n);
    const std::size_t zeros = static_cast<std::size_t>(decpt) - n;
    std::memset(out.room(zeros), '0', zeros);
    out.advance(zeros);
    out.put(".0", 2);
  }
}

// json's encoder_encode_float with allow_nan=True.
void append_float(double d, Sink& out) {
  if (std::isfinite(d)) {
    append_finite_float(d, out);
  } else if (std::isnan(d)) {
    out.put("NaN", 3);
  } else if (d > 0) {
    out.put("Infinity", 8);
  } else {
    out.put("-Infinity", 9);
  }
}

// ---- containers ----------------------------------------------------------------------------

class Encoder {
 public:
  explicit Encoder(Sink& out) : out_(out) {}

  bool value(PyObject* v) {
    // The exact built-in types first (one compare each), then the general checks.
    PyTypeObject* type = Py_TYPE(v);
    if (type == &PyUnicode_Type) return append_json_string(v, out_);
    if (type == &PyLong_Type) return append_int(v, out_);
    if (type == &PyFloat_Type) {
      append_float(PyFloat_AS_DOUBLE(v), out_);
      return true;
    }
    if (type == &PyDict_Type) return object(v);
    if (type == &PyList_Type) return array(v);
    if (v == Py_None) {
      out_.put("null", 4);
    } else if (v == Py_True) {
      out_.put("true", 4);
    } else if (v == Py_False) {
      out_.put("false", 5);
    } else if (PyUnicode_Check(v)) {
      return append_json_string(v, out_);
    } else if (PyLong_Check(v)) {
      return append_int(v, out_);
    } else if (PyFloat_Check(v)) {
      append_float(PyFloat_AS_DOUBLE(v), out_);
    } else if (PyList_Check(v) || PyTuple_Check(v)) {
      return array(v);
    } else if (PyDict_Check(v)) {
      return object(v);
    } else {
      // JSONEncoder.default's message, with the class's __name__ as it uses.
      PyRef name(PyType_GetName(Py_TYPE(v)));
      if (!name) return false;
      PyErr_Format(PyExc_TypeError, "Object of type %U is not JSON serializable", name.get());
      return false;
    }
    return true;
  }

 private:
  // json's markers: a container already on the path from the root is a cycle.
  bool enter(PyObject* container) {
    for (std::size_t i = 0; i < depth_; ++i) {
      if (at(i) == container) {
        PyErr_SetString(PyExc_ValueError, "Circular reference detected");
        return false;
      }
    }
    if (Py_EnterRecursiveCall(" while encoding a JSON object") != 0) return false;
    if (depth_ < kInlineDepth) {
      inline_path_[depth_] = container;
    } else {
      deep_path_.push_back(container);
    }
    ++depth_;
    return true;
  }
  void leave() {
    --depth_;
    if (depth_ >= kInlineDepth) deep_path_.pop_back();
    Py_LeaveRecursiveCall();
  }
  PyObject* at(std::size_t i) const { return i < kInlineDepth ? inline_path_[i] : deep_path_[i - kInlineDepth]; }

  bool array(PyObject* v) {
    const Py_ssize_t n = PyList_Check(v) ? PyList_GET_SIZE(v) : PyTuple_GET_SIZE(v);
    if (n == 0) {
      out_.put("[]", 2);
      return true;
    }
    if (!enter(v)) return false;
    out_.put('[');
    bool ok = true;
    // Re-read the size each time: a list can only shrink under us through Python code, which
    // the built-in types never run, but a subclass's items may be anything.
    for (Py_ssize_t i = 0; ok && i < (PyList_Check(v) ? PyList_GET_SIZE(v) : n); ++i) {
      if (i != 0) out_.put(',');
      PyObject* item = PyList_Check(v) ? PyList_GET_ITEM(v, i) : PyTuple_GET_ITEM(v, i);
      Py_INCREF(item);
      ok = value(item);
      Py_DECREF(item);
    }
    leave();
    if (ok) out_.put(']');
    return ok;
  }

  // A key as json converts it (encoder_encode_key_value), then written as a JSON string.
  bool key(PyObject* k) {
    if (PyUnicode_Check(k)) return append_json_string(k, out_);
    out_.put('"');
    if (PyFloat_Check(k)) {
      append_float(PyFloat_AS_DOUBLE(k), out_);
    } else if (k == Py_True) {
      out_.put("true", 4);
    } else if (k == Py_False) {
      out_.put("false", 5);
    } else if (k == Py_None) {
      out_.put("null", 4);
    } else if (PyLong_Check(k)) {
      if (!append_int(k, out_)) return false;
    } else {
      PyErr_Format(PyExc_TypeError, "keys must be str, int, float, bool or None, not %.100s", Py_TYPE(k)->tp_name);
      return false;
    }
    out_.put('"');
    return true;
  }

  bool member(bool first, PyObject* k, PyObject* v) {
    if (!first) out_.put(',');
    if (!key(k)) return false;
    out_.put(':');
    return value(v);
  }

  bool object(PyObject* v) {
    if (PyDict_GET_SIZE(v) == 0) {
      out_.put("{}", 2);
      return true;
    }
    if (!enter(v)) return false;
    out_.put('{');
    bool ok = true;
    if (PyDict_CheckExact(v)) {
      Py_ssize_t pos = 0;
      PyObject* k;
      PyObject* item;
      bool first = true;
      while (ok && PyDict_Next(v, &pos, &k, &item)) {
        Py_INCREF(k);
        Py_INCREF(item);
        ok = member(first, k, item);
        Py_DECREF(k);
        Py_DECREF(item);
        first = false;
      }
    } else {
      // A subclass may override items(); json iterates what it returns (PyMapping_Items).
      PyRef items(PyMapping_Items(v));
      ok = static_cast<bool>(items);
      for (Py_ssize_t i = 0; ok && i < PyList_GET_SIZE(items.get()); ++i) {
        PyObject* pair = PyList_GET_ITEM(items.get(), i);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
          PyErr_SetString(PyExc_ValueError, "items must return 2-tuples");
          ok = false;
          break;
        }
        ok = member(i == 0, PyTuple_GET_ITEM(pair, 0), PyTuple_GET_ITEM(pair, 1));
      }
    }
    leave();
    if (ok) out_.put('}');
    return ok;
  }

  // The containers from the root to here: inline for the usual depths, so that encoding a
  // response allocates nothing but the output.
  static constexpr std::size_t kInlineDepth = 32;
  Sink& out_;
  std::size_t depth_ = 0;
  PyObject* inline_path_[kInlineDepth];
  std::vector<PyObject*> deep_path_;
};

}  // namespace

bool encode_json_like_dumps(PyObject* value, std::string& out) {
  Sink sink(out);
  Encoder encoder(sink);
  const bool ok = encoder.value(value);
  sink.finish();
  return ok;
}

bool append_utf8(PyObject* s, std::string& out) {
  Sink sink(out);
  const bool ok = append_str(s, false, sink);
  sink.finish();
  return ok;
}

}  // namespace fb::python
