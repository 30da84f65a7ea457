#include "harness/commands/serve.h"

#include <fmt/format.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>

#include <chrono>
#include <csignal>

#include "framework/http/server.h"
#include "harness/cli/exit_codes.h"
#include "harness/console/stage_tables.h"
#include "harness/host/sysinfo.h"
#include "harness/measure/measure.h"
#include "harness/measure/stamp_cost.h"
#include "harness/results/atomic_file.h"
#include "harness/results/results_json.h"
#include "harness/results/summaries.h"
#include "probes/clock.h"

namespace fb::harness {

void describe_serve_command(Command& root, ServeOptions& o) {
  Command& cmd = root.add_subcommand(
      "serve", "Serve the scenario's handlers over HTTP/1.1 (the pipeline behind an epoll front end) until SIGINT/SIGTERM");
  describe_scenario_option(cmd, o.pipeline);
  describe_configuration_options(cmd, o.pipeline);
  describe_pipeline_options(cmd, o.pipeline);
  cmd.add({.name = "--host", .target = &o.host, .help = "Address to listen on (default: 127.0.0.1, loopback only)"});
  cmd.add({.name = "--port", .target = &o.port, .help = "TCP port; 0 lets the kernel choose (printed at start). Default: 8000"});
  cmd.add({.name = "--io-threads", .target = &o.io_threads,
           .help = "I/O threads, each with its own epoll set; each runs the handler of the request it read, so this is "
                   "also how many requests can be in the pipeline at once (default: the CPUs this process may run on)"});
  cmd.add({.name = "--max-connections", .target = &o.max_connections,
           .help = "Open connections beyond this are answered 503 and closed (default: 10000)"});
  cmd.add({.name = "--max-header-bytes", .target = &o.max_header_bytes,
           .help = "Request line + header fields larger than this: 431 and close (default: 16384)"});
  cmd.add({.name = "--max-body-bytes", .target = &o.max_body_bytes,
           .help = "Request bodies (Content-Length, or de-chunked) larger than this: 413 and close (default: 1048576)"});
  cmd.add({.name = "--idle-timeout-ms", .target = &o.idle_timeout_ms,
           .help = "A keep-alive connection with no request (or a peer not reading its response) for this long is "
                   "closed (default: 60000)"});
  cmd.add({.name = "--header-timeout-ms", .target = &o.header_timeout_ms,
           .help = "A request header not complete this long after its first byte (slowloris): 408 and close (default: 10000)"});
  cmd.add({.name = "--body-timeout-ms", .target = &o.body_timeout_ms,
           .help = "A request body not complete this long after its header: 408 and close (default: 30000)"});
  cmd.add({.name = "--drain-timeout-ms", .target = &o.drain_timeout_ms,
           .help = "On SIGINT/SIGTERM: how long requests already received get to be answered before the remaining "
                   "connections are closed (default: 800)"});
  cmd.add({.name = "--out", .target = &o.out,
           .help = "On exit, write the server-side stage table of every request served (recv, pipeline stages, send) "
                   "as a results JSON here (atomically)"});
  cmd.add({.name = "--quiet", .target = &o.quiet, .help = "Print only the listening line and errors"});
}

namespace {

// App::handle behind the server. App::handle is safe to call from every I/O thread at once.
class AppHandler final : public http::RequestHandler {
 public:
  explicit AppHandler(App& app) : app_(app) {}
  Response handle(const Request& request, StageTrace& trace) override { return app_.handle(request, trace); }

 private:
  App& app_;
};

std::size_t affinity_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return static_cast<std::size_t>(std::max(1, CPU_COUNT(&set)));
}

std::int64_t positive(std::int64_t value, const char* flag, std::int64_t max = INT64_MAX) {
  if (value <= 0 || value > max) throw UsageError(fmt::format("{} must be in [1, {}], got {}", flag, max, value));
  return value;
}

http::ServerOptions server_options(const ServeOptions& o) {
  http::ServerOptions s;
  s.host = o.host;
  if (o.port < 0 || o.port > 65535) throw UsageError(fmt::format("--port must be in [0, 65535], got {}", o.port));
  s.port = static_cast<std::uint16_t>(o.port);
  s.io_threads = o.io_threads ? static_cast<std::size_t>(positive(*o.io_threads, "--io-threads", 256)) : affinity_cpus();
  s.max_connections = static_cast<std::size_t>(positive(o.max_connections, "--max-connections"));
  s.limits.max_header_bytes = static_cast<std::size_t>(positive(o.max_header_bytes, "--max-header-bytes", UINT32_MAX));
  s.limits.max_body_bytes = static_cast<std::uint64_t>(positive(o.max_body_bytes, "--max-body-bytes"));
  s.idle_timeout = std::chrono::milliseconds(positive(o.idle_timeout_ms, "--idle-timeout-ms"));
  s.header_timeout = std::chrono::milliseconds(positive(o.header_timeout_ms, "--header-timeout-ms"));
  s.body_timeout = std::chrono::milliseconds(positive(o.body_timeout_ms, "--body-timeout-ms"));
  s.drain_timeout = std::chrono::milliseconds(positive(o.drain_timeout_ms, "--drain-timeout-ms"));
  return s;
}

void print_summary(const http::ServerStats& st, double seconds, std::FILE* out) {
  const http::SessionCounters& s = st.sessions;
  fmt::print(out, "served {} requests in {:.1f} s ({:.0f}/s): 2xx {}, 3xx {}, 4xx {}, 5xx {}\n", s.requests, seconds,
             seconds > 0 ? static_cast<double>(s.requests) / seconds : 0.0, s.status_2xx, s.status_3xx, s.status_4xx,
             s.status_5xx);
  fmt::print(out,
             "connections: {} accepted, {} refused at the limit (503); refused requests: 400 {}, 408 {}, 413 {}, "
             "431 {}; closed idle {}, stalled {}, reset by peer {}, cut at drain {}\n",
             st.accepted, st.rejected, s.refused_400, s.refused_408, s.refused_413, s.refused_431, st.idle_closed,
             st.write_stalled, st.peer_resets, st.drained_closed);
}

}  // namespace

int cmd_serve(const ServeOptions& o) {
  const Scenario scenario = load_scenario_option(o.pipeline.scenario);
  RunOptions pipeline = o.pipeline;
  // The server's workers default to the CPUs it may run on, not the machine's.
  if (!pipeline.workers && !scenario.load.workers) pipeline.workers = static_cast<std::int64_t>(affinity_cpus());
  RunSettings settings = resolve_run_settings(pipeline, scenario);
  settings.repetitions = 1;
  require_available(settings.opts);
  const OptimizationSet& opts = settings.opts;
  const http::ServerOptions server_settings = server_options(o);
  require_output_directory("--out", o.out);

  // SIGINT and SIGTERM are taken by sigwait below: blocked here, before any thread exists, so
  // every thread (I/O, executor workers, event loops) inherits the mask and none is interrupted.
  // A shell starts background jobs with SIGINT ignored, and an ignored signal is discarded even
  // while blocked: restore the default action so that sigwait sees it.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  probes::calibrate_clock();
  const double stamp_cost = measure_stamp_cost_ns();
  std::unique_ptr<App> app = start_app(scenario, app_config(scenario, settings));
  AppHandler handler(*app);
  std::unique_ptr<http::Server> server;
  try {
    server = std::make_unique<http::Server>(server_settings, handler);
  } catch (const http::ServerError& e) {
    throw std::runtime_error(e.what());  // exit 1: the address, not the arguments, is the problem
  }
  server->start();
  const auto started = std::chrono::steady_clock::now();
  const CpuTimes cpu_before = read_cpu_times();
  const std::string host = server_settings.host.find(':') != std::string::npos ? "[" + server_settings.host + "]"
                                                                                : server_settings.host;
  fmt::print("fasterbench serve: {} ({}) on http://{}:{} — {} I/O thread(s), {} worker(s); SIGINT/SIGTERM to stop\n",
             scenario.name, config_label(opts), host, server->port(), server_settings.io_threads, app->workers());
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  const auto stop_at = std::chrono::steady_clock::now();
  server->stop();
  server->wait();
  const double seconds = std::chrono::duration<double>(stop_at - started).count();
  const CpuTimes cpu_after = read_cpu_times();
  const http::ServerStats stats = server->stats();
  if (!o.quiet) {
    fmt::print("fasterbench serve: {} received, drained in {:.0f} ms\n", strsignal(signal_number),
               std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - stop_at).count());
    print_summary(stats, seconds, stdout);
  }

  ResultsDocument doc = make_document("serve", scenario, settings, stamp_cost);
  RunRecord run;
  run.config = config_label(opts);
  run.phase = phase_of(opts);
  run.opts = opts.names();
  if (opts.lockfree) run.wait = std::string(wait_policy_name(settings.wait));
  run.stamp_cost_ns = stamp_cost;
  run.load.requests = stats.sessions.requests;
  run.load.server_errors = stats.sessions.status_5xx;
  run.load.client_errors = stats.sessions.status_4xx;
  run.load.duration_s = seconds;
  run.load.throughput_rps = seconds > 0 ? static_cast<double>(stats.sessions.requests) / seconds : 0;
  run.load.steal_pct = steal_percent(cpu_before, cpu_after);
  *run.load.stages = server->stages();
  run.demotions = app->demotions();
  run.interpreter_layout = std::string(app->interpreter_layout());
  run.interpreters = app->interpreters();
  doc.routes = route_records(scenario, app->routes());
  doc.runs.push_back(std::move(run));
  doc.config.requests = static_cast<std::int64_t>(stats.sessions.requests);
  doc.config.clients = 0;
  doc.context.steal_pct = doc.runs.back().load.steal_pct;
  server.reset();
  app.reset();

  doc.aggregates = aggregate_configurations({summarize_run(doc.runs.back())});
  if (!o.quiet && stats.sessions.requests > 0) print_stage_tables(summarize_document(doc), doc.aggregates, stdout);
  if (!o.out.empty()) {
    write_file_atomically(o.out, results_to_json(doc).dump(2) + "\n");
    if (!o.quiet) fmt::print("results: {}\n", o.out);
  }
  return kExitOk;
}

}  // namespace fb::harness
