#include "framework/options.h"

#include <Python.h>

#include <stdexcept>

namespace fb {

std::string_view optimization_name(Optimization opt) {
  switch (opt) {
    case Optimization::direct: return "direct";
    case Optimization::lockfree: return "lockfree";
    case Optimization::subinterp: return "subinterp";
    case Optimization::inline_future: return "inline-future";
    case Optimization::fast_marshal: return "fast-marshal";
  }
  return "?";
}

std::optional<Optimization> optimization_from_name(std::string_view name) {
  for (Optimization opt : kAllOptimizations) {
    if (optimization_name(opt) == name) return opt;
  }
  return std::nullopt;
}

bool OptimizationSet::has(Optimization opt) const {
  switch (opt) {
    case Optimization::direct: return direct;
    case Optimization::lockfree: return lockfree;
    case Optimization::subinterp: return subinterp;
    case Optimization::inline_future: return inline_future;
    case Optimization::fast_marshal: return fast_marshal;
  }
  return false;
}

void OptimizationSet::set(Optimization opt, bool on) {
  switch (opt) {
    case Optimization::direct: direct = on; break;
    case Optimization::lockfree: lockfree = on; break;
    case Optimization::subinterp: subinterp = on; break;
    case Optimization::inline_future: inline_future = on; break;
    case Optimization::fast_marshal: fast_marshal = on; break;
  }
}

std::vector<Optimization> OptimizationSet::enabled() const {
  std::vector<Optimization> out;
  for (Optimization opt : kAllOptimizations) {
    if (has(opt)) out.push_back(opt);
  }
  return out;
}

std::vector<std::string> OptimizationSet::names() const {
  std::vector<std::string> out;
  for (Optimization opt : enabled()) out.emplace_back(optimization_name(opt));
  return out;
}

std::optional<OptimizationSet> phase_optimizations(std::string_view phase) {
  if (phase.size() != 2 || (phase[0] != 'P' && phase[0] != 'p') || phase[1] < '0' || phase[1] >= '0' + kPhaseCount) {
    return std::nullopt;
  }
  const int n = phase[1] - '0';
  OptimizationSet set;
  for (int i = 0; i < n; ++i) set.set(kAllOptimizations[static_cast<std::size_t>(i)]);
  return set;
}

OptimizationSet all_optimizations() { return *phase_optimizations("P" + std::to_string(kPhaseCount - 1)); }

std::string phase_of(const OptimizationSet& opts) {
  for (int p = 0; p < kPhaseCount; ++p) {
    const std::string name = "P" + std::to_string(p);
    if (*phase_optimizations(name) == opts) return name;
  }
  return "";
}

std::string phase_names_list() {
  std::string out;
  for (int p = 0; p < kPhaseCount; ++p) out += (p == 0 ? "P" : ", P") + std::to_string(p);
  return out;
}

std::string optimization_names_list() {
  std::string out;
  for (Optimization opt : kAllOptimizations) {
    if (!out.empty()) out += ", ";
    out += optimization_name(opt);
  }
  return out;
}

std::string config_label(const OptimizationSet& opts) {
  std::string phase = phase_of(opts);
  if (!phase.empty()) return phase;
  std::string label;
  for (const std::string& name : opts.names()) {
    if (!label.empty()) label += '+';
    label += name;
  }
  return label;
}

OptimizationSet parse_optimizations(std::string_view list) {
  OptimizationSet set;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = list.find(',', start);
    std::string_view item = list.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) {
      auto opt = optimization_from_name(item);
      if (!opt) {
        throw std::invalid_argument("unknown optimization '" + std::string(item) +
                                    "' (accepted: " + optimization_names_list() + ")");
      }
      set.set(*opt);
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return set;
}

std::string_view subinterp_fallback_name(SubinterpFallback fallback) {
  return fallback == SubinterpFallback::main ? "main" : "fail";
}

std::optional<SubinterpFallback> subinterp_fallback_from_name(std::string_view name) {
  if (name == "fail") return SubinterpFallback::fail;
  if (name == "main") return SubinterpFallback::main;
  return std::nullopt;
}

namespace {

// Compile-time presence of each optimization's code path (CMake options of the same name).
bool compiled_in(Optimization opt) {
  switch (opt) {
    case Optimization::direct: return FASTERBENCH_HAVE_DIRECT;
    case Optimization::lockfree: return FASTERBENCH_HAVE_LOCKFREE;
    case Optimization::subinterp: return FASTERBENCH_HAVE_SUBINTERP;
    case Optimization::inline_future: return FASTERBENCH_HAVE_INLINE_FUTURE;
    case Optimization::fast_marshal: return FASTERBENCH_HAVE_FAST_MARSHAL;
  }
  return false;
}

std::string cmake_option(Optimization opt) {
  switch (opt) {
    case Optimization::direct: return "FASTERBENCH_OPT_DIRECT";
    case Optimization::lockfree: return "FASTERBENCH_OPT_LOCKFREE";
    case Optimization::subinterp: return "FASTERBENCH_OPT_SUBINTERP";
    case Optimization::inline_future: return "FASTERBENCH_OPT_INLINE_FUTURE";
    case Optimization::fast_marshal: return "FASTERBENCH_OPT_FAST_MARSHAL";
  }
  return "?";
}

// The CMake option as configured (FASTERBENCH_OPTION_*), which may be ON for a path this source
// tree does not implement yet.
bool option_on(Optimization opt) {
  switch (opt) {
    case Optimization::direct: return FASTERBENCH_OPTION_DIRECT;
    case Optimization::lockfree: return FASTERBENCH_OPTION_LOCKFREE;
    case Optimization::subinterp: return FASTERBENCH_OPTION_SUBINTERP;
    case Optimization::inline_future: return FASTERBENCH_OPTION_INLINE_FUTURE;
    case Optimization::fast_marshal: return FASTERBENCH_OPTION_FAST_MARSHAL;
  }
  return false;
}

}  // namespace

std::string unavailable_reason(Optimization opt) {
  // The Python check comes first: with an older Python the path is compiled out too
  // (FASTERBENCH_HAVE_SUBINTERP needs both), and the version is the reason to report.
  if (opt == Optimization::subinterp && PY_VERSION_HEX < 0x030C0000) {
    return std::string("needs Python >= 3.12 (this build embeds ") + PY_VERSION + ")";
  }
  if (!compiled_in(opt)) {
    // Only reachable if a HAVE_ definition is forced off while its option is ON.
    if (option_on(opt)) return "missing from this build although " + cmake_option(opt) + " is ON (see framework/CMakeLists.txt)";
    return "compiled out (this build was configured with -D" + cmake_option(opt) + "=OFF; reconfigure with =ON)";
  }
  return "";
}

std::string unavailable_reason(const OptimizationSet& opts) {
  for (Optimization opt : opts.enabled()) {
    std::string reason = unavailable_reason(opt);
    if (!reason.empty()) return std::string(optimization_name(opt)) + ": " + reason;
  }
  return "";
}

}  // namespace fb
