#include "harness/commands/versus.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "framework/options.h"
#include "harness/cli/exit_codes.h"
#include "harness/load/http_connection.h"
#include "harness/load/http_target.h"
#include "harness/measure/measure.h"
#include "harness/placement/cpu_list.h"
#include "harness/host/report_launcher.h"
#include "harness/results/atomic_file.h"
#include "harness/results/results_json.h"
#include "harness/scenario/scenario.h"
#include "harness/host/subprocess.h"
#include "harness/host/sysinfo.h"
#include "harness/versus/pinned_process.h"
#include "harness/versus/versus_console.h"
#include "harness/versus/versus_results.h"
#include "harness/versus/wrk_run.h"
#include "probes/clock.h"

namespace fb::harness {

void describe_versus_command(Command& root, VersusOptions& o) {
  Command& cmd = root.add_subcommand(
      "versus", "The scenario over HTTP: fasterbench serve (P0 and the best phase) vs FastAPI + uvicorn vs a bare ASGI "
                "app, each under wrk on the same CPUs, repetitions interleaved");
  cmd.add({.name = "--scenario", .target = &o.scenario, .help = "Scenario file (TOML), e.g. scenarios/hello.toml",
           .required = true});
  cmd.add({.name = "--tool", .target = &o.tool, .help = "Load tool (wrk, the only one so far)", .choices = {"wrk"}});
  cmd.add({.name = "--connections", .target = &o.connections, .help = "wrk --connections: keep-alive connections (default: 16)"});
  cmd.add({.name = "--threads", .target = &o.threads, .help = "wrk --threads (default: the number of load-tool CPUs)"});
  cmd.add({.name = "--duration", .target = &o.duration_s, .help = "Seconds per measured wrk run (default: 5)"});
  cmd.add({.name = "--warmup", .target = &o.warmup_s,
           .help = "Seconds of wrk against each server before the first measurement, not recorded (default: 2)"});
  cmd.add({.name = "--repetitions", .target = &o.repetitions,
           .help = "Measured runs per server, interleaved across servers (A B C D, B C D A, ...) (default: 3)"});
  cmd.add({.name = "--phases", .target = &o.phases,
           .help = "fasterbench phases to serve, comma-separated (default: P0 and the best phase: the highest "
                   "cumulative phase this build and Python can run)"});
  cmd.add({.name = "--server-cpus", .target = &o.server_cpus,
           .help = "CPUs every server is pinned to, e.g. 1 or 2-3 (default: the last CPU this process may use)"});
  cmd.add({.name = "--tool-cpus", .target = &o.tool_cpus,
           .help = "CPUs wrk is pinned to (default: the other CPUs; the same one on a 1-CPU machine)"});
  cmd.add({.name = "--workers", .target = &o.workers,
           .help = "fasterbench executor workers (default: scenario [load] workers, else the number of server CPUs)"});
  cmd.add({.name = "--io-threads", .target = &o.io_threads,
           .help = "fasterbench I/O threads (default: one per server CPU); each runs its requests' handlers to the end, "
                   "so more threads overlap blocking handlers and hand-offs"});
  cmd.add({.name = "--asgi-python", .target = &o.asgi_python,
           .help = "Python with fastapi and uvicorn for the ASGI servers (default: /usr/bin/python3, Debian's "
                   "python3-fastapi and python3-uvicorn)"});
  cmd.add({.name = "--servers", .target = &o.servers,
           .help = "Which servers to run, comma-separated: fasterbench, fastapi, asgi (default: all)"});
  cmd.add({.name = "--out", .target = &o.out,
           .help = "Output directory (default: results/versus-<scenario>): versus.json, the wrk script, server logs, and "
                   "the report (versus.md, versus.png)"});
  cmd.add({.name = "--no-report", .target = &o.no_report, .help = "Do not render versus.md and the chart"});
  cmd.add({.name = "--seed", .target = &o.seed, .help = "Seed of the wrk script's route draws (default: 1)"});
}

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t in_range(std::int64_t v, const char* flag, std::int64_t lo, std::int64_t hi) {
  if (v < lo || v > hi) throw UsageError(fmt::format("{} must be in [{}, {}], got {}", flag, lo, hi, v));
  return v;
}

std::vector<int> cpus_option(const std::string& text, const char* flag, const std::vector<int>& allowed) {
  std::vector<int> cpus;
  try {
    cpus = parse_cpu_list(text);
  } catch (const std::invalid_argument& e) {
    throw UsageError(fmt::format("{} {}: {}", flag, text, e.what()));
  }
  for (int c : cpus) {
    if (std::find(allowed.begin(), allowed.end(), c) == allowed.end()) {
      throw UsageError(fmt::format("{} {}: CPU {} is not available to this process (allowed: {})", flag, text, c,
                                   format_cpu_list(allowed)));
    }
  }
  return cpus;
}

// A port free right now on loopback (the kernel's choice). Another process could take it before
// the server binds; the server then fails to start and says so.
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t length = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot find a free loopback port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

double load_average() {
  std::ifstream in("/proc/loadavg");
  double one = 0;
  in >> one;
  return one;
}

// The highest cumulative phase this build and Python can run ("P1" at worst).
std::string best_phase() {
  for (const char* p : {"P9", "P8", "P7", "P6", "P5", "P4", "P3", "P2", "P1"}) {
    const auto set = phase_optimizations(p);
    if (set && unavailable_reason(*set).empty()) return p;
  }
  return "P0";
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

struct Running {
  VersusServer* server;
  std::unique_ptr<PinnedProcess> process;
  HttpTarget target;
};

// Waits until the server answers the scenario's first request (any status), or exits, or
// `timeout` passes. Returns "" when ready, else why not.
std::string wait_ready(Running& r, const std::string& request, std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (!r.process->running()) {
      return fmt::format("exited with status {} before answering: {}", r.process->exit_status(),
                         tail_of_file(r.server->log_file, 4));
    }
    try {
      HttpConnection c(r.target);
      c.exchange(request);
      return "";
    } catch (const HttpClientError&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return fmt::format("no answer within {} s: {}", timeout.count(), tail_of_file(r.server->log_file, 4));
}

std::string first_line(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

int cmd_versus(const VersusOptions& o) {
  const Scenario scenario = load_scenario_option(o.scenario);
  in_range(o.connections, "--connections", 1, 100'000);
  in_range(o.duration_s, "--duration", 1, 3600);
  in_range(o.warmup_s, "--warmup", 0, 3600);
  in_range(o.repetitions, "--repetitions", 1, 1000);
  const std::vector<int> allowed = thread_affinity();
  if (allowed.empty()) throw std::runtime_error("cannot read this process's CPU affinity");
  const std::vector<int> server_cpus =
      o.server_cpus.empty() ? std::vector<int>{allowed.back()} : cpus_option(o.server_cpus, "--server-cpus", allowed);
  std::vector<int> tool_cpus;
  if (!o.tool_cpus.empty()) {
    tool_cpus = cpus_option(o.tool_cpus, "--tool-cpus", allowed);
  } else {
    for (int c : allowed) {
      if (std::find(server_cpus.begin(), server_cpus.end(), c) == server_cpus.end()) tool_cpus.push_back(c);
    }
    if (tool_cpus.empty()) tool_cpus = server_cpus;
  }
  VersusConfig config;
  config.tool = o.tool;
  config.connections = o.connections;
  config.threads = o.threads ? in_range(*o.threads, "--threads", 1, 256) : static_cast<std::int64_t>(tool_cpus.size());
  if (config.threads > config.connections) throw UsageError("--threads must not exceed --connections");
  config.duration_s = o.duration_s;
  config.warmup_s = o.warmup_s;
  config.repetitions = o.repetitions;
  config.io_threads = o.io_threads ? in_range(*o.io_threads, "--io-threads", 1, 256)
                                   : static_cast<std::int64_t>(server_cpus.size());
  config.workers = o.workers ? in_range(*o.workers, "--workers", 1, 256)
                             : scenario.load.workers.value_or(static_cast<std::int64_t>(server_cpus.size()));

  std::vector<std::string> phases = o.phases.empty() ? std::vector<std::string>{"P0", best_phase()} : split(o.phases);
  if (phases.size() == 2 && phases[0] == phases[1]) phases.pop_back();
  for (const std::string& p : phases) {
    if (!phase_optimizations(p)) throw UsageError("--phases: unknown phase '" + p + "'");
  }
  const std::vector<std::string> kinds = split(o.servers);
  for (const std::string& k : kinds) {
    if (k != "fasterbench" && k != "fastapi" && k != "asgi") {
      throw UsageError("--servers: unknown server '" + k + "' (fasterbench, fastapi, asgi)");
    }
  }
  const auto wants = [&](const char* kind) { return std::find(kinds.begin(), kinds.end(), kind) != kinds.end(); };

  namespace fs = std::filesystem;
  const fs::path out_dir = o.out.empty() ? fs::path("results") / ("versus-" + scenario.name) : fs::path(o.out);
  std::error_code ec;
  fs::create_directories(out_dir / "logs", ec);
  if (ec) throw UsageError("--out " + out_dir.string() + ": " + ec.message());
  const std::string wrk_version_text = wrk_version(o.tool, (out_dir / "logs" / "wrk-version.log").string());
  if (wrk_version_text.empty()) {
    throw std::runtime_error(fmt::format("{} does not run (install Debian's wrk package, ./setup.sh does)", o.tool));
  }
  probes::calibrate_clock();

  // The lineup, in the order of the table.
  std::vector<VersusServer> servers;
  const std::string scenario_file = fs::absolute(scenario.file).string();
  const std::string asgi_script = std::string(FASTERBENCH_SOURCE_DIR) + "/harness/versus/asgi_server.py";
  if (wants("fasterbench")) {
    for (const std::string& p : phases) {
      VersusServer s;
      s.name = "fasterbench " + p;
      s.kind = "fasterbench";
      s.phase = p;
      servers.push_back(s);
    }
  }
  if (wants("fastapi")) servers.push_back({.name = "FastAPI (uvicorn)", .kind = "fastapi"});
  if (wants("asgi")) servers.push_back({.name = "bare ASGI (uvicorn)", .kind = "asgi"});
  if (servers.empty()) throw UsageError("--servers: nothing to run");

  const double load_before = load_average();
  RequestMix mix(scenario);
  const std::string ready_request = wire_requests(mix, HttpTarget{"", "127.0.0.1", 0}).front();

  // Start every server, each pinned to the same CPUs.
  std::vector<Running> running;
  for (VersusServer& s : servers) {
    Running r{&s, std::make_unique<PinnedProcess>(), {}};
    const std::uint16_t port = free_port();
    r.target = HttpTarget{fmt::format("http://127.0.0.1:{}", port), "127.0.0.1", port};
    std::string slug = s.name;
    for (char& ch : slug) ch = std::isalnum(static_cast<unsigned char>(ch)) ? static_cast<char>(std::tolower(ch)) : '-';
    s.log_file = (out_dir / "logs" / (slug + ".log")).string();
    if (s.kind == "fasterbench") {
      s.command = {self_executable(), "serve", "--scenario", scenario_file, "--phase", s.phase, "--port",
                   std::to_string(port), "--io-threads", std::to_string(config.io_threads), "--workers",
                   std::to_string(config.workers), "--quiet"};
    } else {
      s.command = {o.asgi_python, asgi_script, "--scenario", scenario_file, "--app", s.kind == "fastapi" ? "fastapi" : "bare",
                   "--port", std::to_string(port)};
    }
    fmt::print(stderr, "versus: starting {} on CPU {} ...", s.name, format_cpu_list(server_cpus));
    std::fflush(stderr);
    const auto t0 = Clock::now();
    std::string error;
    if (!r.process->start(s.command, {{"PYTHONUNBUFFERED", "1"}}, server_cpus, s.log_file, error)) {
      s.error = error;
    } else if (std::string why = wait_ready(r, ready_request, std::chrono::seconds(60)); !why.empty()) {
      s.error = why;
      r.process->stop();
    } else {
      s.started = true;
      s.ready_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      s.banner = first_line(s.log_file);
    }
    if (s.started) {
      fmt::print(stderr, " ready in {:.0f} ms\n", s.ready_ms);
    } else {
      fmt::print(stderr, " FAILED\nversus:   {}\n", s.error);
    }
    running.push_back(std::move(r));
  }

  // The wrk script is the same for every server (the Host header names loopback).
  const std::string script_path = (out_dir / "mix.lua").string();
  write_file_atomically(script_path, wrk_script(scenario, mix, running.front().target, o.seed));
  WrkSettings wrk;
  wrk.connections = config.connections;
  wrk.threads = config.threads;
  wrk.cpus = tool_cpus;

  const auto alive = [](const Running& r) { return r.server->started && r.server->error.empty(); };
  if (config.warmup_s > 0) {
    wrk.duration_s = static_cast<double>(config.warmup_s);
    for (Running& r : running) {
      if (!alive(r)) continue;
      fmt::print(stderr, "versus: warm-up {} ({} s)\n", r.server->name, config.warmup_s);
      const WrkResult w = run_wrk(o.tool, script_path, r.target, wrk, r.server->log_file + ".warmup-wrk.log");
      if (!w.ok) r.server->error = "warm-up failed: " + w.error;
    }
  }
  wrk.duration_s = static_cast<double>(config.duration_s);
  for (std::int64_t rep = 0; rep < config.repetitions; ++rep) {
    for (std::size_t k = 0; k < running.size(); ++k) {
      Running& r = running[(k + static_cast<std::size_t>(rep)) % running.size()];  // rotate the order per repetition
      if (!alive(r)) continue;
      if (!r.process->running()) {
        r.server->error = fmt::format("exited with status {} during the measurement: {}", r.process->exit_status(),
                                      tail_of_file(r.server->log_file, 4));
        continue;
      }
      VersusRun run;
      run.repetition = static_cast<int>(rep);
      const double cpu0 = r.process->cpu_seconds();
      const CpuTimes machine0 = read_cpu_times();
      run.wrk = run_wrk(o.tool, script_path, r.target, wrk,
                        (out_dir / "logs" / fmt::format("wrk-{}-rep{}.log", k, rep)).string());
      const CpuTimes machine1 = read_cpu_times();
      run.cpu_s = r.process->cpu_seconds() - cpu0;
      run.steal_pct = steal_percent(machine0, machine1);
      run.cpu_us_per_request = run.wrk.requests > 0 ? run.cpu_s * 1e6 / static_cast<double>(run.wrk.requests) : 0;
      fmt::print(stderr, "versus: rep {}/{} {:<22} {}\n", rep + 1, config.repetitions, r.server->name,
                 run.wrk.ok ? fmt::format("{:.0f} req/s, p50 {:.0f} µs, p99 {:.0f} µs, {:.1f} µs CPU/req, {} errors",
                                          run.wrk.requests_per_s, run.wrk.latency_us.p50, run.wrk.latency_us.p99,
                                          run.cpu_us_per_request, run.wrk.errors())
                            : "FAILED: " + run.wrk.error);
      r.server->runs.push_back(std::move(run));
    }
  }
  for (Running& r : running) {
    if (!r.server->started) continue;
    const auto t0 = Clock::now();
    r.server->exit_status = r.process->stop();
    r.server->stop_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  }

  VersusContextExtras extras;
  extras.wrk_version = wrk_version_text;
  extras.asgi_python = o.asgi_python;
  for (const VersusServer& s : servers) {
    if (s.kind == "fastapi" && s.started) extras.asgi_versions = s.banner;
  }
  extras.load_average_before = load_before;
  extras.server_cpus = server_cpus;
  extras.tool_cpus = tool_cpus;
  const nlohmann::json context =
      results_to_json(make_document("versus", scenario, RunSettings{}, 0.0))["context"];
  const nlohmann::json doc = versus_to_json(context, scenario.name, scenario.file, config, extras, servers);
  const std::string json_path = (out_dir / "versus.json").string();
  write_file_atomically(json_path, doc.dump(2) + "\n");
  print_versus_table(doc, stdout);
  fmt::print("results: {}\n", json_path);

  if (!o.no_report) {
    const std::string python = find_report_python("");
    ProcessOptions options;
    options.env = {{"PYTHONPATH", FASTERBENCH_SOURCE_DIR}, {"MPLBACKEND", "Agg"}};
    std::string error;
    const int rc = run_process({python, "-m", "reports.versus", json_path, "--out", out_dir.string()}, options, &error);
    if (rc != 0) throw std::runtime_error(fmt::format("the versus report failed (exit {}) {}", rc, error));
  }
  bool any = false;
  for (const VersusServer& s : servers) any = any || !s.runs.empty();
  return any ? kExitOk : kExitFailure;
}

}  // namespace fb::harness
