// `fasterbench serve`: the scenario's App behind the HTTP/1.1 front end (framework/http), until
// SIGINT or SIGTERM; then the drain, a summary and, with --out, the server-side stage table as
// a results JSON.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "harness/pipeline_options.h"

namespace fb::harness {

struct ServeOptions {
  std::string scenario;
  std::string phase, opts, wait;
  std::optional<std::int64_t> workers;
  std::string host = "127.0.0.1";
  std::int64_t port = 8000;
  std::optional<std::int64_t> io_threads;
  std::int64_t max_connections = 10'000;
  std::int64_t max_header_bytes = 16 * 1024;
  std::int64_t max_body_bytes = 1024 * 1024;
  std::int64_t idle_timeout_ms = 60'000;
  std::int64_t header_timeout_ms = 10'000;
  std::int64_t body_timeout_ms = 30'000;
  std::int64_t drain_timeout_ms = 800;
  std::string subinterp_fallback;
  std::string out;
  bool quiet = false;
  PipelineOptions pipeline;
};

CLI::App* add_serve_command(CLI::App& app, ServeOptions& options);
int cmd_serve(const ServeOptions& options);

}  // namespace fb::harness
