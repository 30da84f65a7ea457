#include "harness/scenario/scenario.h"

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <set>

#include "harness/cli/exit_codes.h"

namespace fb::harness {
namespace {

namespace fs = std::filesystem;

class Parser {
 public:
  explicit Parser(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const toml::source_region& where, const std::string& what) const {
    throw ScenarioError(file_ + ":" + std::to_string(where.begin.line) + ": " + what);
  }
  [[noreturn]] void fail(int line, const std::string& what) const {
    throw ScenarioError(file_ + ":" + std::to_string(line) + ": " + what);
  }

  // Rejects keys this format does not know, so a typo is an error instead of a silent default.
  void only_keys(const toml::table& table, const std::set<std::string>& known, const std::string& where) const {
    for (const auto& [key, node] : table) {
      if (!known.contains(std::string(key.str()))) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        fail(node.source(), "unknown key '" + std::string(key.str()) + "' in " + where + " (expected one of: " + list + ")");
      }
    }
  }

  std::string string_at(const toml::table& t, std::string_view key, const toml::source_region& owner, bool required,
                        std::string fallback = "") const {
    const toml::node* node = t.get(key);
    if (node == nullptr) {
      if (required) fail(owner, "missing required key '" + std::string(key) + "' (a string)");
      return fallback;
    }
    if (!node->is_string()) fail(node->source(), "'" + std::string(key) + "' must be a string");
    return std::string(*node->value<std::string>());
  }

  std::optional<std::int64_t> positive_int_at(const toml::table& t, std::string_view key, bool allow_zero) const {
    const toml::node* node = t.get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_integer()) fail(node->source(), "'" + std::string(key) + "' must be an integer");
    const std::int64_t v = *node->value<std::int64_t>();
    if (v < 0 || (v == 0 && !allow_zero)) {
      fail(node->source(), "'" + std::string(key) + "' must be " + (allow_zero ? ">= 0" : "> 0") + ", got " + std::to_string(v));
    }
    return v;
  }

  ScenarioRoute route(const toml::table& t) const {
    only_keys(t, {"method", "path", "handler", "kind", "weight", "request", "body", "headers"}, "[[route]]");
    ScenarioRoute r;
    r.line = static_cast<int>(t.source().begin.line);
    r.method = string_at(t, "method", t.source(), false, "GET");
    r.path = string_at(t, "path", t.source(), true);
    r.handler = string_at(t, "handler", t.source(), true);
    r.kind = string_at(t, "kind", t.source(), false);
    r.request = string_at(t, "request", t.source(), false, r.path);
    r.body = string_at(t, "body", t.source(), false);
    if (r.path.empty() || r.path.front() != '/') fail(t.get("path")->source(), "'path' must start with '/'");
    if (r.request.empty() || r.request.front() != '/') fail(t.source(), "'request' must start with '/'");
    if (r.path.find('{') != std::string::npos && !t.contains("request")) {
      fail(t.source(), "route " + r.path + " has path parameters: give a concrete 'request' path to send, e.g. \"/items/42\"");
    }
    if (r.handler.find(':') == std::string::npos) {
      fail(t.get("handler")->source(), "'handler' must be \"module:function\", got \"" + r.handler + "\"");
    }
    if (!r.kind.empty() && r.kind != "fast" && r.kind != "blocking" && r.kind != "async") {
      fail(t.get("kind")->source(), "'kind' must be \"fast\", \"blocking\" or \"async\", got \"" + r.kind + "\"");
    }
    if (const toml::node* w = t.get("weight")) {
      if (!w->is_number()) fail(w->source(), "'weight' must be a number");
      r.weight = w->is_integer() ? static_cast<double>(*w->value<std::int64_t>()) : *w->value<double>();
      if (!(r.weight >= 0)) fail(w->source(), "'weight' must be >= 0");
    }
    if (const toml::node* h = t.get("headers")) {
      const toml::table* headers = h->as_table();
      if (headers == nullptr) fail(h->source(), "'headers' must be a table of strings, e.g. headers = { accept = \"*/*\" }");
      for (const auto& [name, value] : *headers) {
        if (!value.is_string()) fail(value.source(), "header '" + std::string(name.str()) + "' must be a string");
        r.headers.emplace_back(std::string(name.str()), *value.value<std::string>());
      }
    }
    return r;
  }

  // A [[replay.map]] rule; `routes` are the scenario's, parsed before.
  ReplayMapRule replay_rule(const toml::table& t, const std::vector<ScenarioRoute>& routes) const {
    only_keys(t, {"prefix", "regex", "route", "method"}, "[[replay.map]]");
    ReplayMapRule rule;
    rule.line = static_cast<int>(t.source().begin.line);
    rule.prefix = string_at(t, "prefix", t.source(), false);
    rule.regex = string_at(t, "regex", t.source(), false);
    rule.method = string_at(t, "method", t.source(), false);
    if (rule.prefix.empty() == rule.regex.empty()) fail(t.source(), "[[replay.map]] needs exactly one of 'prefix' and 'regex'");
    if (!rule.regex.empty()) {
      try {
        std::regex compiled(rule.regex, std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        fail(t.get("regex")->source(), "'regex' \"" + rule.regex + "\" is not a valid regular expression: " + e.what());
      }
    }
    // `route`: a route's path ("/items/{id}"), or "METHOD path" when several routes share the path.
    const std::string target = string_at(t, "route", t.source(), true);
    const std::size_t space = target.find(' ');
    const std::string method = space == std::string::npos ? "" : target.substr(0, space);
    const std::string path = space == std::string::npos ? target : target.substr(space + 1);
    std::vector<std::size_t> found;
    for (std::size_t i = 0; i < routes.size(); ++i) {
      if (routes[i].path == path && (method.empty() || routes[i].method == method)) found.push_back(i);
    }
    if (found.empty()) fail(t.get("route")->source(), "'route' \"" + target + "\" names no [[route]] of this scenario");
    if (found.size() > 1) {
      fail(t.get("route")->source(), "'route' \"" + target + "\" matches several routes: write it as \"METHOD " + path + "\"");
    }
    rule.route = found.front();
    return rule;
  }

 private:
  std::string file_;
};

}  // namespace

Scenario load_scenario(const std::string& path) {
  if (!fs::is_regular_file(path)) throw ScenarioError(path + ": no such scenario file");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) throw ScenarioError(path + ": cannot read the scenario file");
  return parse_scenario(text.str(), path);
}

Scenario parse_scenario(std::string_view text, const std::string& path) {
  Parser p(path);
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    throw ScenarioError(path + ":" + std::to_string(e.source().begin.line) + ":" + std::to_string(e.source().begin.column) +
                        ": invalid TOML: " + std::string(e.description()));
  }
  p.only_keys(root, {"name", "description", "python_path", "load", "route", "subinterp_fallback", "replay"}, "the top level");

  Scenario s;
  s.file = path;
  const fs::path dir = fs::absolute(fs::path(path)).parent_path();
  s.name = p.string_at(root, "name", root.source(), false, fs::path(path).stem().string());
  s.description = p.string_at(root, "description", root.source(), false);
  s.subinterp_fallback = p.string_at(root, "subinterp_fallback", root.source(), false);
  if (!s.subinterp_fallback.empty() && s.subinterp_fallback != "fail" && s.subinterp_fallback != "main") {
    p.fail(root.get("subinterp_fallback")->source(),
           "'subinterp_fallback' must be \"fail\" or \"main\", got \"" + s.subinterp_fallback + "\"");
  }

  if (const toml::node* pp = root.get("python_path")) {
    const toml::array* arr = pp->as_array();
    if (arr == nullptr) p.fail(pp->source(), "'python_path' must be an array of directories");
    for (const toml::node& entry : *arr) {
      if (!entry.is_string()) p.fail(entry.source(), "'python_path' entries must be strings");
      s.python_path.push_back(fs::weakly_canonical(dir / *entry.value<std::string>()).string());
    }
  } else {
    s.python_path.push_back(dir.string());
  }

  if (const toml::node* load = root.get("load")) {
    const toml::table* t = load->as_table();
    if (t == nullptr) p.fail(load->source(), "'load' must be a table");
    p.only_keys(*t, {"requests", "warmup", "clients", "workers", "repetitions"}, "[load]");
    s.load.requests = p.positive_int_at(*t, "requests", false);
    s.load.warmup = p.positive_int_at(*t, "warmup", true);
    s.load.clients = p.positive_int_at(*t, "clients", false);
    s.load.workers = p.positive_int_at(*t, "workers", false);
    s.load.repetitions = p.positive_int_at(*t, "repetitions", false);
  }

  const toml::node* routes = root.get("route");
  if (routes == nullptr) p.fail(1, "no routes: add at least one [[route]] table");
  const toml::array* arr = routes->as_array();
  if (arr == nullptr || !arr->is_array_of_tables()) p.fail(routes->source(), "'route' must be an array of tables ([[route]])");
  double total_weight = 0;
  for (const toml::node& node : *arr) {
    s.routes.push_back(p.route(*node.as_table()));
    total_weight += s.routes.back().weight;
  }
  if (s.routes.empty()) p.fail(routes->source(), "no routes: add at least one [[route]] table");
  if (!(total_weight > 0)) p.fail(routes->source(), "the route weights sum to 0: no request could be sent");

  if (const toml::node* replay = root.get("replay")) {
    const toml::table* t = replay->as_table();
    if (t == nullptr) p.fail(replay->source(), "'replay' must be a table ([[replay.map]] entries)");
    p.only_keys(*t, {"map"}, "[replay]");
    if (const toml::node* map = t->get("map")) {
      const toml::array* rules = map->as_array();
      if (rules == nullptr || !rules->is_array_of_tables()) p.fail(map->source(), "'replay.map' must be an array of tables ([[replay.map]])");
      for (const toml::node& rule : *rules) s.replay_map.push_back(p.replay_rule(*rule.as_table(), s.routes));
    }
  }
  return s;
}

Scenario load_scenario_option(const std::string& path) {
  try {
    return load_scenario(path);
  } catch (const ScenarioError& e) {
    throw UsageError(e.what());
  }
}

}  // namespace fb::harness
