// The soak test (ctest label `soak`, opt-in): the mixed scenario at P4 in this one process for 30
// minutes, as one closed loop whose clients never stop, with this process's resident memory,
// open file descriptors and threads sampled once a minute. A leak that a few seconds of load
// cannot show (a reference kept per request, a descriptor per demotion, an interpreter per
// thread) shows here as a curve that keeps rising.
//
//   FASTERBENCH_SOAK=1 ctest --test-dir build -L soak --output-on-failure -V
//
// FASTERBENCH_SOAK_MINUTES changes the length (at least kSettleMinutes + 2), and
// FASTERBENCH_SOAK_SCENARIO the scenario file (for instance one whose handler leaks, to see the
// test fail). It fails when
// - resident memory grows by more than kRssGrowthBoundKb between the end of minute
//   kSettleMinutes (allocator arenas, interpreter caches and histograms have reached their size
//   by then) and any later sample: at the ~2-5 M requests a minute this machine serves, that is a
//   leak of a few bytes per request;
// - any sample has more open descriptors or threads than the first one, taken right after the
//   warm-up (every lazily created queue, eventfd and interpreter exists by then).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "harness/commands/run_options.h"
#include "harness/load/pipeline_load.h"
#include "harness/load/request_mix.h"
#include "harness/measure/measure.h"
#include "harness/scenario/scenario.h"
#include "probes/clock.h"
#include "python_test_env.h"

namespace fb::harness {
namespace {

constexpr int kDefaultMinutes = 30;
constexpr int kSettleMinutes = 5;
constexpr std::int64_t kRssGrowthBoundKb = 8 * 1024;

struct Sample {
  int minute = 0;
  std::int64_t rss_kb = 0;
  std::int64_t fds = 0;
  std::int64_t threads = 0;
  std::int64_t requests = 0;  // measured requests completed so far
};

// A "Name:   value kB" field of /proc/self/status, as a number (-1 when missing).
std::int64_t status_field(const std::string& name) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + ":", 0) == 0) return std::stoll(line.substr(name.size() + 1));
  }
  return -1;
}

// Open descriptors, not counting the one the listing itself holds.
std::int64_t open_fds() {
  std::int64_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n - 1;
}

Sample take_sample(int minute, const LoadProgress& progress) {
  return {minute, status_field("VmRSS"), open_fds(), status_field("Threads"), progress.done.load(std::memory_order_relaxed)};
}

int soak_minutes() {
  const char* text = std::getenv("FASTERBENCH_SOAK_MINUTES");
  return text == nullptr ? kDefaultMinutes : std::atoi(text);
}

TEST(Soak, MixedAtP4HoldsMemoryDescriptorsAndThreadsSteady) {
  if (std::getenv("FASTERBENCH_SOAK") == nullptr) {
    GTEST_SKIP() << "30-minute soak: run it with FASTERBENCH_SOAK=1 ctest -L soak";
  }
  const int minutes = soak_minutes();
  ASSERT_GE(minutes, kSettleMinutes + 2) << "FASTERBENCH_SOAK_MINUTES must leave minutes after the settling ones";
  probes::calibrate_clock();

  const char* scenario_file = std::getenv("FASTERBENCH_SOAK_SCENARIO");
  const Scenario scenario =
      load_scenario(scenario_file != nullptr ? scenario_file : test::source_path("scenarios/mixed.toml"));
  RunOptions options;
  options.phase = "P4";
  const RunSettings settings = resolve_run_settings(options, scenario);  // throws if P4 is unavailable here
  std::unique_ptr<App> app = start_app(scenario, app_config(scenario, settings));
  const RequestMix mix(scenario);

  std::atomic<bool> stop{false};
  LoadSettings load{std::numeric_limits<std::int64_t>::max(), settings.warmup, settings.clients, settings.seed};
  load.stop = &stop;
  LoadProgress progress;
  std::mutex mutex;
  std::condition_variable measuring;
  bool started = false;  // guarded by mutex
  std::vector<Sample> samples;
  load.on_measure_start = [&] {
    samples.push_back(take_sample(0, progress));
    {
      std::lock_guard lock(mutex);
      started = true;
    }
    measuring.notify_one();
  };

  // Samples each minute from the end of the warm-up, then stops the clients.
  std::thread sampler([&] {
    {
      std::unique_lock lock(mutex);
      measuring.wait(lock, [&] { return started; });
    }
    const auto t0 = std::chrono::steady_clock::now();
    for (int m = 1; m <= minutes; ++m) {
      std::this_thread::sleep_until(t0 + std::chrono::minutes(m));
      samples.push_back(take_sample(m, progress));
      fmt::print("soak: minute {:2}: RSS {} kB, {} fds, {} threads, {} requests\n", m, samples.back().rss_kb,
                 samples.back().fds, samples.back().threads, samples.back().requests);
      std::fflush(stdout);
    }
    stop.store(true, std::memory_order_relaxed);
  });
  const LoadResult result = run_closed_loop(*app, mix, load, &progress);
  sampler.join();

  std::string opts;
  for (const std::string& name : settings.opts.names()) opts += (opts.empty() ? "" : ",") + name;
  fmt::print("\nsoak: {} at {} ({}), {} clients, {} workers, {} minutes in one process\n", scenario.name,
             phase_of(settings.opts), opts, settings.clients, settings.workers, minutes);
  fmt::print("{:>6} {:>10} {:>12} {:>5} {:>8} {:>12}\n", "minute", "RSS kB", "vs minute 5", "fds", "threads", "requests");
  const std::int64_t settled_kb = samples.at(kSettleMinutes).rss_kb;
  for (const Sample& s : samples) {
    const std::string growth = s.minute >= kSettleMinutes ? fmt::format("{:+}", s.rss_kb - settled_kb) : "";
    fmt::print("{:>6} {:>10} {:>12} {:>5} {:>8} {:>12}\n", s.minute, s.rss_kb, growth, s.fds, s.threads, s.requests);
  }
  fmt::print("server errors {}, client errors {}, throughput {:.0f} req/s\n", result.server_errors,
             result.client_errors, result.throughput_rps);

  ASSERT_EQ(samples.size(), static_cast<std::size_t>(minutes) + 1);
  EXPECT_GT(result.requests, 0u);
  EXPECT_EQ(result.server_errors, 0u);
  EXPECT_EQ(result.client_errors, 0u);
  for (const Sample& s : samples) {
    if (s.minute > kSettleMinutes) {
      EXPECT_LE(s.rss_kb - settled_kb, kRssGrowthBoundKb)
          << "minute " << s.minute << ": resident memory grew by more than the bound since minute " << kSettleMinutes;
    }
    EXPECT_LE(s.fds, samples.front().fds) << "minute " << s.minute << ": a descriptor leaked";
    EXPECT_LE(s.threads, samples.front().threads) << "minute " << s.minute << ": a thread leaked";
    if (s.minute > 0) {
      EXPECT_GT(s.requests, samples[static_cast<std::size_t>(s.minute) - 1].requests) << "minute " << s.minute << ": no progress";
    }
  }
  // Once the clients are gone, no more descriptors than while they ran.
  EXPECT_LE(open_fds(), samples.front().fds);
}

}  // namespace
}  // namespace fb::harness
