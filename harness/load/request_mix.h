// The scenario's weighted route mix, with every request pre-built so that sending one costs a
// random draw and nothing else (the load generator must never be the bottleneck).
#pragma once

#include <cstddef>
#include <random>
#include <vector>

#include "framework/http.h"
#include "harness/load/request_table.h"
#include "harness/scenario/scenario.h"

namespace fb::harness {

class RequestMix {
 public:
  explicit RequestMix(const Scenario& scenario);
  RequestMix(const RequestMix&) = delete;
  RequestMix& operator=(const RequestMix&) = delete;

  // Index of a route drawn with the scenario's weights.
  std::size_t pick(std::mt19937_64& rng) const;
  const Request& request(std::size_t route) const { return table_.request(route); }
  std::size_t size() const noexcept { return table_.size(); }
  // One request per route, request i for route i.
  const RequestTable& table() const noexcept { return table_; }

 private:
  RequestTable table_;
  std::vector<double> cumulative_;  // running sum of weights, last = total
};

}  // namespace fb::harness
