// The framework's front door: a route table of Python handlers behind the request pipeline,
// configured by an OptimizationSet. App::handle runs one request from the calling thread and
// returns its response; it is safe to call from many threads at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "framework/dispatch/wait_strategy.h"
#include "framework/http.h"
#include "framework/inject_delay.h"
#include "framework/options.h"
#include "framework/stage.h"

namespace fb {

struct RouteSpec {
  std::string method;   // "GET"
  std::string path;     // "/items/{id}"
  std::string handler;  // "module:function"
};

// inline-future: how long a caller waiting for its response spins before it parks. 0: park at
// once, the better choice on 2 shared vCPUs (measured: framework/future/inline_future.h,
// InlineFuture::kDefaultSpin).
inline constexpr std::chrono::nanoseconds kDefaultFutureSpin{0};

struct AppConfig {
  std::vector<RouteSpec> routes;
  std::vector<std::string> python_path;  // prepended to sys.path before importing handlers
  OptimizationSet optimizations;
  std::size_t workers = 0;  // executor threads; 0 = number of CPUs
  std::chrono::nanoseconds future_spin = kDefaultFutureSpin;  // inline-future only; 0 = park at once
  WaitPolicy wait = WaitPolicy::adaptive;  // how workers wait on the lock-free queue (lockfree only)
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
  Response handle(const Request& request, StageTrace& trace);

  const AppConfig& config() const noexcept;
  std::size_t workers() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fb
