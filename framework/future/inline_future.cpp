// The pipeline's instantiation, compiled once here so every member is checked for Response.
#if FASTERBENCH_HAVE_INLINE_FUTURE
#include "framework/future/inline_future.h"

#include "framework/http.h"

namespace fb {

template class InlineFuture<Response>;

}  // namespace fb
#endif
