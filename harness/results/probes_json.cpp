#include "harness/results/probes_json.h"

#include "harness/probes/probe_figures.h"
#include "harness/results/json_values.h"
#include "harness/results/results_json.h"
#include "probes/stage_names.h"

namespace fb::harness {
namespace {

using nlohmann::json;

json calibration_json(const HitCostCalibration& c) {
  return {{"hit_ns", c.hit_ns},
          {"detached_ns_per_point", c.detached_ns_per_point},
          {"attached_ns_per_point", c.attached_ns_per_point},
          {"points", c.points},
          {"prime_ns", c.prime_ns},
          {"point_ns", c.point_ns}};
}

json program_json(const std::optional<probes::ProgramRunTime>& t) {
  if (!t) return nullptr;
  return {{"runs", t->runs},
          {"ns", t->ns},
          {"ns_per_run", t->runs == 0 ? 0.0 : static_cast<double>(t->ns) / static_cast<double>(t->runs)}};
}

json ebpf_json(const EbpfRunRecord& e) {
  const probes::EbpfSnapshot& snap = e.snapshot;
  json stages = json::object(), offcpu = json::object(), hits = json::object(), points = json::object(),
       skew = json::object();
  for (std::size_t s = 0; s < probes::kStageCount; ++s) {
    const auto stage = static_cast<fb_stage>(s);
    const std::string name(probes::stage_name(stage));
    stages[name] = stage_to_json(snap.stages[s], snap.signed_mean(stage));
    hits[name] = e.probe_hits[s];
    const EbpfStageFigures f = ebpf_stage_figures(e, stage);
    offcpu[name] = {{"count", f.count},
                    {"on_cpu_ns", f.on_cpu_ns},
                    {"off_cpu_ns", f.off_cpu_ns},
                    {"off_cpu_share", f.off_cpu_share},
                    {"probe_ns", f.probe_ns},
                    {"on_cpu_total_ns", snap.on_cpu_ns[s]},
                    {"off_cpu_total_ns", snap.off_cpu_ns[s]}};
  }
  for (std::size_t p = 0; p < probes::kPointCount; ++p) {
    const std::string name(probes::kPointNames[p]);
    points[name] = snap.point_hits[p];
    const PointSkew& k = e.point_skew[p];
    skew[name] = {{"count", k.count}, {"p25_ns", k.p25_ns}, {"p50_ns", k.p50_ns}, {"p75_ns", k.p75_ns}};
  }
  json wakeup = json::object();
  for (std::size_t r = 0; r < probes::kWakeupRoleCount; ++r) {
    wakeup[std::string(probes::kWakeupRoleNames[r])] = stage_to_json(snap.wakeup[r], snap.wakeup[r].mean());
  }
  return {{"attached", true},
          {"hit_cost_ns", e.calibration.hit_ns},
          {"prime_cost_ns", e.calibration.prime_ns},
          {"point_cost_ns", e.calibration.point_ns},
          {"calibration", calibration_json(e.calibration)},
          {"requests", snap.requests},
          {"usdt_hits", snap.hits},
          {"primes", snap.primes},
          {"point_hits", points},
          {"records", snap.records.size()},
          {"ring_drops", snap.ring_drops},
          {"missing_requests", snap.missing_request},
          {"table_full", snap.table_full},
          {"probe_hits", hits},
          {"point_skew", skew},
          {"stages", stages},
          {"offcpu", offcpu},
          {"wakeup", wakeup},
          {"scheduler",
           {{"switches_in", snap.switches_in}, {"charged_switches", snap.charged_switches}, {"wakeups", snap.wakeups}}},
          {"programs", {{"usdt", program_json(snap.stage_program)}, {"sched", program_json(snap.sched_programs)}}}};
}

json cross_validation_json(const std::vector<CrossValidationRow>& rows) {
  json out = json::object();
  for (const CrossValidationRow& r : rows) {
    out[std::string(probes::stage_name(r.stage))] = {{"inproc_p50_ns", r.inproc_p50_ns},
                                                     {"ebpf_p50_ns", r.ebpf_p50_ns},
                                                     {"agree", r.agree},
                                                     {"checked", r.checked},
                                                     {"tolerance_ns", r.tolerance_ns},
                                                     {"stage_p50_ns", r.stage_p50_ns},
                                                     {"inproc_p50_raw_ns", r.inproc_p50_raw_ns},
                                                     {"ebpf_p50_raw_ns", r.ebpf_p50_raw_ns},
                                                     {"probe_hits", r.probe_hits},
                                                     {"probe_ns", r.probe_ns},
                                                     {"inproc_count", r.inproc_count},
                                                     {"ebpf_count", r.ebpf_count},
                                                     {"matched", r.matched},
                                                     {"paired_median_diff_ns", r.paired_median_diff_ns}};
  }
  return out;
}

}  // namespace

json probes_to_json(const RunRecord& run) {
  json j = {{"backend", run.probes_backend},
            {"requested", run.probes_requested},
            {"stamp_cost_ns", run.stamp_cost_ns},
            {"sample", run.probe_sample},
            {"sample_reason", run.probe_sample_reason},
            {"sampled_requests", run.load.sampled_requests}};
  // Every measured request's total, sampled ones included: what attaching the probes costs the
  // whole load (--probe-ab compares this), where runs[].stages leaves the sampled requests out.
  const probes::Histogram all_total = all_requests_total(run.load);
  j["all_requests_total"] = stage_to_json(all_total, all_total.mean());
  if (run.load.sampled_requests > 0) {
    // The sampled requests' in-process view: they carry the probes' cost, so they are not in
    // runs[].stages.
    json stages = json::object();
    for (std::size_t s = 0; s < probes::kStageCount; ++s) {
      const auto stage = static_cast<fb_stage>(s);
      stages[std::string(probes::stage_name(stage))] =
          stage_to_json(run.load.sampled_stages->stage(stage), run.load.sampled_stages->signed_mean(stage));
    }
    j["sampled_stages"] = stages;
  }
  if (!run.ebpf_unavailable.empty()) j["ebpf_unavailable"] = run.ebpf_unavailable;
  j["overhead_ns_per_request"] = value_or_null(overhead_ns_per_request(run));
  if (run.ebpf) {
    j["ebpf"] = ebpf_json(*run.ebpf);
    const std::optional<double>& sched = run.ebpf->sched_ns_per_request;
    // The scheduler programs run on every context switch of the machine (they return at once for
    // other processes and outside sampled requests); their runs are all charged here.
    const auto& sched_runs = run.ebpf->snapshot.sched_programs;
    j["overhead"] = {{"usdt_ns_per_request", run.ebpf->usdt_ns_per_request},
                     {"sched_ns_per_request", value_or_null(sched)},
                     {"sched_runs_per_request",
                      sched_runs && run.load.requests > 0
                          ? json(static_cast<double>(sched_runs->runs) / static_cast<double>(run.load.requests))
                          : json(nullptr)}};
  }
  if (!run.cross_validation.empty()) j["cross_validation"] = cross_validation_json(run.cross_validation);
  return j;
}

json ebpf_context_to_json(const EbpfContext& c) {
  json j = {{"compiled_in", c.compiled_in},
            {"requested", c.requested},
            {"available", c.available},
            {"reason", c.reason},
            {"description", c.description}};
  j["calibration"] = c.calibration ? calibration_json(*c.calibration) : json(nullptr);
  return j;
}

}  // namespace fb::harness
