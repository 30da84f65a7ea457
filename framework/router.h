// Route table: method + path template ("/items/{id}") -> route index.
//
// Templates are split into segments at registration; a lookup walks the routes and compares
// segment by segment, literal segments first-class and "{name}" segments capturing one
// non-empty segment. Linear in the number of routes: scenarios have tens of routes, where a
// scan of pre-split segments beats a trie's pointer chasing (the route stage measures it).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fb {

struct PathParam {
  std::string_view name;
  std::string_view value;  // views the request path
};

struct RouteMatch {
  enum class Result { found, not_found, method_not_allowed };
  Result result = Result::not_found;
  std::size_t route = 0;
  std::vector<PathParam> params;
  std::string allowed_methods;  // for 405: "GET, POST"
};

class RouteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Router {
 public:
  // Returns the route's index. Throws RouteError on a malformed template or a duplicate.
  std::size_t add(std::string method, std::string path_template);

  // Fills `match` (reusing its storage) for `path` (no query string).
  void match(std::string_view method, std::string_view path, RouteMatch& match) const;

  std::size_t size() const noexcept { return routes_.size(); }

 private:
  struct Segment {
    std::string text;  // literal text, or the parameter name
    bool is_param = false;
  };
  struct Entry {
    std::string method;
    std::string path_template;
    std::vector<Segment> segments;
  };
  static bool segments_match(const Entry& entry, std::string_view path, std::vector<PathParam>* params);

  std::vector<Entry> routes_;
};

}  // namespace fb
