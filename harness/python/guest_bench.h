// Guest mode's measurement: a Python process that loaded the framework (the fasterbench
// extension) measures its own handlers the way `fasterbench run` measures a scenario's. The app
// the process registered becomes an in-memory Scenario; the keyword arguments of App.bench become
// the RunOptions the CLI would have parsed, resolved by the same resolve_run_settings; the same
// measure_configuration runs the load; the same writer renders the document (command "bench",
// context.python.mode "guest").
//
// What differs from `run`, and why:
//   - the interpreter is the host's (framework/python/embedded_python.h): nothing is started or
//     finalized, and process hygiene (--hash-seed, --aslr, --env re-execute the process) is not
//     offered: the process is the user's;
//   - client 0 is the calling thread (RunSettings::caller_is_first_client): with `direct`, the
//     handlers of a one-client bench run on the host's own Python thread. Its name and CPU
//     affinity, which placement changes, are restored afterwards;
//   - SIGINT / SIGTERM stop the measurement at the next request of every client
//     (harness/host/interrupt.h); the result is then discarded and the signal reported.
//
// No GIL may be held by the calling thread (the bindings release it first).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "framework/app.h"
#include "harness/commands/run_options.h"
#include "harness/scenario/scenario.h"

namespace fb::python {

// One route as the Python App registered it.
struct GuestRoute {
  std::string method;       // "GET"
  std::string path;         // "/items/{id}"
  std::string handler;      // the "module:function" the framework imports
  std::string description;  // how the results name the handler ("module:qualname")
  std::string kind;         // "", "fast", "blocking" or "async"
  std::string request;      // what the load sends ("" = path)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  double weight = 1.0;
  int line = 0;             // the handler's first line in its source file
};

struct GuestApp {
  std::string name;                      // scenario.name in the results
  std::string file;                      // scenario.file: where the app was defined
  std::vector<std::string> python_path;  // the host's sys.path, for own-GIL interpreters
  std::vector<GuestRoute> routes;
};

// The app as the Scenario the harness measures. Throws ConfigError (framework/app.h) for what a
// scenario file could not say either (no routes, a path parameter without a concrete request, a
// negative weight...), naming the route.
harness::Scenario guest_scenario(const GuestApp& app);

// The options as resolved for `app`. Throws ConfigError with the harness's message.
harness::RunSettings guest_run_settings(const GuestApp& app, const harness::RunOptions& options);

// The framework configuration App.handle serves with: the same routes and pipeline options.
AppConfig guest_app_config(const GuestApp& app, const harness::RunOptions& options);

struct GuestBenchOutcome {
  std::string document;  // the results JSON (empty when interrupted)
  int signal = 0;        // the SIGINT or SIGTERM that stopped it, 0 if none
};

// Measures `app` under `options` (`options.out`: also written there, atomically). Throws
// ConfigError for bad options or an app that cannot start; one bench at a time per process.
GuestBenchOutcome run_guest_bench(const GuestApp& app, const harness::RunOptions& options);

}  // namespace fb::python
