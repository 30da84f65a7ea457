// `fasterbench system tune` and `reset`: the file writes and the state file around them, as
// data for cmd_system to print. Nothing here prints.
//
// tune writes each change a check proposes (system_checks.h) and nothing else: only settings it
// can put back. Before the first write it saves, in the state file (tune_state.h), the value
// each file had, so a tune cut short can still be reset; a later tune adds to that file and
// never replaces a value already saved, so reset always returns to the state before the first
// tune. A write the kernel refuses (no privileges) is reported and leaves nothing to undo.
//
// reset writes the saved values back, in reverse order, and removes the state file once every
// one is back; what it could not restore stays in the file for another try.
#pragma once

#include <string>
#include <vector>

#include "harness/system/system_checks.h"
#include "harness/system/system_root.h"

namespace fb::harness::system {

// One write: `change.wanted` into `change.path`, where `change.previous` was read.
struct Write {
  std::string check;
  Change change;
  std::string error;  // "" when done (or, in a dry run, planned)
  std::string note;   // reset: the file did not hold what tune had written
};

struct TuneOutcome {
  std::vector<Write> writes;
  std::vector<Finding> left;  // problems tune cannot fix: a person must
  std::string replaced_stale;  // a state file from before a reboot that was discarded ("" if none)
  bool state_saved = false;
  bool failed() const;
};

// Throws UsageError when the state file is unreadable or belongs to another root; OutputError
// when it cannot be written (and then nothing was changed).
TuneOutcome tune(const SystemRoot& root, const std::vector<Finding>& findings, const std::string& state_path,
                 bool dry_run);

struct ResetOutcome {
  bool had_state = false;
  bool stale = false;       // the machine rebooted since tune: nothing written, state removed
  std::vector<Write> writes;  // change.previous: the value found; change.wanted: the one restored
  bool state_removed = false;
  bool failed() const;
};

ResetOutcome reset(const SystemRoot& root, const std::string& state_path);

// The absolute, normalized form of a root directory, as the state file records it.
std::string canonical_root(const std::string& root);

}  // namespace fb::harness::system
