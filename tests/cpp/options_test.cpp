#include "framework/options.h"

#include <gtest/gtest.h>

using namespace fb;

TEST(Options, PhasesAreCumulative) {
  EXPECT_EQ(*phase_optimizations("P0"), OptimizationSet{});
  const auto p2 = *phase_optimizations("P2");
  EXPECT_TRUE(p2.direct);
  EXPECT_TRUE(p2.lockfree);
  EXPECT_FALSE(p2.subinterp);
  const auto p4 = *phase_optimizations("P4");
  EXPECT_EQ(p4.enabled().size(), 4u);
  EXPECT_FALSE(p4.fast_marshal);
  const auto p5 = *phase_optimizations("P5");
  EXPECT_EQ(p5.enabled().size(), 5u);
  EXPECT_TRUE(p5.fast_marshal);
  EXPECT_EQ(all_optimizations(), p5);
  EXPECT_FALSE(phase_optimizations("P6"));
  EXPECT_FALSE(phase_optimizations("x"));
}

TEST(Options, PhaseAndLabelOfASet) {
  EXPECT_EQ(phase_of(*phase_optimizations("P3")), "P3");
  OptimizationSet s;
  s.lockfree = true;
  s.subinterp = true;
  EXPECT_EQ(phase_of(s), "");
  EXPECT_EQ(config_label(s), "lockfree+subinterp");
  EXPECT_EQ(config_label(OptimizationSet{}), "P0");
}

TEST(Options, ParseList) {
  const auto s = parse_optimizations("direct, inline-future,fast-marshal");
  EXPECT_TRUE(s.direct);
  EXPECT_TRUE(s.inline_future);
  EXPECT_TRUE(s.fast_marshal);
  EXPECT_FALSE(s.lockfree);
  EXPECT_EQ(config_label(s), "direct+inline-future+fast-marshal");
  EXPECT_EQ(parse_optimizations(""), OptimizationSet{});
  try {
    parse_optimizations("direct,turbo");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown optimization 'turbo'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("fast-marshal"), std::string::npos) << "lists every accepted name";
  }
}

// Asserts only for what this build lacks; compiled_out_test.cpp checks each message as a build
// with every FASTERBENCH_OPT_*=OFF gives it.
TEST(Options, UnavailableReasonNamesTheCause) {
  for (Optimization opt : kAllOptimizations) {
    const std::string reason = unavailable_reason(opt);
    if (!reason.empty()) {
      const bool names_cause = reason.find("FASTERBENCH_OPT_") != std::string::npos || reason.find("Python") != std::string::npos;
      EXPECT_TRUE(names_cause) << reason;
    }
  }
  EXPECT_EQ(unavailable_reason(OptimizationSet{}), "");
}

TEST(Options, DirectIsAvailableExactlyWhenCompiledIn) {
  const std::string reason = unavailable_reason(Optimization::direct);
  if (FASTERBENCH_HAVE_DIRECT) {
    EXPECT_EQ(reason, "");
  } else {
    EXPECT_NE(reason.find("-DFASTERBENCH_OPT_DIRECT=OFF"), std::string::npos) << reason;
  }
}
