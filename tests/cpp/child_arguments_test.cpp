// `phases` hands every measurement option it was given to each child `run`: the child's
// arguments are built from the same description that declares the options
// (harness/cli/command_line.h), so an option cannot be forgotten on the way.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "harness/cli/cli.h"
#include "harness/commands/phases/child_runs.h"
#include "harness/commands/phases/phases.h"
#include "harness/commands/run.h"

namespace fb::harness {
namespace {

// A value other than the default for every option `run` and `phases` share. A new shared
// option fails NamesEveryOption until it is given one here, and then must reach the child.
const std::map<std::string, std::string> kGiven = {
    {"--scenario", "scenarios/hello.toml"}, {"--requests", "123"},     {"--warmup", "45"},
    {"--clients", "3"},                     {"--workers", "2"},        {"--repetitions", "4"},
    {"--seed", "7"},                        {"--future-spin-ns", "50"}, {"--no-progress", ""},
    {"--subinterp-fallback", "main"},       {"--inject-delay", "gil=10"}, {"--wait", "spin"},
    {"--demote-budget-us", "12.5"},         {"--demote-after", "5"},   {"--pin", "off"},
    {"--cpus", "0"},                        {"--hash-seed", "9"},      {"--aslr", "on"},
    {"--env", "inherit"},                   {"--measure", "instructions"}, {"--inject-work", "marshal=5"},
    // Open loop and replay (some exclude each other when resolved; parsing and forwarding take them all).
    {"--rate", "2500"},                     {"--arrival", "constant"}, {"--duration", "1.5"},
    {"--replay", "t.log"},                  {"--replay-format", "combined"}, {"--speed", "2"},
    {"--strict", ""},
};

struct Parsed {
  Command root;
  RunOptions run;
  PhasesOptions phases;
};

std::unique_ptr<Parsed> parse_phases(const std::vector<std::string>& args) {
  auto p = std::make_unique<Parsed>();
  describe_run_command(p->root, p->run);
  describe_phases_command(p->root, p->phases);
  std::vector<const char*> argv = {"fasterbench", "phases"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  EXPECT_EQ(parse_command_line(p->root, static_cast<int>(argv.size()), argv.data()), std::nullopt);
  return p;
}

bool has_pair(const std::vector<std::string>& argv, const std::string& name, const std::string& value) {
  for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == name && argv[i + 1] == value) return true;
  }
  return false;
}

TEST(ChildArguments, NamesEveryOptionRunAndPhasesShare) {
  Parsed p;
  describe_run_command(p.root, p.run);
  describe_phases_command(p.root, p.phases);
  Command measurement;
  RunOptions options;
  describe_measurement_options(measurement, options, {});
  for (const Option& o : measurement.options) {
    EXPECT_TRUE(kGiven.contains(o.name)) << o.name << " is a measurement option: give it a value in kGiven";
    EXPECT_NE(p.root.subcommand("run")->option(o.name), nullptr) << o.name;
    EXPECT_NE(p.root.subcommand("phases")->option(o.name), nullptr) << o.name;
  }
}

TEST(ChildArguments, EveryGivenOptionReachesTheChild) {
  std::vector<std::string> args;
  for (const auto& [name, value] : kGiven) {
    args.push_back(name);
    if (!value.empty()) args.push_back(value);
  }
  const auto p = parse_phases(args);
  const Command& phases = *p->root.subcommand("phases");
  const ChildRunRequest request{&phases, "/x/fasterbench", p->phases.run.wait, p->phases.run.seed, {}};
  PlannedConfig lockfree{"P2", *phase_optimizations("P2"), false};
  const std::vector<std::string> argv = child_arguments(request, lockfree, 2, "/tmp/out.json");
  ASSERT_GE(argv.size(), 2u);
  EXPECT_EQ(argv[0], "/x/fasterbench");
  EXPECT_EQ(argv[1], "run");
  for (const auto& [name, value] : kGiven) {
    if (name == "--repetitions") {
      EXPECT_TRUE(has_pair(argv, name, "1")) << "a child measures one repetition";
    } else if (name == "--seed") {
      EXPECT_TRUE(has_pair(argv, name, "9")) << "repetition 2 of seed 7";
    } else if (value.empty()) {
      EXPECT_NE(std::find(argv.begin(), argv.end(), name), argv.end()) << name;
    } else {
      EXPECT_TRUE(has_pair(argv, name, value)) << name << " " << value << " did not reach the child";
    }
  }
  EXPECT_TRUE(has_pair(argv, "--out", "/tmp/out.json"));
  EXPECT_TRUE(has_pair(argv, "--opt", "direct,lockfree"));
}

TEST(ChildArguments, WaitGoesOnlyToConfigurationsWithLockfree) {
  const auto p = parse_phases({"--scenario", "scenarios/hello.toml", "--wait", "park"});
  const ChildRunRequest request{p->root.subcommand("phases"), "fb", p->phases.run.wait, 1, {}};
  EXPECT_TRUE(has_pair(child_arguments(request, {"P2", *phase_optimizations("P2"), false}, 0, "o"), "--wait", "park"));
  const auto p1 = child_arguments(request, {"P1", *phase_optimizations("P1"), false}, 0, "o");
  EXPECT_EQ(std::find(p1.begin(), p1.end(), "--wait"), p1.end());
}

TEST(ChildArguments, PhasesHandsOnItsOwnIsolationDefaultsAndOnlyGivenLoadOptions) {
  const auto p = parse_phases({"--scenario", "scenarios/hello.toml"});
  const ChildRunRequest request{p->root.subcommand("phases"), "fb", "", 1, {}};
  const auto argv = child_arguments(request, {"P0/ends", OptimizationSet{}, true}, 0, "o");
  EXPECT_TRUE(has_pair(argv, "--pin", kDefaultPhasesPin));
  EXPECT_TRUE(has_pair(argv, "--hash-seed", "0"));
  EXPECT_TRUE(has_pair(argv, "--aslr", "off"));
  EXPECT_TRUE(has_pair(argv, "--env", "fixed"));
  EXPECT_TRUE(has_pair(argv, "--stamps", "ends"));
  // Not given: the child resolves them from the scenario as phases did.
  for (const char* absent :
       {"--requests", "--warmup", "--clients", "--workers", "--opt", "--inject-delay", "--inject-work", "--measure"}) {
    EXPECT_EQ(std::find(argv.begin(), argv.end(), absent), argv.end()) << absent;
  }
}

}  // namespace
}  // namespace fb::harness
