// The framework's front door: a route table of Python handlers behind the request pipeline,
// configured by an OptimizationSet. App::handle runs one request from the calling thread and
// returns its response; it is safe to call from many threads at once.
//
// Every handler is classified at registration (classify.h): SYNC_FAST, SYNC_BLOCKING or ASYNC,
// or as the route's override says. With `direct` (#1) on, SYNC_FAST handlers run on the calling
// thread, through the caller the Python runtime keeps for it (python/runtime.h,
// python/thread_callers.h); everything else goes through the executor, and coroutines run on
// the workers' event loops (python/async_loop.h) in every phase.
//
// Demotion guard (direct only): a SYNC_FAST call whose handler stage exceeds the budget counts
// as slow; after `after` slow calls in a row (a call within budget resets the count) the route
// becomes SYNC_BLOCKING for the rest of the App's life, so a misclassified handler cannot keep
// stalling calling threads. "In a row" keeps isolated slow calls (a preempted thread, a fresh
// interpreter's first calls) from demoting a handler that is fast; a blocking one is slow on
// every call. With several calling threads the row is the order in which calls finish. A SYNC_FAST handler
// that returns a coroutine is switched to ASYNC the same way. Both count as one demotion.
//
// Errors: a request whose response is a 5xx (a handler that raised, a result it could not
// convert, a status >= 500 the handler returned) is logged per route with what went wrong
// (handler_errors.h): App::errors().
//
// Lifetime: no handle() call may be in flight when the App is destroyed.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "framework/classify.h"
#include "framework/dispatch/wait_strategy.h"
#include "framework/handler_errors.h"
#include "framework/http.h"
#include "framework/inject_delay.h"
#include "framework/options.h"
#include "framework/python/interpreter_record.h"
#include "framework/stage.h"

namespace fb {

struct RouteSpec {
  std::string method;   // "GET"
  std::string path;     // "/items/{id}"
  std::string handler;  // "module:function"
  std::optional<HandlerKind> kind;  // the scenario's override of the classification
};

// inline-future: how long a caller waiting for its response spins before it parks. 0: park at
// once, the better choice on 2 shared vCPUs (measured: framework/future/inline_future.h,
// InlineFuture::kDefaultSpin).
inline constexpr std::chrono::nanoseconds kDefaultFutureSpin{0};

struct DemotionPolicy {
  std::chrono::nanoseconds budget{200'000};  // a SYNC_FAST call slower than this is slow
  std::uint32_t after = 3;                   // slow calls in a row before the route is demoted (>= 1)
};

struct AppConfig {
  std::vector<RouteSpec> routes;
  std::vector<std::string> python_path;  // prepended to sys.path before importing handlers
  OptimizationSet optimizations;
  std::size_t workers = 0;  // executor threads; 0 = number of CPUs
  std::chrono::nanoseconds future_spin = kDefaultFutureSpin;  // inline-future only; 0 = park at once
  WaitPolicy wait = kDefaultWaitPolicy;  // how workers wait on the lock-free queue (lockfree only)
  DemotionPolicy demotion;
  // With optimizations.subinterp: what to do with a handler an own-GIL interpreter cannot import.
  SubinterpFallback subinterp_fallback = SubinterpFallback::fail;
  InjectedDelay inject_delay;  // testing aid (inject_delay.h): off unless asked for
};

// A configuration the App cannot run: unknown handler, unavailable optimization, bad route.
// `route()` is the index of the offending route, or npos.
class ConfigError : public std::runtime_error {
 public:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  explicit ConfigError(const std::string& message, std::size_t route = npos)
      : std::runtime_error(message), route_(route) {}
  std::size_t route() const noexcept { return route_; }

 private:
  std::size_t route_;
};

// A route as registered, and what happened to it since.
struct RouteInfo {
  HandlerKind kind;          // at registration: classified, or the override
  HandlerKind current;       // now (differs after a demotion)
  bool overridden = false;   // kind came from the route's override
  std::string reason;        // why `kind` (the classifier's reason, or the override's)
  std::uint64_t demotions = 0;
};

class App {
 public:
  explicit App(AppConfig config);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Routes, runs and waits for one request, stamping every stage point into `trace`. The
  // completion slot is the heap future, or with inline-future the slot inside the request's
  // context in this frame. A handler that raises gives a 500; a C++ exception thrown while
  // serving the request (on a worker) is rethrown here.
  //
  // With direct + subinterp, a calling thread's first direct call creates that thread's own
  // sub-interpreter for this App (tens of ms: let warm-up pay it). It is ended by ~App when
  // the App is destroyed on that thread, otherwise when the thread exits; a calling thread
  // must therefore not outlive Python's finalization (python/thread_callers.h has the rules).
  Response handle(const Request& request, StageTrace& trace);

  const AppConfig& config() const noexcept;
  std::size_t workers() const noexcept;

  // One entry per configured route, in order.
  std::vector<RouteInfo> routes() const;
  // Demotions over all routes so far.
  std::uint64_t demotions() const;
  // Per configured route, in order: the requests that ended in a 5xx since the App started or
  // since clear_errors(), and the first distinct errors (type, message) with their counts.
  std::vector<RouteErrors> errors() const;
  // Starts the error logs afresh (the harness calls it when the measured part of a run begins).
  void clear_errors();
  // Where route `route`'s handler runs ("main", "own (...)", "main (fallback: ...)").
  std::string route_interpreter(std::size_t route) const;
  // The sub-interpreters created so far, one per Python-running thread (empty under the shared GIL).
  std::vector<python::InterpreterRecord> interpreters() const;
  // Where handlers run: "shared-gil" (the main interpreter) or "own-gil" (subinterp: one
  // sub-interpreter per Python-running thread), as the results' interpreter_layout spells it.
  std::string_view interpreter_layout() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fb
