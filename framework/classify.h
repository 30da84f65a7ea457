// Handler classification (optimization #1): at registration each handler is SYNC_FAST (runs on
// the calling thread when `direct` is on), SYNC_BLOCKING (always on the executor) or ASYNC (a
// coroutine on a worker's event loop), with a human-readable reason.
//
// The inspection itself is Python (framework/classify.py, embedded and executed once per
// interpreter): coroutine functions and async callables -> ASYNC; sync callables are inspected
// from their byte code, names resolved to the actual objects, same-module helpers followed a
// bounded depth, for blocking APIs (time.sleep, open, sockets, subprocess, HTTP clients,
// databases, threading waits, input). classify.py's docstring lists the rules and limits.
//
// A function of the callable alone, so it can run in every interpreter that loads handlers
// (the main one today, each sub-interpreter with #3) and give the same answer there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

typedef struct _object PyObject;  // as <Python.h> declares it; this header needs no more

namespace fb {

enum class HandlerKind : std::uint8_t { sync_fast, sync_blocking, async };

// "SYNC_FAST", "SYNC_BLOCKING", "ASYNC": the results-JSON and console spelling.
std::string_view kind_name(HandlerKind kind);

// A scenario override: "fast", "blocking" or "async". nullopt for anything else.
std::optional<HandlerKind> kind_from_override(std::string_view name);
// The override spelling of a kind ("fast", ...).
std::string_view override_name(HandlerKind kind);

struct Classification {
  HandlerKind kind = HandlerKind::sync_blocking;
  std::string reason;  // "slow() references time.sleep via alias nap"
};

// Classifies a handler callable. Needs the GIL of the interpreter the callable lives in. Never
// throws and leaves no Python exception set: if the inspection itself fails the handler is
// SYNC_BLOCKING (the safe side: it stays on the executor) and the reason says why.
Classification classify_handler(PyObject* handler);

// Why the handler can never produce a response (a generator function: its result, a generator,
// is not a valid response), or "" when it can be registered. Same preconditions.
std::string handler_problem(PyObject* handler);

}  // namespace fb
