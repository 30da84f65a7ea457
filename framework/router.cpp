#include "framework/router.h"

namespace fb {
namespace {

// Calls f(segment) for each '/'-separated segment of `path` after the leading '/'.
// "/" has no segments; "/a/" has segments "a" and "".
template <typename F>
bool for_each_segment(std::string_view path, F&& f) {
  if (path.empty() || path.front() != '/') return false;
  if (path.size() == 1) return true;
  std::size_t start = 1;
  while (true) {
    const std::size_t slash = path.find('/', start);
    const std::string_view segment = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!f(segment)) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

}  // namespace

std::size_t Router::add(std::string method, std::string path_template) {
  Entry entry;
  entry.method = std::move(method);
  entry.path_template = std::move(path_template);
  const std::string_view path = entry.path_template;
  const bool ok = for_each_segment(path, [&](std::string_view seg) {
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      const std::string_view name = seg.substr(1, seg.size() - 2);
      if (name.empty() || name.find_first_of("{}/") != std::string_view::npos) return false;
      entry.segments.push_back({std::string(name), true});
    } else {
      if (seg.find_first_of("{}") != std::string_view::npos) return false;
      entry.segments.push_back({std::string(seg), false});
    }
    return true;
  });
  if (!ok) throw RouteError("malformed route path '" + entry.path_template + "': must start with '/' and use whole-segment parameters like /items/{id}");
  if (entry.method.empty()) throw RouteError("route '" + entry.path_template + "' has no method");
  for (const Entry& existing : routes_) {
    if (existing.method != entry.method || existing.segments.size() != entry.segments.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < entry.segments.size() && same; ++i) {
      const Segment& a = existing.segments[i];
      const Segment& b = entry.segments[i];
      same = a.is_param == b.is_param && (a.is_param || a.text == b.text);
    }
    if (same) throw RouteError("duplicate route " + entry.method + " " + entry.path_template + " (same as " + existing.path_template + ")");
  }
  routes_.push_back(std::move(entry));
  return routes_.size() - 1;
}

namespace {

// Equal texts, compared byte by byte. Not operator== (memcmp): glibc's memcmp takes a different
// path near a page boundary, so its instruction count depended on where the strings landed on
// the heap, and `--measure instructions` counted a longer command line as a slower route stage.
// Route texts are a few bytes: the loop costs no time here.
bool same_text(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace

bool Router::segments_match(const Entry& entry, std::string_view path, std::vector<PathParam>* params) {
  std::size_t i = 0;
  const bool ok = for_each_segment(path, [&](std::string_view seg) {
    if (i >= entry.segments.size()) return false;
    const Segment& want = entry.segments[i++];
    if (want.is_param) {
      if (seg.empty()) return false;
      if (params != nullptr) params->push_back({want.text, seg});
      return true;
    }
    return same_text(seg, want.text);
  });
  return ok && i == entry.segments.size();
}

void Router::match(std::string_view method, std::string_view path, RouteMatch& match) const {
  match.result = RouteMatch::Result::not_found;
  match.params.clear();
  match.allowed_methods.clear();
  for (std::size_t r = 0; r < routes_.size(); ++r) {
    const Entry& entry = routes_[r];
    if (!same_text(entry.method, method)) continue;
    match.params.clear();
    if (segments_match(entry, path, &match.params)) {
      match.result = RouteMatch::Result::found;
      match.route = r;
      return;
    }
  }
  match.params.clear();
  // Slow path only for errors: does the path exist under another method?
  for (const Entry& entry : routes_) {
    if (segments_match(entry, path, nullptr)) {
      if (!match.allowed_methods.empty()) match.allowed_methods += ", ";
      match.allowed_methods += entry.method;
    }
  }
  if (!match.allowed_methods.empty()) match.result = RouteMatch::Result::method_not_allowed;
}

}  // namespace fb
