#include "framework/app.h"

#include <Python.h>

#include <thread>

#include "framework/dispatch/make_task_queue.h"
#include "framework/executor.h"
#include "framework/python/embedded_python.h"
#include "framework/python/gil.h"
#include "framework/python/interpreter_bindings.h"
#include "framework/python/python_thread.h"
#include "framework/request_context.h"
#include "framework/router.h"

namespace fb {

struct App::Impl {
  AppConfig config;
  Router router;
  python::InterpreterBindings bindings;  // main interpreter
  std::vector<std::unique_ptr<python::PythonThread>> worker_threads;  // one per worker, used only by it
  std::unique_ptr<Executor> executor;

  void run_task(std::size_t worker, Task& task) {
    RequestContext& ctx = *task.request;
    inject_delay(config.inject_delay, FB_STAGE_DISPATCH);
    stage_point(*ctx.trace, FB_POINT_DEQUEUE);
    std::exception_ptr error;
    try {
      Response response = worker_threads[worker]->call(ctx.match->route, *ctx.request, ctx.match->params, *ctx.trace);
      stage_point(*ctx.trace, FB_POINT_FUTURE_SET);
      inject_delay(config.inject_delay, FB_STAGE_FUTURE);
      ctx.complete(std::move(response));  // ctx may be gone from here on
    } catch (...) {
      error = std::current_exception();
    }
    if (error) {  // published outside the handler: see inline_future.h, Errors
      stage_point(*ctx.trace, FB_POINT_FUTURE_SET);
      ctx.fail(std::move(error));  // the caller's handle() rethrows it; ctx may be gone
    }
    stage_enter(FB_STAGE_DISPATCH);  // until the next task: this worker's pop
  }
};

namespace {

std::string describe(const RouteSpec& r) { return r.method + " " + r.path; }

std::size_t default_workers() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

}  // namespace

App::App(AppConfig config) : impl_(std::make_unique<Impl>()) {
  impl_->config = std::move(config);
  AppConfig& cfg = impl_->config;
  if (std::string reason = unavailable_reason(cfg.optimizations); !reason.empty()) throw ConfigError(reason);
  if (cfg.routes.empty()) throw ConfigError("no routes configured");
  if (cfg.workers == 0) cfg.workers = default_workers();

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
  {
    python::GilScope gil;
    try {
      impl_->bindings.load(specs);
    } catch (const python::HandlerLoadError& e) {
      throw ConfigError("route " + describe(cfg.routes[e.route()]) + ": " + e.what(), e.route());
    }
  }

  impl_->worker_threads.resize(cfg.workers);
  Impl* impl = impl_.get();
  Executor::Hooks hooks;
  hooks.start = [impl](std::size_t w) {
    impl->worker_threads[w] = std::make_unique<python::PythonThread>(PyInterpreterState_Main(), impl->bindings);
    impl->worker_threads[w]->set_injected_delay(impl->config.inject_delay);
  };
  hooks.run = [impl](std::size_t w, Task& task) { impl->run_task(w, task); };
  hooks.stop = [impl](std::size_t w) { impl->worker_threads[w].reset(); };
  try {
    impl_->executor = std::make_unique<Executor>(cfg.workers, make_task_queue(cfg.optimizations, cfg.workers, cfg.wait), std::move(hooks));
  } catch (...) {
    python::GilScope gil;
    impl_->bindings.clear();
    throw;
  }
}

App::~App() {
  impl_->executor.reset();  // joins workers; each ends its thread state on its own thread
  python::GilScope gil;
  impl_->bindings.clear();
}

const AppConfig& App::config() const noexcept { return impl_->config; }
std::size_t App::workers() const noexcept { return impl_->config.workers; }

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
