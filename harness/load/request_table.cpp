#include "harness/load/request_table.h"

namespace fb::harness {

std::size_t RequestTable::add(RequestSpec spec, std::size_t route) {
  const RequestSpec& s = storage_.emplace_back(std::move(spec));
  Request r;
  r.method = s.method;
  r.path = s.path;
  r.query = s.query;
  r.body = s.body;
  for (const auto& [name, value] : s.headers) r.headers.push_back({name, value});
  requests_.push_back(std::move(r));
  routes_.push_back(route);
  return requests_.size() - 1;
}

}  // namespace fb::harness
