#include "harness/console/sweep.h"

#include <fmt/format.h>

#include "harness/text/units.h"

namespace fb::harness {

namespace {

std::string saturation_text(const SweepStep& s) {
  if (s.load.saturated && s.latency_saturated) return "rate+p99";
  if (s.load.saturated) return "rate";
  if (s.latency_saturated) return fmt::format("p99>{:g}x", kSweepStopMultiple);
  return "no";
}

std::string little_text(const SweepStep& s) {
  if (!s.load.little) return "-";
  const LittleCheck& l = *s.load.little;
  if (!l.checked) return fmt::format("unchecked (L {:.3g})", l.measured_in_system);
  return fmt::format("{} ({:+.0f} %)", l.holds ? "holds" : "FAILS", 100.0 * l.relative_difference);
}

}  // namespace

void print_sweep_step(const SweepPhase& phase, const SweepStep& s, std::FILE* out) {
  fmt::print(out, "  {} @ {:.0f} req/s: achieved {:.0f}, p50 {}, p99 {}, late sends {}, saturated: {}, Little's law: {}\n",
             phase.label, s.offered_rps, s.load.achieved_rps, format_ns(s.p50_ns), format_ns(s.p99_ns), s.load.late_sends,
             saturation_text(s), little_text(s));
}

void print_sweep_table(const std::vector<SweepPhase>& phases, std::FILE* out) {
  fmt::print(out, "\nSaturation sweep (p50/p99 of total from the intended send time; knee: the highest achieved rate "
                  "short of saturation with p99 within {:g}x the phase's best p99; a phase stops at a step {:g} % short "
                  "of its rate or with p99 above {:g}x its lowest-rate p99)\n",
             kKneeMultiple, 100.0 * kSaturationShortfall, kSweepStopMultiple);
  fmt::print(out, "{:<7} {:>10} {:>10} {:>10} {:>10} {:>8} {:>10} {:>6}  {}\n", "phase", "rate", "achieved", "p50", "p99",
             "late", "saturated", "steal", "Little's law");
  bool little_failed = false;
  for (const SweepPhase& p : phases) {
    if (!p.unsupported.empty()) {
      fmt::print(out, "{:<7} not supported here: {}\n", p.label, p.unsupported);
      continue;
    }
    const std::optional<std::size_t> knee = knee_step(p.steps);
    for (std::size_t i = 0; i < p.steps.size(); ++i) {
      const SweepStep& s = p.steps[i];
      little_failed = little_failed || (s.load.little && s.load.little->checked && !s.load.little->holds);
      fmt::print(out, "{:<7} {:>10.0f} {:>10.0f} {:>10} {:>10} {:>8} {:>10} {:>6}  {}{}\n", p.label, s.offered_rps,
                 s.load.achieved_rps, format_ns(s.p50_ns), format_ns(s.p99_ns), s.load.late_sends, saturation_text(s),
                 s.steal_pct ? fmt::format("{:.1f}%", *s.steal_pct) : "-", little_text(s),
                 knee && *knee == i ? "  <- knee" : "");
    }
    if (knee) {
      const double best = *best_p99(p.steps);
      fmt::print(out, "{:<7} knee: {:.0f} req/s achieved (offered {:.0f}), p99 {} ({:.1f}x the best p99 {}; lowest-rate p99 {}){}\n",
                 p.label, p.steps[*knee].load.achieved_rps, p.steps[*knee].offered_rps, format_ns(p.steps[*knee].p99_ns),
                 p.steps[*knee].p99_ns / best, format_ns(best), format_ns(p.steps.front().p99_ns),
                 p.climbing ? " · never saturated: the knee may lie higher" : "");
    } else if (!p.steps.empty()) {
      fmt::print(out, "{:<7} no knee: saturated at the lowest rate ({:.0f} req/s); sweep lower rates\n", p.label,
                 p.steps.front().offered_rps);
    }
  }
  if (little_failed) {
    fmt::print(out, "warning: Little's law does not hold at the steps marked FAILS: those runs were not in a steady "
                    "state (their mean in system and achieved rate x mean latency disagree by more than {:g} %)\n",
               100.0 * kLittleTolerance);
  }
}

}  // namespace fb::harness
