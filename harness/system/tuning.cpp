#include "harness/system/tuning.h"

#include <algorithm>
#include <filesystem>

#include "harness/cli/exit_codes.h"
#include "harness/host/sysinfo.h"
#include "harness/system/tune_state.h"

namespace fb::harness::system {

namespace {

std::string boot_id(const SystemRoot& root) { return root.read("proc/sys/kernel/random/boot_id").trimmed(); }

// An empty boot id (not exposed, a fake tree) matches any other: there is nothing to compare.
bool same_boot(const std::string& a, const std::string& b) { return a.empty() || b.empty() || a == b; }

void check_root(const TuneState& state, const SystemRoot& root, const std::string& state_path) {
  if (canonical_root(state.root) != canonical_root(root.root()))
    throw UsageError(state_path + " holds settings of root " + state.root + ", not " + canonical_root(root.root()) +
                     ": use another --state, or --root " + state.root);
}

bool any_failed(const std::vector<Write>& writes) {
  return std::any_of(writes.begin(), writes.end(), [](const Write& w) { return !w.error.empty(); });
}

}  // namespace

bool TuneOutcome::failed() const { return any_failed(writes); }
bool ResetOutcome::failed() const { return any_failed(writes); }

std::string canonical_root(const std::string& root) {
  std::error_code ec;
  const std::filesystem::path p = std::filesystem::weakly_canonical(std::filesystem::absolute(root), ec);
  return ec ? root : p.string();
}

TuneOutcome tune(const SystemRoot& root, const std::vector<Finding>& findings, const std::string& state_path,
                 bool dry_run) {
  TuneOutcome out;
  for (const Finding& f : findings) {
    if (f.status != Status::problem) continue;
    if (f.changes.empty()) out.left.push_back(f);
    for (const Change& c : f.changes) out.writes.push_back({f.name, c, "", ""});
  }

  std::optional<TuneState> saved = load_tune_state(state_path);
  if (saved) check_root(*saved, root, state_path);
  const std::string boot = boot_id(root);
  if (saved && !same_boot(saved->boot_id, boot)) {
    // Saved before a reboot: the kernel has since forgotten both what tune wrote and what it
    // replaced, so those values describe no current setting.
    out.replaced_stale = saved->saved;
    saved.reset();
  }
  if (dry_run || out.writes.empty()) return out;

  TuneState state = saved.value_or(TuneState{canonical_root(root.root()), machine_info().host, boot, utc_now_iso8601(), {}});
  for (const Write& w : out.writes) {
    const auto earlier = std::find_if(state.settings.begin(), state.settings.end(),
                                      [&](const SavedSetting& s) { return s.path == w.change.path; });
    if (earlier != state.settings.end()) {
      earlier->tuned = w.change.wanted;  // the first tune's `previous` stays
    } else {
      state.settings.push_back({w.check, w.change.path, w.change.previous, w.change.wanted});
    }
  }
  // Saved before the first write: a tune cut short between writes can still be reset.
  save_tune_state(state_path, state);
  out.state_saved = true;

  for (Write& w : out.writes) w.error = root.write(w.change.path, w.change.wanted + "\n");

  // A refused write changed nothing: forget it, unless an earlier tune saved it.
  std::erase_if(state.settings, [&](const SavedSetting& s) {
    const bool earlier = saved && saved->find(s.path) != nullptr;
    return !earlier && std::any_of(out.writes.begin(), out.writes.end(), [&](const Write& w) {
      return w.change.path == s.path && !w.error.empty();
    });
  });
  if (state.settings.empty()) {
    remove_tune_state(state_path);
    out.state_saved = false;
  } else if (out.failed()) {
    save_tune_state(state_path, state);
  }
  return out;
}

ResetOutcome reset(const SystemRoot& root, const std::string& state_path) {
  ResetOutcome out;
  std::optional<TuneState> state = load_tune_state(state_path);
  if (!state) return out;
  out.had_state = true;
  check_root(*state, root, state_path);
  if (!same_boot(state->boot_id, boot_id(root))) {
    out.stale = true;
    remove_tune_state(state_path);
    out.state_removed = true;
    return out;
  }

  std::vector<SavedSetting> kept;
  for (auto it = state->settings.rbegin(); it != state->settings.rend(); ++it) {
    const FileRead current = root.read(it->path);
    Write w{it->check, {it->path, current.present() ? selected_choice(current.text) : "", it->previous}, "", ""};
    if (current.present() && w.change.previous != it->tuned)
      w.note = "it held " + w.change.previous + ", not the " + it->tuned + " tune wrote: restored anyway";
    w.error = current.state == FileRead::State::absent ? "the file no longer exists"
                                                        : root.write(it->path, it->previous + "\n");
    if (!w.error.empty()) kept.insert(kept.begin(), *it);
    out.writes.push_back(std::move(w));
  }
  if (kept.empty()) {
    remove_tune_state(state_path);
    out.state_removed = true;
  } else {
    state->settings = std::move(kept);
    save_tune_state(state_path, *state);
  }
  return out;
}

}  // namespace fb::harness::system
