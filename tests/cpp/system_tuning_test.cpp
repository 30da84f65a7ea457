// `fasterbench system tune` and `reset` over fake trees: what tune writes, the state file it
// keeps, and that reset puts every file back as it was.
#include "harness/system/tuning.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "fake_system_tree.h"
#include "harness/cli/exit_codes.h"
#include "harness/results/atomic_file.h"
#include "harness/system/tune_state.h"

using namespace fb::harness::system;
using fb::harness::UsageError;
using fb::testing::FakeSystemTree;
namespace fs = std::filesystem;

namespace {

// The files tune may change in noisy_machine(), with the text each holds.
const std::vector<std::string> kTunedFiles = {
    "proc/sys/kernel/randomize_va_space",
    "sys/devices/system/cpu/cpu1/cpufreq/scaling_governor",
    "sys/devices/system/cpu/cpu3/cpufreq/scaling_governor",
    "sys/devices/system/cpu/cpufreq/boost",
    "sys/kernel/mm/transparent_hugepage/enabled",
    "sys/kernel/mm/transparent_hugepage/defrag",
};

std::map<std::string, std::string> snapshot(const FakeSystemTree& tree) {
  std::map<std::string, std::string> files;
  for (const std::string& f : kTunedFiles) files[f] = tree.get(f);
  return files;
}

struct TuneFixture : ::testing::Test {
  FakeSystemTree tree;
  std::string state;
  void SetUp() override {
    tree.noisy_machine();
    state = tree.root() + "/state.json";
  }
  std::vector<Finding> findings() const { return inspect(SystemRoot(tree.root()), CpuSample{}); }
  TuneOutcome run_tune(bool dry_run = false) const { return tune(SystemRoot(tree.root()), findings(), state, dry_run); }
  ResetOutcome run_reset() const { return reset(SystemRoot(tree.root()), state); }
};

}  // namespace

TEST_F(TuneFixture, TuneFixesWhatItCanAndSavesThePreviousValues) {
  tree.put("proc/812/comm", "irqbalance\n");
  const TuneOutcome out = run_tune();
  EXPECT_FALSE(out.failed());
  EXPECT_TRUE(out.state_saved);
  EXPECT_EQ(out.writes.size(), 6u);
  ASSERT_EQ(out.left.size(), 1u);
  EXPECT_EQ(out.left[0].name, "irqbalance");

  EXPECT_EQ(tree.get("proc/sys/kernel/randomize_va_space"), "0\n");
  EXPECT_EQ(tree.get("sys/devices/system/cpu/cpu1/cpufreq/scaling_governor"), "performance\n");
  EXPECT_EQ(tree.get("sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"), "performance\n");
  EXPECT_EQ(tree.get("sys/devices/system/cpu/cpufreq/boost"), "0\n");
  EXPECT_EQ(tree.get("sys/kernel/mm/transparent_hugepage/enabled"), "madvise\n");
  for (const Finding& f : findings()) {
    if (f.name != "irqbalance") {
      EXPECT_NE(f.status, Status::problem) << f.name << ": " << f.value;
    }
  }

  const auto saved = load_tune_state(state);
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->root, canonical_root(tree.root()));
  ASSERT_EQ(saved->settings.size(), 6u);
  const SavedSetting* aslr = saved->find("proc/sys/kernel/randomize_va_space");
  ASSERT_NE(aslr, nullptr);
  EXPECT_EQ(aslr->check, "aslr");
  EXPECT_EQ(aslr->previous, "2");
  EXPECT_EQ(aslr->tuned, "0");
}

TEST_F(TuneFixture, ResetRestoresEveryFileAndRemovesTheState) {
  const auto before = snapshot(tree);
  run_tune();
  ASSERT_NE(snapshot(tree), before);
  const ResetOutcome out = run_reset();
  EXPECT_TRUE(out.had_state);
  EXPECT_FALSE(out.failed());
  EXPECT_TRUE(out.state_removed);
  EXPECT_FALSE(fs::exists(state));
  EXPECT_EQ(out.writes.size(), 6u);
  for (const std::string& f : kTunedFiles) {
    SCOPED_TRACE(f);
    // Single-value files come back byte for byte. A sysfs choice file is written as one word
    // and the kernel shows the bracketed list again; a plain file keeps the word.
    if (before.at(f).find('[') == std::string::npos) {
      EXPECT_EQ(tree.get(f), before.at(f));
    } else {
      EXPECT_EQ(selected_choice(tree.get(f)), selected_choice(before.at(f)));
    }
  }
  EXPECT_EQ(tree.get("sys/kernel/mm/transparent_hugepage/enabled"), "always\n");
}

TEST_F(TuneFixture, ASecondTuneKeepsTheValuesOfTheFirst) {
  run_tune();
  // Someone turns ASLR partly back on; tune again fixes it, but reset must still return to
  // what the machine had before the first tune.
  tree.put("proc/sys/kernel/randomize_va_space", "1\n");
  const TuneOutcome again = run_tune();
  ASSERT_EQ(again.writes.size(), 1u);
  EXPECT_EQ(again.writes[0].change.previous, "1");
  const auto saved = load_tune_state(state);
  ASSERT_TRUE(saved);
  EXPECT_EQ(saved->settings.size(), 6u);
  EXPECT_EQ(saved->find("proc/sys/kernel/randomize_va_space")->previous, "2");

  // A tune with nothing to do leaves the state file as it is.
  const std::string text = tree.get("state.json");
  EXPECT_TRUE(run_tune().writes.empty());
  EXPECT_EQ(tree.get("state.json"), text);

  run_reset();
  EXPECT_EQ(tree.get("proc/sys/kernel/randomize_va_space"), "2\n");
}

TEST_F(TuneFixture, DryRunChangesNothing) {
  const auto before = snapshot(tree);
  const TuneOutcome out = run_tune(/*dry_run=*/true);
  EXPECT_EQ(out.writes.size(), 6u);
  EXPECT_FALSE(out.state_saved);
  EXPECT_EQ(snapshot(tree), before);
  EXPECT_FALSE(fs::exists(state));
}

TEST_F(TuneFixture, ARefusedWriteIsReportedAndLeavesNothingToUndo) {
  // A directory where a setting file should be: open(O_WRONLY) fails, as without privileges.
  tree.put("proc/sys/kernel/blocked/x", "");
  std::vector<Finding> findings(1);
  findings[0].name = "test";
  findings[0].status = Status::problem;
  findings[0].changes = {{"proc/sys/kernel/randomize_va_space", "2", "0"}, {"proc/sys/kernel/blocked", "1", "0"}};
  const TuneOutcome out = tune(SystemRoot(tree.root()), findings, state, false);
  EXPECT_TRUE(out.failed());
  ASSERT_EQ(out.writes.size(), 2u);
  EXPECT_EQ(out.writes[0].error, "");
  EXPECT_NE(out.writes[1].error, "");
  const auto saved = load_tune_state(state);
  ASSERT_TRUE(saved);
  ASSERT_EQ(saved->settings.size(), 1u);
  EXPECT_EQ(saved->settings[0].path, "proc/sys/kernel/randomize_va_space");

  // All refused: no state file at all.
  fs::remove(state);
  findings[0].changes = {{"proc/sys/kernel/blocked", "1", "0"}};
  EXPECT_TRUE(tune(SystemRoot(tree.root()), findings, state, false).failed());
  EXPECT_FALSE(fs::exists(state));
}

TEST_F(TuneFixture, ResetWithoutStateHasNothingToDo) {
  const ResetOutcome out = run_reset();
  EXPECT_FALSE(out.had_state);
  EXPECT_TRUE(out.writes.empty());
}

TEST_F(TuneFixture, ResetKeepsWhatItCouldNotRestore) {
  run_tune();
  tree.remove("sys/devices/system/cpu/cpufreq/boost");
  const ResetOutcome out = run_reset();
  EXPECT_TRUE(out.failed());
  EXPECT_FALSE(out.state_removed);
  const auto saved = load_tune_state(state);
  ASSERT_TRUE(saved);
  ASSERT_EQ(saved->settings.size(), 1u);
  EXPECT_EQ(saved->settings[0].path, "sys/devices/system/cpu/cpufreq/boost");
  EXPECT_EQ(tree.get("proc/sys/kernel/randomize_va_space"), "2\n");
}

TEST_F(TuneFixture, ResetSaysWhenAFileNoLongerHoldsWhatTuneWrote) {
  run_tune();
  tree.put("proc/sys/kernel/randomize_va_space", "1\n");
  const ResetOutcome out = run_reset();
  const auto it = std::find_if(out.writes.begin(), out.writes.end(),
                               [](const Write& w) { return w.check == "aslr"; });
  ASSERT_NE(it, out.writes.end());
  EXPECT_EQ(it->change.previous, "1");
  EXPECT_EQ(it->change.wanted, "2");
  EXPECT_NE(it->note.find("not the 0 tune wrote"), std::string::npos) << it->note;
  EXPECT_EQ(tree.get("proc/sys/kernel/randomize_va_space"), "2\n");
}

TEST_F(TuneFixture, AfterARebootResetWritesNothing) {
  tree.put("proc/sys/kernel/random/boot_id", "boot-1\n");
  run_tune();
  tree.put("proc/sys/kernel/random/boot_id", "boot-2\n");
  tree.put("proc/sys/kernel/randomize_va_space", "2\n");  // the kernel's boot value again
  const ResetOutcome out = run_reset();
  EXPECT_TRUE(out.stale);
  EXPECT_TRUE(out.writes.empty());
  EXPECT_FALSE(fs::exists(state));
  EXPECT_EQ(tree.get("sys/devices/system/cpu/cpufreq/boost"), "0\n");  // not "restored" to 1
}

TEST_F(TuneFixture, AStateFileOfAnotherRootIsRefused) {
  run_tune();
  EXPECT_THROW(reset(SystemRoot(tree.root() + "/proc"), state), UsageError);
  EXPECT_THROW(tune(SystemRoot(tree.root() + "/proc"), findings(), state, false), UsageError);
  // The same root spelled differently is the same root.
  EXPECT_NO_THROW(reset(SystemRoot(tree.root() + "/proc/.."), state));
}

TEST_F(TuneFixture, ABadStateFileIsAUsageErrorNamingIt) {
  const auto expect_refused = [&](const std::string& text, const std::string& reason) {
    tree.put("state.json", text);
    try {
      run_reset();
      ADD_FAILURE() << "accepted: " << text;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(state), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
    }
  };
  expect_refused("{", "not JSON");
  expect_refused("{}", "not a `fasterbench system tune` state file");
  expect_refused(R"({"fasterbench_system_state": 2})", "format 2");
  const std::string head = R"({"fasterbench_system_state": 1, "root": "/", "host": "h", "boot_id": "", "saved": "", )";
  expect_refused(head + R"("settings": {}})", "'settings'");
  expect_refused(head + R"("settings": [{"check": "x", "path": "etc/passwd", "previous": "a", "tuned": "b"}]})",
                 "not a setting");
  expect_refused(head + R"("settings": [{"check": "x", "path": "proc/sys/kernel/x", "previous": "a b", "tuned": "b"}]})",
                 "single words");
}

TEST(TuneState, DefaultPathFollowsXdgCacheHome) {
  const char* old = std::getenv("XDG_CACHE_HOME");
  const std::string saved = old != nullptr ? old : "";
  ::setenv("XDG_CACHE_HOME", "/tmp/fb-cache", 1);
  EXPECT_EQ(default_state_path(), "/tmp/fb-cache/fasterbench/system-tune.json");
  ::unsetenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  if (home != nullptr) {
    EXPECT_EQ(default_state_path(), std::string(home) + "/.cache/fasterbench/system-tune.json");
  }
  if (old != nullptr) ::setenv("XDG_CACHE_HOME", saved.c_str(), 1);
}
