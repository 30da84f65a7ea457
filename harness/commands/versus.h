// `fasterbench versus`: the scenario served by fasterbench (P0 and the best phase), by FastAPI
// on uvicorn and by a bare ASGI app on uvicorn, each measured by wrk on the same CPUs with the
// same settings, repetitions interleaved; a table, versus.json and a report with a chart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "harness/cli/command_line.h"

namespace fb::harness {

struct VersusOptions {
  std::string scenario;
  std::string tool = "wrk";
  std::int64_t connections = 16;
  std::optional<std::int64_t> threads;
  std::int64_t duration_s = 5;
  std::int64_t warmup_s = 2;
  std::int64_t repetitions = 3;
  std::string phases;        // fasterbench phases to serve; default "P0,<best>"
  std::string server_cpus;   // default: the last allowed CPU
  std::string tool_cpus;     // default: the other allowed CPUs (or the same one on a 1-CPU machine)
  std::optional<std::int64_t> workers;
  std::optional<std::int64_t> io_threads;
  std::string asgi_python = "/usr/bin/python3";
  std::string servers = "fasterbench,fastapi,asgi";  // which kinds to run
  std::string out;           // directory; default results/versus-<scenario>
  bool no_report = false;
  std::uint64_t seed = 1;
};

void describe_versus_command(Command& root, VersusOptions& options);
int cmd_versus(const VersusOptions& options);

}  // namespace fb::harness
