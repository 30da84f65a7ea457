#include "framework/app.h"

#include <atomic>
#include <thread>

#include "framework/dispatch/make_task_queue.h"
#include "framework/executor.h"
#include "framework/handler_errors.h"
#include "framework/python/embedded_python.h"
#include "framework/python/gil.h"
#include "framework/python/handler_call.h"
#include "framework/python/interpreter_bindings.h"
#include "framework/python/python_caller.h"
#include "framework/python/runtime.h"
#include "framework/request_context.h"
#include "framework/router.h"
#include "probes/clock.h"

namespace fb {

namespace {

// A route's classification and what the run did to it.
struct RouteState {
  // The kind requests follow now. Written at registration and by demote() (CAS, relaxed: a
  // request that still sees the old kind a moment later runs correctly either way); read by
  // every request (relaxed).
  std::atomic<HandlerKind> kind{HandlerKind::sync_blocking};
  HandlerKind registered = HandlerKind::sync_blocking;
  bool overridden = false;
  std::string reason;
  // Slow direct calls in a row (fetch_add by calling threads, reset by a call within budget;
  // relaxed: only the count matters, and the thread whose increment reaches the limit demotes).
  std::atomic<std::uint32_t> slow_calls{0};
  // Successful demotions (0 or 1 per route; relaxed, read for reporting).
  std::atomic<std::uint64_t> demotions{0};
};

// Publishes the response to whichever slot the caller waits on; ctx may be gone afterwards.
// `delay` (testing aid) may busy-wait in the future stage first.
void complete_request(RequestContext& ctx, Response&& response, const InjectedDelay& delay) {
  stage_point(*ctx.trace, FB_POINT_FUTURE_SET);
  inject_delay(delay, FB_STAGE_FUTURE);
  // Instructions mode does not count the hand-off itself: how many instructions it takes
  // (contended lock or not, a futex wake or none) depends on whether the caller already sleeps,
  // a wake-up race (probes/instruction_count.h).
  probes::InstructionWait handing_off;
  ctx.complete(std::move(response));
}

// A C++ exception while serving the request: the caller's handle() rethrows it.
void fail_request(RequestContext& ctx, std::exception_ptr error) {
  stage_point(*ctx.trace, FB_POINT_FUTURE_SET);
  probes::InstructionWait handing_off;
  ctx.fail(std::move(error));
}

std::string describe(const RouteSpec& r) { return r.method + " " + r.path; }

std::size_t default_workers() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

}  // namespace

// The loop finished this context's request (ASYNC routes, coroutines): loop thread.
void RequestContext::async_completed(python::AsyncRequest& async_request, Response&& response) noexcept {
  complete_request(*this, std::move(response), async_request.delay);
}

void RequestContext::async_failed(python::AsyncRequest& /*async_request*/, std::exception_ptr error) noexcept {
  fail_request(*this, std::move(error));
}

struct App::Impl {
  AppConfig config;
  Router router;
  // Shared GIL or own-GIL sub-interpreters: hands every thread that runs Python its caller.
  // Outlives the workers.
  std::unique_ptr<python::PythonRuntime> runtime;
  std::unique_ptr<RouteState[]> routes;
  std::unique_ptr<RouteErrorLog[]> errors;  // per route: requests that ended in a 5xx, and why
  bool direct = false;               // optimization #1 switched on (and compiled in)
  probes::Ticks budget_ticks = 0;    // the demotion budget in clock ticks
  // Each worker's caller (the runtime's, kept in the worker's registry), set and cleared by
  // that worker's start and stop hooks and used only by it.
  std::vector<python::PythonCaller*> worker_callers;
  std::unique_ptr<Executor> executor;

  void run_task(std::size_t worker, Task& task) {
    RequestContext& ctx = *task.context;
    inject_delay(config.inject_delay, FB_STAGE_DISPATCH);
    stage_point(*ctx.trace, FB_POINT_DEQUEUE);
    python::PythonCaller& py = *worker_callers[worker];
    const std::size_t route = ctx.match->route;
    python::AsyncRequest& a = ctx.async;
    a.route = route;
    a.request = ctx.request;
    a.params = &ctx.match->params;
    a.trace = ctx.trace;
    a.delay = config.inject_delay;
    a.owner = &ctx;
    std::exception_ptr error;
    try {
      if (a.awaitable != nullptr || routes[route].kind.load(std::memory_order_relaxed) == HandlerKind::async) {
        py.post(a);  // the worker's event loop calls the handler and completes the request
      } else if (std::optional<Response> response = py.call(*ctx.request, *ctx.match, *ctx.trace, config.inject_delay, a)) {
        complete_request(ctx, std::move(*response), a.delay);  // ctx may be gone from here on
      }  // else the handler returned a coroutine: the request completes on the loop
    } catch (...) {
      error = std::current_exception();
    }
    if (error) fail_request(ctx, std::move(error));  // published outside the handler: see inline_future.h, Errors
    stage_enter(FB_STAGE_DISPATCH);  // until the next task: this worker's pop
  }

  // The last step of every routed request, after response_ready was stamped: a 5xx goes into
  // its route's error log (the success path pays the compare only, and no extra move).
  void log_if_failed(std::size_t route, const Response& response) {
    if (response.status >= 500) [[unlikely]] errors[route].record(response);
  }

  void demote(RouteState& route, HandlerKind to) {
    HandlerKind expected = HandlerKind::sync_fast;
    if (route.kind.compare_exchange_strong(expected, to, std::memory_order_relaxed)) {
      route.demotions.fetch_add(1, std::memory_order_relaxed);
    }
  }

#if FASTERBENCH_HAVE_DIRECT
  // Optimization #1: the handler runs on the calling thread, through that thread's caller.
  // Returns the response; or nullopt when the handler returned a coroutine, which the executor
  // then runs (python_caller.h, call_direct) and the route is switched to ASYNC for later
  // requests. Times the call for the demotion guard.
  std::optional<Response> call_direct(RouteState& route, RequestContext& ctx) {
    python::PythonCaller& caller = runtime->caller();
    std::optional<Response> response =
        caller.call_direct(*ctx.request, *ctx.match, *ctx.trace, config.inject_delay, ctx.async);
    if (!response) {
      demote(route, HandlerKind::async);
      return response;  // (nullopt) the same object on every path: returned without a move
    }
    const StageTrace& trace = *ctx.trace;
    const probes::Ticks took = trace.at[FB_POINT_HANDLER_RETURN] - trace.at[FB_POINT_HANDLER_CALL];
    if (took <= budget_ticks) {
      // The hot path only reads: the count is almost always 0 already.
      if (route.slow_calls.load(std::memory_order_relaxed) != 0) route.slow_calls.store(0, std::memory_order_relaxed);
    } else if (route.slow_calls.fetch_add(1, std::memory_order_relaxed) + 1 == config.demotion.after) {
      demote(route, HandlerKind::sync_blocking);
    }
    return response;
  }
#endif
};

App::App(AppConfig config) : impl_(std::make_unique<Impl>()) {
  impl_->config = std::move(config);
  AppConfig& cfg = impl_->config;
  if (std::string reason = unavailable_reason(cfg.optimizations); !reason.empty()) throw ConfigError(reason);
  if (cfg.routes.empty()) throw ConfigError("no routes configured");
  if (cfg.workers == 0) cfg.workers = default_workers();
  if (cfg.demotion.after == 0) throw ConfigError("the demotion guard needs at least 1 slow call (got 0)");
  if (cfg.demotion.budget.count() < 0) throw ConfigError("the demotion budget must be >= 0");
  impl_->direct = FASTERBENCH_HAVE_DIRECT && cfg.optimizations.direct;
  impl_->budget_ticks = static_cast<probes::Ticks>(static_cast<double>(cfg.demotion.budget.count()) /
                                                   probes::calibrate_clock().ns_per_tick);

  for (std::size_t i = 0; i < cfg.routes.size(); ++i) {
    try {
      impl_->router.add(cfg.routes[i].method, cfg.routes[i].path);
    } catch (const RouteError& e) {
      throw ConfigError(e.what(), i);
    }
  }

  python::ensure_python();
  python::add_to_sys_path(cfg.python_path);
  std::vector<std::string> specs;
  for (const RouteSpec& r : cfg.routes) specs.push_back(r.handler);
  // No thread state stays attached while the workers start: own-GIL interpreters starting on
  // them need the main GIL for their first C-extension imports.
  try {
    impl_->runtime = python::make_python_runtime(cfg.optimizations, cfg.subinterp_fallback, cfg.python_path, specs);
  } catch (const python::HandlerLoadError& e) {
    throw ConfigError("route " + describe(cfg.routes[e.route()]) + ": " + e.what(), e.route());
  }
  impl_->routes = std::make_unique<RouteState[]>(cfg.routes.size());
  impl_->errors = std::make_unique<RouteErrorLog[]>(cfg.routes.size());
  bool any_async = false;
  {
    python::GilScope gil;
    const python::InterpreterBindings& main_bindings = impl_->runtime->main_bindings();
    for (std::size_t i = 0; i < cfg.routes.size(); ++i) {
      PyObject* handler = main_bindings.handler(i);
      if (std::string problem = handler_problem(handler); !problem.empty()) {
        throw ConfigError("route " + describe(cfg.routes[i]) + ": handler '" + cfg.routes[i].handler + "': " + problem, i);
      }
      const Classification c = classify_handler(handler);
      RouteState& s = impl_->routes[i];
      if (const auto& kind = cfg.routes[i].kind) {
        s.registered = *kind;
        s.overridden = true;
        s.reason = std::string("scenario override kind = \"") + std::string(override_name(*kind)) +
                   "\" (classifier said " + std::string(kind_name(c.kind)) + ": " + c.reason + ")";
      } else {
        s.registered = c.kind;
        s.reason = c.reason;
      }
      s.kind.store(s.registered, std::memory_order_relaxed);
      any_async = any_async || s.registered == HandlerKind::async;
    }
  }

  impl_->worker_callers.resize(cfg.workers, nullptr);
  Impl* impl = impl_.get();
  Executor::Hooks hooks;
  hooks.start = [impl, any_async](std::size_t w) {
    impl->worker_callers[w] = &impl->runtime->caller("worker " + std::to_string(w), any_async);
  };
  hooks.run = [impl](std::size_t w, Task& task) { impl->run_task(w, task); };
  hooks.stop = [impl](std::size_t w) {
    impl->worker_callers[w] = nullptr;
    impl->runtime->end_caller();  // on the worker: its loops stop, its own interpreter ends
  };
  try {
    impl_->executor = std::make_unique<Executor>(cfg.workers, make_task_queue(cfg.optimizations, cfg.wait), std::move(hooks));
  } catch (const python::HandlerLoadError& e) {  // a worker's interpreter refused a handler
    throw ConfigError("route " + describe(cfg.routes[e.route()]) + ": " + e.what(), e.route());
  }
}

App::~App() {
  impl_->executor.reset();  // joins the workers; each ended its caller on its own thread
  // Then this thread's caller and the main interpreter's handlers. Other calling threads end
  // their callers when they exit (python/thread_callers.h).
  impl_->runtime.reset();
}

const AppConfig& App::config() const noexcept { return impl_->config; }
std::size_t App::workers() const noexcept { return impl_->config.workers; }

std::vector<RouteInfo> App::routes() const {
  std::vector<RouteInfo> out;
  for (std::size_t i = 0; i < impl_->config.routes.size(); ++i) {
    const RouteState& s = impl_->routes[i];
    out.push_back({s.registered, s.kind.load(std::memory_order_relaxed), s.overridden, s.reason,
                   s.demotions.load(std::memory_order_relaxed)});
  }
  return out;
}

std::string App::route_interpreter(std::size_t route) const { return impl_->runtime->route_interpreter(route); }

std::vector<python::InterpreterRecord> App::interpreters() const { return impl_->runtime->interpreters(); }

std::string_view App::interpreter_layout() const noexcept { return impl_->runtime->layout(); }

std::vector<RouteErrors> App::errors() const {
  std::vector<RouteErrors> out;
  for (std::size_t i = 0; i < impl_->config.routes.size(); ++i) out.push_back(impl_->errors[i].snapshot());
  return out;
}

void App::clear_errors() {
  for (std::size_t i = 0; i < impl_->config.routes.size(); ++i) impl_->errors[i].clear();
}

std::uint64_t App::demotions() const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < impl_->config.routes.size(); ++i) total += impl_->routes[i].demotions.load(std::memory_order_relaxed);
  return total;
}

Response App::handle(const Request& request, StageTrace& trace) {
  stage_point(trace, FB_POINT_ARRIVE);
  thread_local RouteMatch match;  // reused: its params vector keeps its capacity
  impl_->router.match(request.method, request.path, match);
  inject_delay(impl_->config.inject_delay, FB_STAGE_ROUTE);
  stage_point(trace, FB_POINT_ROUTE_MATCHED);
  if (match.result != RouteMatch::Result::found) {
    Response r = match.result == RouteMatch::Result::not_found
                     ? plain_response(404, "Not Found")
                     : plain_response(405, "Method Not Allowed (allowed: " + match.allowed_methods + ")");
    stage_point(trace, FB_POINT_RESPONSE_READY);
    return r;
  }

  RequestContext ctx;
  ctx.request = &request;
  ctx.match = &match;
  ctx.trace = &trace;
#if FASTERBENCH_HAVE_DIRECT
  if (impl_->direct) {
    RouteState& route = impl_->routes[match.route];
    if (route.kind.load(std::memory_order_relaxed) == HandlerKind::sync_fast) {
      if (std::optional<Response> r = impl_->call_direct(route, ctx)) {
        stage_point(trace, FB_POINT_RESPONSE_READY);  // no dispatch, no future: returned inline
        impl_->log_if_failed(match.route, *r);
        return std::move(*r);
      }
    }
  }
#endif
  Response response;
#if FASTERBENCH_HAVE_INLINE_FUTURE
  if (impl_->config.optimizations.inline_future) {
    // The slot is part of ctx (zeroed with it); arming it is the whole "create".
    stage_point(trace, FB_POINT_FUTURE_CREATE);
    ctx.completion.reset();
    stage_point(trace, FB_POINT_FUTURE_CREATED);
    stage_point(trace, FB_POINT_ENQUEUE);
    impl_->executor->submit(Task{&ctx});
    stage_enter(FB_STAGE_FUTURE);
    {
      probes::InstructionWait waiting;  // the caller's wait: instructions mode counts no waits
      response = ctx.completion.get(impl_->config.future_spin);
    }
  } else
#endif
  {
    stage_point(trace, FB_POINT_FUTURE_CREATE);
    auto [promise, future] = make_heap_future();
    stage_point(trace, FB_POINT_FUTURE_CREATED);
    ctx.promise = std::move(promise);
    stage_point(trace, FB_POINT_ENQUEUE);
    impl_->executor->submit(Task{&ctx});
    stage_enter(FB_STAGE_FUTURE);
    {
      probes::InstructionWait waiting;
      response = future.get();
    }
  }  // the heap future's shared state is freed here: part of the future stage
  stage_point(trace, FB_POINT_FUTURE_OBSERVED);
  inject_delay(impl_->config.inject_delay, FB_STAGE_OTHER);
  stage_point(trace, FB_POINT_RESPONSE_READY);
  impl_->log_if_failed(match.route, response);
  return response;
}

}  // namespace fb
