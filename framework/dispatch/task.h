// What the executor queue carries: a pointer to the request's context, which lives in the
// caller's frame until the caller observes completion. Small and trivially copyable on purpose.
#pragma once

namespace fb {

struct RequestContext;

struct Task {
  RequestContext* context = nullptr;
};

}  // namespace fb
