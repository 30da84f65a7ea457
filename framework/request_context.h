// Everything a worker needs to serve one request, in the caller's frame. The caller blocks
// until the request's future completes; the worker must not touch the context after that.
#pragma once

#include <cstddef>

#include "framework/future/heap_future.h"
#include "framework/http.h"
#include "framework/router.h"
#include "framework/stage.h"

namespace fb {

struct RequestContext {
  const Request* request = nullptr;
  const RouteMatch* match = nullptr;
  StageTrace* trace = nullptr;
  HeapPromise promise;
};

}  // namespace fb
