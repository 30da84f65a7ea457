// `fasterbench serve`: the scenario's App behind the HTTP/1.1 front end (framework/http), until
// SIGINT or SIGTERM; then the drain, a summary and, with --out, the server-side stage table as
// a results JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "harness/cli/command_line.h"
#include "harness/commands/run_options.h"

namespace fb::harness {

struct ServeOptions {
  RunOptions pipeline;  // --scenario, --phase/--opt and the pipeline options (run_options.h)
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
  std::string out;
  bool quiet = false;
};

// Adds the `serve` command and its options to `root`.
void describe_serve_command(Command& root, ServeOptions& options);
int cmd_serve(const ServeOptions& options);

}  // namespace fb::harness
