#include "harness/load/request_mix.h"

#include <algorithm>

namespace fb::harness {

RequestMix::RequestMix(const Scenario& scenario) {
  double running = 0;
  for (std::size_t i = 0; i < scenario.routes.size(); ++i) {
    const ScenarioRoute& route = scenario.routes[i];
    RequestSpec s;
    s.method = route.method;
    const std::size_t q = route.request.find('?');
    s.path = route.request.substr(0, q);
    s.query = q == std::string::npos ? "" : route.request.substr(q + 1);
    s.body = route.body;
    s.headers = route.headers;
    table_.add(std::move(s), i);
    running += route.weight;
    cumulative_.push_back(running);
  }
}

std::size_t RequestMix::pick(std::mt19937_64& rng) const {
  if (cumulative_.size() == 1) return 0;
  const double u = std::uniform_real_distribution<double>(0.0, cumulative_.back())(rng);
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
  return std::min<std::size_t>(static_cast<std::size_t>(it - cumulative_.begin()), cumulative_.size() - 1);
}

}  // namespace fb::harness
