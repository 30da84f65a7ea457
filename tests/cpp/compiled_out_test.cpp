// What a user is told when an optimization is compiled out: this test links a second copy of
// framework/options.cpp built as if every FASTERBENCH_OPT_* were OFF (the object library
// fasterbench_options_all_off, tests/cpp/CMakeLists.txt) in place of the framework's own, so
// the messages of a -DFASTERBENCH_OPT_X=OFF build are checked in the usual all-ON build without
// building the framework twice. The rest of the framework and harness is the ordinary build: the
// App and `run` refuse the optimization before any of its code could run, from that one answer.
#include <gtest/gtest.h>
#include <patchlevel.h>  // PY_VERSION_HEX

#include <cctype>
#include <string>

#include "framework/app.h"
#include "framework/options.h"
#include "harness/cli/exit_codes.h"
#include "harness/commands/run_options.h"

namespace {

using fb::Optimization;

std::string cmake_option(Optimization opt) {
  std::string name(fb::optimization_name(opt));  // "inline-future"
  for (char& c : name) c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "FASTERBENCH_OPT_" + name;
}

fb::OptimizationSet only(Optimization opt) {
  fb::OptimizationSet set;
  set.set(opt, true);
  return set;
}

TEST(CompiledOut, EachReasonNamesItsCMakeOptionAndHowToGetItBack) {
  for (Optimization opt : fb::kAllOptimizations) {
    const std::string expected = "compiled out (this build was configured with -D" + cmake_option(opt) + "=OFF; reconfigure with =ON)";
    if (opt == Optimization::subinterp && PY_VERSION_HEX < 0x030C0000) continue;  // the Python version is the reason then
    EXPECT_EQ(fb::unavailable_reason(opt), expected);
    EXPECT_EQ(fb::unavailable_reason(only(opt)), std::string(fb::optimization_name(opt)) + ": " + expected);
  }
  EXPECT_EQ(fb::unavailable_reason(fb::OptimizationSet{}), "") << "the baseline needs no optimization";
}

TEST(CompiledOut, TheAppRefusesEachOneNamingIt) {
  for (Optimization opt : fb::kAllOptimizations) {
    fb::AppConfig config;
    config.routes = {{"GET", "/hello", "fb_test_handlers:hello"}};
    config.optimizations = only(opt);
    try {
      fb::App app(config);
      ADD_FAILURE() << fb::optimization_name(opt) << ": the App started without it";
    } catch (const fb::ConfigError& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.rfind(std::string(fb::optimization_name(opt)) + ": ", 0), 0u) << what;
      EXPECT_NE(what.find("-D" + cmake_option(opt) + "=OFF"), std::string::npos) << what;
    }
  }
}

// What `run --phase P4` and `phases` check before measuring (harness/commands/run_options.h).
TEST(CompiledOut, RunRefusesAPhaseNamingTheFirstMissingOptimization) {
  const auto p4 = fb::phase_optimizations("P4");
  ASSERT_TRUE(p4.has_value());
  try {
    fb::harness::require_available(*p4);
    ADD_FAILURE() << "P4 was accepted";
  } catch (const fb::harness::UsageError& e) {
    EXPECT_EQ(std::string(e.what()),
              "P4 is not available: direct: compiled out (this build was configured with -DFASTERBENCH_OPT_DIRECT=OFF; "
              "reconfigure with =ON)");
  }
  EXPECT_NO_THROW(fb::harness::require_available(fb::OptimizationSet{}));  // P0 still runs
}

}  // namespace
