// Synthetic results documents for the compare/gate/baseline tests: just the keys those
// commands read, with chosen per-repetition values.
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace fb::testing {

inline nlohmann::json results_doc(const std::string& cpu = "Test CPU", const std::string& python = "3.13.0") {
  return {{"schema_version", 1},
          {"scenario", {{"name", "hello"}, {"file", "scenarios/hello.toml"}}},
          {"context",
           {{"cpu_model", cpu},
            {"python", {{"version", python}, {"executable", "/usr/bin/python3"}}},
            {"build_type", "RelWithDebInfo"},
            {"compiler", "GNU 12.2.0"},
            {"options", {{"FASTERBENCH_OPT_DIRECT", true}}},
            {"git_revision", "abc123"},
            {"date", "2026-01-02T03:04:05Z"}}},
          {"config", {{"requests", 5000}, {"warmup", 500}, {"clients", 1}, {"workers", 2}, {"inject_delay", nullptr}}},
          {"runs", nlohmann::json::array()}};
}

// Appends one run per value: stages.<stage>.p50_ns = value (p99 = 2 x value), count 1000;
// every other stage of the vocabulary gets `other_ns` (count 1000), except those in `absent`
// (count 0, value 0).
inline void add_runs(nlohmann::json& doc, const std::string& config, const std::string& stage,
                     const std::vector<double>& values, double other_ns = 100,
                     const std::vector<std::string>& absent = {}) {
  static const char* kStages[] = {"route", "dispatch", "gil", "marshal", "handler", "future", "other", "total"};
  int rep = 0;
  for (double v : values) {
    nlohmann::json stages = nlohmann::json::object();
    for (const char* s : kStages) {
      const bool gone = std::find(absent.begin(), absent.end(), s) != absent.end();
      const double value = s == stage ? v : gone ? 0 : other_ns;
      stages[s] = {{"count", gone ? 0 : 1000}, {"p50_ns", value}, {"p99_ns", 2 * value}, {"mean_ns", value}};
    }
    doc["runs"].push_back({{"config", config}, {"phase", config}, {"opts", nlohmann::json::array()},
                           {"repetition", rep++}, {"supported", true}, {"stages", stages}});
  }
}

inline void add_unsupported(nlohmann::json& doc, const std::string& config) {
  doc["runs"].push_back({{"config", config}, {"repetition", 0}, {"supported", false},
                         {"unsupported_reason", "needs Python >= 3.12"}, {"stages", nlohmann::json::object()}});
}

}  // namespace fb::testing
