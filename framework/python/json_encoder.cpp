#include "framework/python/json_encoder.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "framework/python/gil.h"

namespace fb::python {
namespace {

// ---- strings -------------------------------------------------------------------------------

// json's escape_unicode (Modules/_json.c) with ensure_ascii=False: only '"', '\\' and control
// characters below 0x20 are escaped; DEL and everything above 0x7f pass through.
inline bool needs_escape(std::uint32_t c) { return c < 0x20 || c == '"' || c == '\\'; }

void append_escape(std::uint32_t c, std::string& out) {
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";  // json writes lower-case hex
      const char u[6] = {'\\', 'u', '0', '0', kHex[(c >> 4) & 0xf], kHex[c & 0xf]};
      out.append(u, sizeof u);
    }
  }
}

// ASCII (the common case): runs without escapes are appended whole.
void append_ascii(const char* p, std::size_t n, bool escape, std::string& out) {
  if (!escape) {
    out.append(p, n);
    return;
  }
  std::size_t run = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (!needs_escape(c)) continue;
    out.append(p + run, i - run);
    append_escape(c, out);
    run = i + 1;
  }
  out.append(p + run, n - run);
}

// One code point as UTF-8; false for a surrogate (no UTF-8 encoding).
inline bool append_code_point(std::uint32_t c, std::string& out) {
  char b[4];
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    b[0] = static_cast<char>(0xC0 | (c >> 6));
    b[1] = static_cast<char>(0x80 | (c & 0x3F));
    out.append(b, 2);
  } else if (c < 0x10000) {
    if (c >= 0xD800 && c <= 0xDFFF) return false;
    b[0] = static_cast<char>(0xE0 | (c >> 12));
    b[1] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    b[2] = static_cast<char>(0x80 | (c & 0x3F));
    out.append(b, 3);
  } else {
    b[0] = static_cast<char>(0xF0 | (c >> 18));
    b[1] = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    b[2] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    b[3] = static_cast<char>(0x80 | (c & 0x3F));
    out.append(b, 4);
  }
  return true;
}

template <typename Char>
bool append_wide(const Char* p, Py_ssize_t n, bool escape, std::string& out) {
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
bool append_str(PyObject* s, bool escape, std::string& out) {
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

bool append_json_string(PyObject* s, std::string& out) {
  out += '"';
  if (!append_str(s, true, out)) return false;
  out += '"';
  return true;
}

// ---- numbers -------------------------------------------------------------------------------

// int.__repr__: machine-sized values directly, big ones through CPython.
bool append_int(PyObject* v, std::string& out) {
  int overflow = 0;
  const long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
  if (overflow == 0) {
    if (x == -1 && PyErr_Occurred()) return false;
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, x);
    out.append(buf, static_cast<std::size_t>(r.ptr - buf));
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
void append_finite_float(double d, std::string& out) {
  char sci[32];
  const auto r = std::to_chars(sci, sci + sizeof sci, d, std::chars_format::scientific);
  std::string_view s(sci, static_cast<std::size_t>(r.ptr - sci));  // "-1.2345e+16"
  if (s.front() == '-') {
    out += '-';
    s.remove_prefix(1);
  }
  const std::size_t e_at = s.find('e');
  char digits[24];
  std::size_t n = 0;
  for (char c : s.substr(0, e_at)) {
    if (c != '.') digits[n++] = c;
  }
  int exponent = 0;
  const std::string_view exp_text = s.substr(e_at + 1);
  std::from_chars(exp_text.data() + (exp_text.front() == '+' ? 1 : 0), exp_text.data() + exp_text.size(), exponent);
  const int decpt = exponent + 1;  // digits d1 d2 ... = 0.d1d2... * 10^decpt
  if (decpt <= -4 || decpt > 16) {
    out += digits[0];
    if (n > 1) {
      out += '.';
      out.append(digits + 1, n - 1);
    }
    char e[8];
    const int mag = exponent < 0 ? -exponent : exponent;
    const auto er = std::to_chars(e, e + sizeof e, mag);
    out += exponent < 0 ? "e-" : "e+";
    if (er.ptr - e < 2) out += '0';
    out.append(e, static_cast<std::size_t>(er.ptr - e));
  } else if (decpt <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-decpt), '0');
    out.append(digits, n);
  } else if (static_cast<std::size_t>(decpt) < n) {
    out.append(digits, static_cast<std::size_t>(decpt));
    out += '.';
    out.append(digits + decpt, n - static_cast<std::size_t>(decpt));
  } else {
    out.append(digits, n);
    out.append(static_cast<std::size_t>(decpt) - n, '0');
    out += ".0";
  }
}

// json's encoder_encode_float with allow_nan=True.
void append_float(double d, std::string& out) {
  if (std::isfinite(d)) {
    append_finite_float(d, out);
  } else if (std::isnan(d)) {
    out += "NaN";
  } else {
    out += d > 0 ? "Infinity" : "-Infinity";
  }
}

// ---- containers ----------------------------------------------------------------------------

class Encoder {
 public:
  explicit Encoder(std::string& out) : out_(out) {}

  bool value(PyObject* v) {
    if (v == Py_None) {
      out_ += "null";
    } else if (v == Py_True) {
      out_ += "true";
    } else if (v == Py_False) {
      out_ += "false";
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
      out_ += "[]";
      return true;
    }
    if (!enter(v)) return false;
    out_ += '[';
    bool ok = true;
    // Re-read the size each time: a list can only shrink under us through Python code, which
    // the built-in types never run, but a subclass's items may be anything.
    for (Py_ssize_t i = 0; ok && i < (PyList_Check(v) ? PyList_GET_SIZE(v) : n); ++i) {
      if (i != 0) out_ += ',';
      PyObject* item = PyList_Check(v) ? PyList_GET_ITEM(v, i) : PyTuple_GET_ITEM(v, i);
      Py_INCREF(item);
      ok = value(item);
      Py_DECREF(item);
    }
    leave();
    if (ok) out_ += ']';
    return ok;
  }

  // A key as json converts it (encoder_encode_key_value), then written as a JSON string.
  bool key(PyObject* k) {
    if (PyUnicode_Check(k)) return append_json_string(k, out_);
    out_ += '"';
    if (PyFloat_Check(k)) {
      append_float(PyFloat_AS_DOUBLE(k), out_);
    } else if (k == Py_True) {
      out_ += "true";
    } else if (k == Py_False) {
      out_ += "false";
    } else if (k == Py_None) {
      out_ += "null";
    } else if (PyLong_Check(k)) {
      if (!append_int(k, out_)) return false;
    } else {
      PyErr_Format(PyExc_TypeError, "keys must be str, int, float, bool or None, not %.100s", Py_TYPE(k)->tp_name);
      return false;
    }
    out_ += '"';
    return true;
  }

  bool member(bool first, PyObject* k, PyObject* v) {
    if (!first) out_ += ',';
    if (!key(k)) return false;
    out_ += ':';
    return value(v);
  }

  bool object(PyObject* v) {
    if (PyDict_GET_SIZE(v) == 0) {
      out_ += "{}";
      return true;
    }
    if (!enter(v)) return false;
    out_ += '{';
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
    if (ok) out_ += '}';
    return ok;
  }

  // The containers from the root to here: inline for the usual depths, so that encoding a
  // response allocates nothing but the output.
  static constexpr std::size_t kInlineDepth = 32;
  std::string& out_;
  std::size_t depth_ = 0;
  PyObject* inline_path_[kInlineDepth];
  std::vector<PyObject*> deep_path_;
};

}  // namespace

bool encode_json_like_dumps(PyObject* value, std::string& out) {
  Encoder encoder(out);
  return encoder.value(value);
}

bool append_utf8(PyObject* s, std::string& out) { return append_str(s, false, out); }

}  // namespace fb::python
