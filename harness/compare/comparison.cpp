#include "harness/compare/comparison.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "harness/cli/exit_codes.h"
#include "harness/stats/aggregate.h"
#include "probes/stage_names.h"

namespace fb::harness {

using nlohmann::json;

const char* metric_name(Metric metric) { return metric == Metric::p50 ? "p50" : "p99"; }
const char* metric_json_key(Metric metric) { return metric == Metric::p50 ? "p50_ns" : "p99_ns"; }

namespace {

// Measured runs grouped by configuration, in order of first appearance, each group sorted
// by repetition.
struct RunsByConfig {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const json*>> runs;
  std::vector<std::string> unsupported;
};

RunsByConfig group_runs(const json& doc) {
  RunsByConfig g;
  for (const json& run : doc.at("runs")) {
    const std::string config = run.at("config").get<std::string>();
    if (!run.value("supported", true)) {
      g.unsupported.push_back(config);
      continue;
    }
    if (run.contains("crashed")) continue;  // a repetition whose process died: nothing measured
    if (!g.runs.contains(config)) g.order.push_back(config);
    g.runs[config].push_back(&run);
  }
  for (auto& [config, runs] : g.runs) {
    std::stable_sort(runs.begin(), runs.end(), [](const json* a, const json* b) {
      return a->at("repetition").get<int>() < b->at("repetition").get<int>();
    });
  }
  return g;
}

// A stage a run does not have counts as not gone through: count 0, value 0 (as the harness
// writes an empty stage: count 0 and percentiles 0; docs/results-schema.md).
double stage_value(const json& run, const std::string& stage, const char* key) {
  const json& stages = run.at("stages");
  if (!stages.contains(stage)) return 0;
  return stages.at(stage).at(key).get<double>();
}

SideSummary summarize(std::vector<double> values) {
  SideSummary s;
  s.values = std::move(values);
  if (s.values.empty()) return s;
  s.median = median(s.values);
  s.min = *std::min_element(s.values.begin(), s.values.end());
  s.max = *std::max_element(s.values.begin(), s.values.end());
  return s;
}

std::string as_text(const json& value) {
  if (value.is_null()) return "none";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

// The value at a dotted path ("python.version"), or null.
json at_path(const json& doc, const std::string& path) {
  const json* node = &doc;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(key)) return nullptr;
    node = &node->at(key);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return *node;
}

}  // namespace

std::vector<std::string> parse_stage_list(const std::string& list) {
  std::vector<std::string> out;
  std::string item;
  auto flush = [&] {
    if (item.empty()) return;
    if (!probes::stage_from_name(item)) {
      std::string accepted;
      for (std::string_view s : probes::kStageNames) accepted += (accepted.empty() ? "" : ", ") + std::string(s);
      throw UsageError(fmt::format("unknown stage '{}' (accepted: {})", item, accepted));
    }
    if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
    item.clear();
  };
  for (char c : list) {
    if (c == ',') {
      flush();
    } else if (c != ' ') {
      item += c;
    }
  }
  flush();
  if (out.empty()) {
    for (std::string_view s : probes::kStageNames) out.emplace_back(s);
  }
  return out;
}

SourceInfo source_info(const json& doc, const std::string& label) {
  SourceInfo s;
  s.label = label;
  s.scenario = as_text(at_path(doc, "scenario.name"));
  s.git_revision = as_text(at_path(doc, "context.git_revision"));
  s.date = as_text(at_path(doc, "context.date"));
  s.python = as_text(at_path(doc, "context.python.version"));
  return s;
}

std::vector<ContextDifference> context_differences(const json& baseline, const json& candidate) {
  std::vector<std::string> keys = {"scenario.name",         "context.cpu_model", "context.python.version",
                                   "context.build_type",    "context.compiler"};
  // Every CMake option either side recorded.
  std::vector<std::string> options;
  for (const json* doc : {&baseline, &candidate}) {
    const json opts = at_path(*doc, "context.options");
    if (!opts.is_object()) continue;
    for (const auto& [name, value] : opts.items()) {
      if (std::find(options.begin(), options.end(), name) == options.end()) options.push_back(name);
    }
  }
  for (const std::string& name : options) keys.push_back("context.options." + name);
  // How the processes were placed and kept comparable (harness/placement/, harness/hygiene/): a
  // difference here can move the figures more than the change being gated.
  for (const char* key : {"context.placement.policy", "context.placement.cpus", "context.process.hash_seed",
                          "context.process.aslr", "context.process.environment"}) {
    keys.push_back(key);
  }
  for (const char* key : {"requests", "warmup", "clients", "workers", "future_spin_ns", "wait", "inject_delay"}) {
    keys.push_back(std::string("config.") + key);
  }

  std::vector<ContextDifference> out;
  for (const std::string& key : keys) {
    const json b = at_path(baseline, key), c = at_path(candidate, key);
    if (b == c) continue;
    // Strip the "context." prefix for display: "python.version", "options.X"; keep "config.".
    const std::string shown = key.rfind("context.", 0) == 0 ? key.substr(8) : key;
    out.push_back({shown, as_text(b), as_text(c)});
  }
  return out;
}

Comparison compare_results(const json& baseline, const SourceInfo& baseline_source, const json& candidate,
                           const SourceInfo& candidate_source, const CompareSettings& settings) {
  Comparison out;
  out.metric = settings.metric;
  out.baseline = baseline_source;
  out.candidate = candidate_source;
  out.context_differences = context_differences(baseline, candidate);
  const std::vector<std::string> stages = settings.stages.empty() ? parse_stage_list("") : settings.stages;
  for (const std::string& stage : stages) {
    if (!probes::stage_from_name(stage)) parse_stage_list(stage);  // throws naming it
  }

  const RunsByConfig b = group_runs(baseline), c = group_runs(candidate);
  for (const std::string& config : b.order) {
    if (!c.runs.contains(config)) {
      out.only_in_baseline.push_back(config);
      continue;
    }
    ConfigComparison cc;
    cc.config = config;
    const auto& b_runs = b.runs.at(config);
    const auto& c_runs = c.runs.at(config);
    for (const std::string& stage : stages) {
      StageComparison sc;
      sc.stage = stage;
      bool counted = false;
      std::vector<double> bv, cv;
      for (const json* r : b_runs) {
        counted = counted || stage_value(*r, stage, "count") > 0;
        bv.push_back(stage_value(*r, stage, metric_json_key(settings.metric)));
      }
      for (const json* r : c_runs) {
        counted = counted || stage_value(*r, stage, "count") > 0;
        cv.push_back(stage_value(*r, stage, metric_json_key(settings.metric)));
      }
      sc.exercised = counted;
      if (counted) {
        sc.baseline = summarize(std::move(bv));
        sc.candidate = summarize(std::move(cv));
        sc.ratio = ratio_of_medians(sc.baseline.values, sc.candidate.values);
        sc.test = mann_whitney_u(sc.candidate.values, sc.baseline.values);
      }
      cc.stages.push_back(std::move(sc));
    }
    out.configs.push_back(std::move(cc));
  }
  for (const std::string& config : c.order) {
    if (!b.runs.contains(config)) out.only_in_candidate.push_back(config);
  }
  if (out.configs.empty()) {
    auto list = [](const std::vector<std::string>& v) {
      std::string s;
      for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
      return s.empty() ? std::string("none") : s;
    };
    throw UsageError(fmt::format("no configuration measured in both files (baseline: {}; candidate: {})", list(b.order),
                                 list(c.order)));
  }
  return out;
}

}  // namespace fb::harness
