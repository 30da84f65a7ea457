// The optimizations as runtime switches (the plan's four, and fast-marshal beyond it), the
// cumulative phases, and whether a switch can be honoured by this build and this Python.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fb {

enum class Optimization { direct, lockfree, subinterp, inline_future, fast_marshal };

// In cumulative-phase order: P<n> switches on the first n.
inline constexpr std::array<Optimization, 5> kAllOptimizations = {Optimization::direct, Optimization::lockfree,
                                                                  Optimization::subinterp, Optimization::inline_future,
                                                                  Optimization::fast_marshal};

// "direct", "lockfree", "subinterp", "inline-future", "fast-marshal": the CLI and results spelling.
std::string_view optimization_name(Optimization opt);
std::optional<Optimization> optimization_from_name(std::string_view name);

struct OptimizationSet {
  bool direct = false;
  bool lockfree = false;
  bool subinterp = false;
  bool inline_future = false;
  bool fast_marshal = false;  // #5, beyond the plan: lazy request object, native JSON (python/fast_marshal.h)

  bool has(Optimization opt) const;
  void set(Optimization opt, bool on = true);
  std::vector<Optimization> enabled() const;
  std::vector<std::string> names() const;  // in plan order
  bool operator==(const OptimizationSet&) const = default;
};

// "P0".."P5": the cumulative order (P1 = +direct, P2 = +lockfree, ... P4 = +inline-future, the
// plan's last; P5 = P4 + fast-marshal, which the plan does not have).
inline constexpr int kPhaseCount = 6;
// "P0, P1, P2, P3, P4, P5": for messages that list the accepted phases.
std::string phase_names_list();
// "direct, lockfree, subinterp, inline-future, fast-marshal".
std::string optimization_names_list();
std::optional<OptimizationSet> phase_optimizations(std::string_view phase);
// Every switch on: the last phase.
OptimizationSet all_optimizations();
// "P3" when `opts` is one of the cumulative phases, else "".
std::string phase_of(const OptimizationSet& opts);
// A display label: the phase name, or the enabled names joined with '+' ("lockfree+subinterp"),
// or "P0" for the empty set.
std::string config_label(const OptimizationSet& opts);

// Parses "direct,lockfree" (names separated by commas). Throws std::invalid_argument naming
// the unknown item and the accepted names.
OptimizationSet parse_optimizations(std::string_view list);

// What --opt subinterp does with a route whose handler cannot be imported in an own-GIL
// sub-interpreter (it imports a single-phase-init extension such as readline): `fail` the
// start-up with an error naming the route and the module, or run that route in the `main`
// interpreter (under the shared main GIL) and report it.
enum class SubinterpFallback { fail, main };
std::string_view subinterp_fallback_name(SubinterpFallback fallback);  // "fail", "main"
std::optional<SubinterpFallback> subinterp_fallback_from_name(std::string_view name);

// Why `opt` cannot run here: compiled out (names the CMake option), or not supported by the
// embedded Python. Empty when it can run.
std::string unavailable_reason(Optimization opt);
// The first reason among the set's enabled optimizations, or "".
std::string unavailable_reason(const OptimizationSet& opts);

}  // namespace fb
