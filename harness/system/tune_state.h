// The file in which `fasterbench system tune` keeps the values it replaced, so that
// `fasterbench system reset` can write them back. JSON, written atomically:
//
//   { "fasterbench_system_state": 1,          // format version
//     "root": "/", "host": "...", "boot_id": "...", "saved": "2026-01-02T03:04:05Z",
//     "settings": [ { "check": "aslr", "path": "proc/sys/kernel/randomize_va_space",
//                     "previous": "2", "tuned": "0" } ] }
//
// `path` is relative to `root`; `previous` is the value before the first tune (a later tune
// never replaces it), `tuned` what tune wrote. The boot id tells a state from before a reboot,
// whose values the kernel has already forgotten.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace fb::harness::system {

struct SavedSetting {
  std::string check, path, previous, tuned;
};

struct TuneState {
  std::string root, host, boot_id, saved;
  std::vector<SavedSetting> settings;

  const SavedSetting* find(const std::string& path) const;
};

// $XDG_CACHE_HOME/fasterbench/system-tune.json, else ~/.cache/fasterbench/system-tune.json.
std::string default_state_path();

// std::nullopt when the file does not exist; throws UsageError naming the file and what is
// wrong with it when it is not a state file.
std::optional<TuneState> load_tune_state(const std::string& path);

// Writes atomically; creates the directory of the default location if needed. Throws
// OutputError.
void save_tune_state(const std::string& path, const TuneState& state);

// Removes the file; throws OutputError when it exists and cannot be removed.
void remove_tune_state(const std::string& path);

}  // namespace fb::harness::system
