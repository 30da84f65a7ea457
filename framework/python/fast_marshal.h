// Optimization #5, `fast-marshal` (beyond the plan): the marshal stage without detours.
//
// With the switch on, an interpreter's handlers are called through this instead of the eager
// path of handler_call.cpp:
//   - the request argument is a recycled lazy object (lazy_request.h): nothing is copied or
//     built unless the handler reads it;
//   - the handler is called through its vectorcall entry point, looked up once at load time,
//     with a prebuilt argument array;
//   - dict and list results are encoded by json_encoder.h (byte-identical to json.dumps with
//     separators=(",", ":"), ensure_ascii=False) into a per-thread buffer that keeps its
//     capacity, then copied once into the response; bytes and str results are copied once;
//   - request.json() parses with simdjson (json_decoder.h).
// Everything here is per interpreter (the bindings own it) and works in own-GIL
// sub-interpreters.
#pragma once

#include <Python.h>

#include <vector>

#include "framework/http.h"
#include "framework/inject_delay.h"
#include "framework/router.h"
#include "framework/stage.h"

namespace fb::python {

class InterpreterBindings;
struct HandlerOutcome;

// call_handler() for bindings loaded with fast-marshal (same contract and stage points).
HandlerOutcome call_handler_fast(const InterpreterBindings& bindings, std::size_t route, const Request& request,
                                 const std::vector<PathParam>& params, StageTrace& trace, const InjectedDelay& delay);

}  // namespace fb::python
