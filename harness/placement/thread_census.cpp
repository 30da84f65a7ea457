#include "harness/placement/thread_census.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "framework/thread_names.h"
#include "harness/placement/cpu_list.h"
#include "probes/cpu_seen.h"

namespace fb::harness {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::optional<int> number_after(std::string_view name, std::string_view prefix) {
  if (name.substr(0, prefix.size()) != prefix) return std::nullopt;
  int n = 0;
  const std::string_view digits = name.substr(prefix.size());
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return n;
}

void classify(ThreadStat& t) {
  // By name first: in guest mode (harness/python) the process's main thread is client 0.
  const std::pair<std::string_view, ThreadRole> roles[] = {
      {kClientThreadPrefix, ThreadRole::client}, {kWorkerThreadPrefix, ThreadRole::worker}, {kLoopThreadPrefix, ThreadRole::loop}};
  for (const auto& [prefix, role] : roles) {
    if (auto n = number_after(t.name, prefix)) {
      t.role = role;
      t.index = n;
      return;
    }
  }
  t.role = t.tid == ::getpid() ? ThreadRole::main : ThreadRole::other;
}

// "status" and "sched" hold "key: value" lines; the value of `key`, or nullopt.
std::optional<std::uint64_t> keyed_value(const std::string& text, std::string_view key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size(), key) != 0) continue;
    const auto colon = line.find(':', key.size());
    if (colon == std::string::npos) continue;
    std::istringstream value(line.substr(colon + 1));
    std::uint64_t v = 0;
    if (value >> v) return v;
  }
  return std::nullopt;
}

std::optional<ThreadStat> read_thread(pid_t tid) {
  const std::string dir = "/proc/self/task/" + std::to_string(tid) + "/";
  ThreadStat t;
  t.tid = tid;
  const std::string stat = read_text(dir + "stat");
  const auto open = stat.find('(');
  const auto close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;  // gone
  t.name = stat.substr(open + 1, close - open - 1);
  // After the name: field 3 (state) onwards; the processor is field 39.
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 39 && fields >> field; ++i) {
    if (i == 39) t.last_cpu = std::stoi(field);
  }
  std::istringstream schedstat(read_text(dir + "schedstat"));
  schedstat >> t.run_ns >> t.runqueue_ns;
  const std::string status = read_text(dir + "status");
  t.voluntary_switches = keyed_value(status, "voluntary_ctxt_switches").value_or(0);
  t.involuntary_switches = keyed_value(status, "nonvoluntary_ctxt_switches").value_or(0);
  t.migrations = keyed_value(read_text(dir + "sched"), "se.nr_migrations");
  t.affinity = thread_affinity(tid);
  classify(t);
  return t;
}

}  // namespace

std::string_view thread_role_name(ThreadRole role) {
  switch (role) {
    case ThreadRole::main: return "main";
    case ThreadRole::client: return "client";
    case ThreadRole::worker: return "worker";
    case ThreadRole::loop: return "loop";
    case ThreadRole::other: return "other";
  }
  return "other";
}

std::vector<ThreadStat> read_thread_stats() {
  std::vector<ThreadStat> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    pid_t tid = 0;
    const std::string name = entry.path().filename().string();
    if (std::from_chars(name.data(), name.data() + name.size(), tid).ec != std::errc()) continue;
    if (auto t = read_thread(tid)) out.push_back(std::move(*t));
  }
  std::sort(out.begin(), out.end(), [](const ThreadStat& a, const ThreadStat& b) { return a.tid < b.tid; });
  return out;
}

void ThreadCensus::begin() {
  start_ = read_thread_stats();
  probes::begin_cpu_window();
}

std::vector<ThreadRecord> ThreadCensus::end() const {
  const std::vector<probes::ThreadCpus> noted = probes::cpu_window();
  std::vector<ThreadRecord> out;
  for (const ThreadStat& now : read_thread_stats()) {
    const auto before = std::find_if(start_.begin(), start_.end(), [&](const ThreadStat& s) { return s.tid == now.tid; });
    const ThreadStat zero{};
    const ThreadStat& from = before != start_.end() ? *before : zero;
    ThreadRecord r;
    r.role = now.role;
    r.index = now.index;
    r.name = now.name;
    r.tid = now.tid;
    r.affinity = now.affinity;
    if (now.migrations) r.migrations = *now.migrations - from.migrations.value_or(0);
    r.voluntary_switches = now.voluntary_switches - from.voluntary_switches;
    r.involuntary_switches = now.involuntary_switches - from.involuntary_switches;
    r.run_ms = static_cast<double>(now.run_ns - from.run_ns) / 1e6;
    r.runqueue_ms = static_cast<double>(now.runqueue_ns - from.runqueue_ns) / 1e6;
    const auto cpus = std::find_if(noted.begin(), noted.end(), [&](const probes::ThreadCpus& c) { return c.tid == now.tid; });
    if (cpus != noted.end()) r.cpus_seen = cpus->cpus;
    // A thread that ran since begin() ran on its last CPU at some point in the window.
    if (now.run_ns > from.run_ns && now.last_cpu >= 0) r.cpus_seen.push_back(now.last_cpu);
    std::sort(r.cpus_seen.begin(), r.cpus_seen.end());
    r.cpus_seen.erase(std::unique(r.cpus_seen.begin(), r.cpus_seen.end()), r.cpus_seen.end());
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace fb::harness
