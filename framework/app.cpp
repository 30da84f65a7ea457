#include "framework/app.h"

#include <Python.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "framework/dispatch/make_task_queue.h"
#include "framework/executor.h"
#include "framework/python/caller_thread.h"
#include "framework/python/embedded_python.h"
#include "framework/python/gil.h"
#include "framework/python/handler_call.h"
#include "framework/python/interpreter_bindings.h"
#include "framework/python/python_thread.h"
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
  ctx.complete(std::move(response));
}

// A C++ exception while serving the request: the caller's handle() rethrows it.
void fail_request(RequestContext& ctx, std::exception_ptr error) {
  stage_point(*ctx.trace, FB_POINT_FUTURE_SET);
  ctx.fail(std::move(error));
}

std::string describe(const RouteSpec& r) { return r.method + " " + r.path; }

std::size_t default_workers() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

// With direct + subinterp, the calling thread's own interpreters (one per App it called
// directly), made on this thread by the App's runtime. Ended by ~App when the App dies on this
// thread, otherwise at thread exit, on this thread either way (a sub-interpreter must end on
// the thread that created it). Skipped at thread exit once Python is finalized.
struct CallerInterpreters {
  struct Entry {
    std::uint64_t app_serial;
    std::unique_ptr<python::PythonThread> thread;
  };
  std::vector<Entry> entries;
  std::uint64_t last_serial = 0;  // one-entry cache for the hot path
  python::PythonThread* last = nullptr;

  ~CallerInterpreters() {
    if (!Py_IsInitialized()) {
      for (Entry& e : entries) (void)e.thread.release();  // finalization freed them already
    }
  }
  void end(std::uint64_t app_serial) {
    std::erase_if(entries, [app_serial](const Entry& e) { return e.app_serial == app_serial; });
    last_serial = 0;
    last = nullptr;
  }
};

thread_local CallerInterpreters t_caller_interpreters;

std::atomic<std::uint64_t> g_next_app_serial{1};  // relaxed: only uniqueness matters

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
  std::unique_ptr<python::PythonRuntime> runtime;  // shared GIL or own-GIL sub-interpreters; outlives the threads
  std::unique_ptr<RouteState[]> routes;
  std::uint64_t serial = g_next_app_serial.fetch_add(1, std::memory_order_relaxed);
  std::int64_t main_interpreter_id = 0;
  bool direct = false;               // optimization #1 switched on (and compiled in)
  probes::Ticks budget_ticks = 0;    // the demotion budget in clock ticks
  std::vector<std::unique_ptr<python::PythonThread>> worker_threads;  // one per worker, used only by it
  std::unique_ptr<Executor> executor;

  void run_task(std::size_t worker, Task& task) {
    RequestContext& ctx = *task.context;
    inject_delay(config.inject_delay, FB_STAGE_DISPATCH);
    stage_point(*ctx.trace, FB_POINT_DEQUEUE);
    python::PythonThread& py = *worker_threads[worker];
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
      } else if (std::optional<Response> response = py.call(route, *ctx.request, ctx.match->params, *ctx.trace, a)) {
        complete_request(ctx, std::move(*response), a.delay);  // ctx may be gone from here on
      }  // else the handler returned a coroutine: the request completes on the loop
    } catch (...) {
      error = std::current_exception();
    }
    if (error) fail_request(ctx, std::move(error));  // published outside the handler: see inline_future.h, Errors
    stage_enter(FB_STAGE_DISPATCH);  // until the next task: this worker's pop
  }

  void demote(RouteState& route, HandlerKind to) {
    HandlerKind expected = HandlerKind::sync_fast;
    if (route.kind.compare_exchange_strong(expected, to, std::memory_order_relaxed)) {
      route.demotions.fetch_add(1, std::memory_order_relaxed);
    }
  }

#if FASTERBENCH_HAVE_DIRECT
  // Under subinterp, the calling thread's own interpreter for this App, created on first use.
  python::PythonThread& caller_interpreter() {
    CallerInterpreters& c = t_caller_interpreters;
    if (c.last_serial == serial) return *c.last;
    auto it = std::find_if(c.entries.begin(), c.entries.end(),
                           [this](const CallerInterpreters::Entry& e) { return e.app_serial == serial; });
    if (it == c.entries.end()) {
      static std::atomic<std::uint64_t> callers{0};
      const std::string label = "caller " + std::to_string(callers.fetch_add(1, std::memory_order_relaxed));
      c.entries.push_back({serial, runtime->make_thread(label, /*start_loop=*/false)});
      it = c.entries.end() - 1;
    }
    c.last_serial = serial;
    c.last = it->thread.get();
    return *c.last;
  }

  // Optimization #1: the handler runs on the calling thread. Returns the response; or nullopt
  // when the handler returned a coroutine, which `ctx.async.awaitable` then carries to the executor
  // (the route is switched to ASYNC for later requests).
  std::optional<Response> call_direct(const Request& request, const RouteMatch& match, RouteState& route,
                                      StageTrace& trace, RequestContext& ctx) {
    PyThreadState* state = nullptr;
    const python::InterpreterBindings* bindings = nullptr;
    if (config.optimizations.subinterp) {
      python::PythonThread& own = caller_interpreter();
      state = own.thread_state(match.route);
      bindings = &own.bindings(match.route);
    } else {
      state = python::caller_thread_state(PyInterpreterState_Main(), main_interpreter_id);
      bindings = &runtime->main_bindings();
    }
    const InjectedDelay& delay = config.inject_delay;
    python::AttachedScope attached(state, trace, delay);  // detaches on every way out, exceptions included
    python::HandlerOutcome out = python::call_handler(*bindings, match.route, request, match.params, trace, delay);
    if (out.awaitable != nullptr) {
      if (config.optimizations.subinterp) {
        // The coroutine lives in this thread's interpreter and cannot run in a worker's: close
        // it; the worker calls the handler again in its own interpreter (so a sync callable
        // that returns a coroutine runs its synchronous part twice, this once).
        python::PyRef closed(PyObject_CallMethod(out.awaitable, "close", nullptr));
        if (!closed) PyErr_Clear();
        Py_DECREF(out.awaitable);
      } else {
        ctx.async.awaitable = out.awaitable;
      }
      attached.detach_now();
      demote(route, HandlerKind::async);
      // The Python part of this request starts over on the worker's loop, which stamps these.
      for (fb_point p : {FB_POINT_GIL_REQUEST, FB_POINT_GIL_ACQUIRED, FB_POINT_HANDLER_CALL}) trace.at[p] = 0;
      return std::nullopt;
    }
    attached.detach_now();
    const probes::Ticks took = trace.at[FB_POINT_HANDLER_RETURN] - trace.at[FB_POINT_HANDLER_CALL];
    if (took <= budget_ticks) {
      // The hot path only reads: the count is almost always 0 already.
      if (route.slow_calls.load(std::memory_order_relaxed) != 0) route.slow_calls.store(0, std::memory_order_relaxed);
    } else if (route.slow_calls.fetch_add(1, std::memory_order_relaxed) + 1 == config.demotion.after) {
      demote(route, HandlerKind::sync_blocking);
    }
    return std::move(out.response);
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
  bool any_async = false;
  {
    python::GilScope gil;
    impl_->main_interpreter_id = PyInterpreterState_GetID(PyInterpreterState_Main());
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

  impl_->worker_threads.resize(cfg.workers);
  Impl* impl = impl_.get();
  Executor::Hooks hooks;
  hooks.start = [impl, any_async](std::size_t w) {
    impl->worker_threads[w] = impl->runtime->make_thread("worker " + std::to_string(w), any_async);
  };
  hooks.run = [impl](std::size_t w, Task& task) { impl->run_task(w, task); };
  hooks.stop = [impl](std::size_t w) { impl->worker_threads[w].reset(); };
  try {
    impl_->executor = std::make_unique<Executor>(cfg.workers, make_task_queue(cfg.optimizations, cfg.wait), std::move(hooks));
  } catch (const python::HandlerLoadError& e) {  // a worker's interpreter refused a handler
    throw ConfigError("route " + describe(cfg.routes[e.route()]) + ": " + e.what(), e.route());
  }
}

App::~App() {
  impl_->executor.reset();  // joins workers; each ends its thread state (and interpreter) on its own thread
  // This thread's own interpreter for the direct path (subinterp); other calling threads end
  // theirs when they exit. The shared-GIL direct-path states outlive the App: see
  // python/caller_thread.h.
  t_caller_interpreters.end(impl_->serial);
  impl_->runtime.reset();  // then the main interpreter's handlers
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
      if (std::optional<Response> r = impl_->call_direct(request, match, route, trace, ctx)) {
        stage_point(trace, FB_POINT_RESPONSE_READY);  // no dispatch, no future: returned inline
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
    response = ctx.completion.get(impl_->config.future_spin);
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
    response = future.get();
  }  // the heap future's shared state is freed here: part of the future stage
  stage_point(trace, FB_POINT_FUTURE_OBSERVED);
  inject_delay(impl_->config.inject_delay, FB_STAGE_OTHER);
  stage_point(trace, FB_POINT_RESPONSE_READY);
  return response;
}

}  // namespace fb
