// `fasterbench run --target http://HOST:PORT`: the scenario's mix sent over HTTP to a running
// server (`fasterbench serve`, or any server with the same routes), client-side latency recorded.
#pragma once

#include "harness/commands/run_options.h"

namespace fb::harness {

// Called by cmd_run when --target is given. Options that configure the pipeline (--phase,
// --opt, --wait, ...) are usage errors here: the server's configuration is the server's.
int cmd_run_target(const RunOptions& options);

}  // namespace fb::harness
