#include "harness/console/load.h"

#include <fmt/format.h>

#include "harness/results/summaries.h"
#include "harness/stats/configuration_aggregate.h"
#include "harness/text/units.h"

namespace fb::harness {
namespace {

void print_replay(const ReplayReport& r, std::FILE* out) {
  fmt::print(out, "replay {} ({}, {}): {} lines, {} requests sent once each ({} routed as recorded, {} by [[replay.map]]), "
                  "{} unmatched (not sent), {} malformed, {} blank\n",
             r.file, r.format, r.timing, format_count(static_cast<double>(r.lines)), format_count(static_cast<double>(r.requests)),
             format_count(static_cast<double>(r.routed)), format_count(static_cast<double>(r.mapped)),
             format_count(static_cast<double>(r.unmatched)), format_count(static_cast<double>(r.malformed)),
             format_count(static_cast<double>(r.blank)));
  if (!r.top_unmatched.empty()) {
    fmt::print(out, "  most frequent unmatched paths:");
    for (const UnmatchedPath& u : r.top_unmatched) fmt::print(out, " {} ({})", u.path, u.count);
    fmt::print(out, "\n");
  }
  for (const MalformedLine& m : r.first_malformed) fmt::print(out, "  malformed {}:{}: {}\n", r.file, m.line, m.reason);
  if (r.malformed > r.first_malformed.size()) {
    fmt::print(out, "  ... and {} more malformed lines\n", r.malformed - r.first_malformed.size());
  }
}

}  // namespace

void print_load(const ResultsDocument& doc, std::FILE* out) {
  bool replay_printed = false;
  for (const RunRecord& run : doc.runs) {
    if (!run.supported || !run.load.schedule) continue;
    const RunSummary s = summarize_run(run);
    const LoadFigures& f = s.load;
    if (run.replay && !replay_printed) {
      print_replay(*run.replay, out);
      replay_printed = true;
    }
    fmt::print(out, "\n{} rep {} · {} load: offered {} req/s, achieved {} req/s ({:.1f} %) · late sends {} (> {} behind) · "
                    "max lag {}\n",
               run.config, run.repetition + 1, f.mode, format_count(*f.offered_rps), format_count(f.achieved_rps),
               100.0 * f.achieved_ratio, format_count(static_cast<double>(f.late_sends)), format_ns(static_cast<double>(f.late_threshold_ns)),
               format_ns(static_cast<double>(f.max_lag_ns)));
    if (s.generator_limit_rps) {
      fmt::print(out, "  load generator's own limit here: {} req/s (no-op sends; offered is {:.1f} % of it)\n",
                 format_count(*s.generator_limit_rps), 100.0 * *f.offered_rps / *s.generator_limit_rps);
    }
    if (f.saturated) {
      fmt::print(out, "  *** SATURATED: achieved {} req/s is {:.1f} % below the offered {} req/s; the latencies describe a "
                      "growing queue, not this rate ***\n",
                 format_count(f.achieved_rps), 100.0 * (1.0 - f.achieved_ratio), format_count(*f.offered_rps));
    }
    const StageFigures& total = s.stage(FB_STAGE_TOTAL);
    const StageFigures& queue = s.stage(FB_STAGE_QUEUE);
    if (s.uncorrected_total) {
      fmt::print(out, "  total from the intended send time: p50 {} p99 {} p99.9 {} · uncorrected (from the actual send): p50 {} "
                      "p99 {} p99.9 {} · queue p99 {}\n",
                 format_ns(total.p50_ns), format_ns(total.p99_ns), format_ns(total.p999_ns), format_ns(s.uncorrected_total->p50_ns),
                 format_ns(s.uncorrected_total->p99_ns), format_ns(s.uncorrected_total->p999_ns), format_ns(queue.p99_ns));
    }
    if (f.little) {
      const LittleCheck& l = *f.little;
      fmt::print(out, "  Little's law: sampled mean in system {:.4g} (± {:.2g}, {} samples) vs achieved rate x mean total "
                      "{:.4g}: {:+.1f} %{}; with the uncorrected mean it would be {:.4g}\n",
                 l.measured_in_system, l.standard_error, l.samples, l.predicted_in_system, 100.0 * l.relative_difference,
                 !l.checked ? fmt::format("  (not checked: under {} in the system)", kLittleMinInSystem)
                 : l.holds  ? std::string(" (holds)")
                            : std::string("  *** does not hold: the run was not in a steady state ***"),
                 l.predicted_uncorrected_in_system);
    }
  }
}

void print_load_summary(const std::vector<ConfigurationAggregate>& aggregates, std::FILE* out) {
  for (const ConfigurationAggregate& a : aggregates) {
    if (!a.supported || !a.load) continue;
    const ConfigurationAggregate::Load& l = *a.load;
    fmt::print(out, "{:<20} {} load: offered {} req/s, achieved {} req/s (medians over {} repetition(s))\n", a.config, l.mode,
               format_count(l.offered_rps), format_count(l.achieved_rps), a.repetitions);
    if (l.saturated_repetitions > 0) {
      fmt::print(out, "  *** SATURATED: {} of {} repetition(s) of {} achieved more than {:.0f} % below the offered rate; "
                      "their latencies describe a growing queue ***\n",
                 l.saturated_repetitions, a.repetitions, a.config, 100.0 * kSaturationShortfall);
    }
  }
}

void print_route_tables(const std::vector<ConfigurationAggregate>& aggregates, std::FILE* out) {
  for (const ConfigurationAggregate& a : aggregates) {
    if (!a.supported || a.routes.empty()) continue;
    fmt::print(out, "\n== {} per route (medians over {} repetition(s); each route's stages from its own requests) ==\n",
               a.config, a.repetitions);
    for (const RouteAggregate& r : a.routes) {
      fmt::print(out, "{} {} · {} requests ({:.1f} %) · 5xx {} · 4xx {}\n", r.method, r.path, format_count(r.requests),
                 100.0 * r.share, format_count(r.errors), format_count(r.client_errors));
      std::string line;
      for (std::size_t st = 0; st < probes::kStageCount; ++st) {
        const RouteStageMedians& m = r.stages[st];
        if (m.count <= 0) continue;
        line += fmt::format("  {} p50 {} p99 {}", probes::kStageNames[st], format_ns(m.p50_ns), format_ns(m.p99_ns));
      }
      fmt::print(out, "{}\n", line.empty() ? "  (no measured requests)" : line);
    }
  }
}

}  // namespace fb::harness
