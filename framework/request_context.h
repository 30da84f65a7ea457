// Everything a worker needs to serve one request, in the caller's frame. The caller blocks
// until the request's completion slot is published; the worker must not touch the context after
// publishing (complete() / fail() are its last touch).
//
// The completion slot is chosen per request by App::handle from the OptimizationSet: the
// baseline heap future (`promise` valid, phases P0-P3) or, with inline-future, the inline slot
// right here in the context (`completion`, no heap allocation).
#pragma once

#include <cstddef>
#include <exception>

#include "framework/future/heap_future.h"
#if FASTERBENCH_HAVE_INLINE_FUTURE
#include "framework/future/inline_future.h"
#endif
#include "framework/http.h"
#include "framework/python/async_loop.h"
#include "framework/router.h"
#include "framework/stage.h"

namespace fb {

struct RequestContext final : python::AsyncRequestOwner {
  const Request* request = nullptr;
  const RouteMatch* match = nullptr;
  StageTrace* trace = nullptr;
  HeapPromise promise;  // baseline slot: valid() when the caller waits on a HeapFuture
#if FASTERBENCH_HAVE_INLINE_FUTURE
  InlineFuture<Response> completion;  // inline slot: used when `promise` is not valid
#endif
  // The request as a worker's event loop sees it (ASYNC routes, coroutines), owner = this. Its
  // `awaitable` is set before dispatch when the direct path's handler returned a coroutine:
  // the loop then runs that instead of calling the handler again.
  python::AsyncRequest async;

  // The loop's report on `async` (loop thread): completes the request as a worker would
  // (defined in app.cpp, with the rest of the completion).
  void async_completed(python::AsyncRequest& async_request, Response&& response) noexcept override;
  void async_failed(python::AsyncRequest& async_request, std::exception_ptr error) noexcept override;

  // Producer side: publish the response or the error to whichever slot the caller waits on.
  // The context may be gone as soon as either returns.
  void complete(Response&& response) noexcept {
    if (promise.valid()) {
      HeapPromise p = std::move(promise);  // our own reference keeps the shared state alive
      p.set_value(std::move(response));
      return;
    }
#if FASTERBENCH_HAVE_INLINE_FUTURE
    completion.set_value(std::move(response));
#endif
  }

  void fail(std::exception_ptr error) noexcept {
    if (promise.valid()) {
      HeapPromise p = std::move(promise);
      p.set_error(std::move(error));
      return;
    }
#if FASTERBENCH_HAVE_INLINE_FUTURE
    completion.set_error(std::move(error));
#endif
  }
};

}  // namespace fb
