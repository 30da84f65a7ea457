#include "harness/system/tune_state.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/cli/exit_codes.h"
#include "harness/results/atomic_file.h"
#include "harness/system/system_checks.h"

namespace fb::harness::system {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Version 1: the first format.
constexpr int kStateFormat = 1;
constexpr const char* kFormatKey = "fasterbench_system_state";

bool is_single_word(const std::string& s) {
  return !s.empty() && s.find_first_of(" \t\r\n") == std::string::npos;
}

std::string text(const json& doc, const char* key, const std::string& path) {
  if (!doc.contains(key) || !doc.at(key).is_string())
    throw UsageError(path + ": not a `fasterbench system tune` state file: '" + key + "' is missing or not a string");
  return doc.at(key).get<std::string>();
}

}  // namespace

const SavedSetting* TuneState::find(const std::string& path) const {
  for (const SavedSetting& s : settings) {
    if (s.path == path) return &s;
  }
  return nullptr;
}

std::string default_state_path() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  fs::path cache = xdg != nullptr && *xdg != '\0' ? fs::path(xdg)
                   : home != nullptr && *home != '\0' ? fs::path(home) / ".cache"
                                                      : fs::path(".cache");
  return (cache / "fasterbench" / "system-tune.json").string();
}

std::optional<TuneState> load_tune_state(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return std::nullopt;
    throw UsageError(path + ": cannot read: " + std::strerror(errno));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  json doc;
  try {
    doc = json::parse(buffer.str());
  } catch (const json::parse_error& e) {
    throw UsageError(path + ": not JSON: " + e.what());
  }
  if (!doc.is_object() || !doc.contains(kFormatKey))
    throw UsageError(path + ": not a `fasterbench system tune` state file (no '" + kFormatKey + "')");
  if (doc.at(kFormatKey) != kStateFormat)
    throw UsageError(path + ": state file format " + doc.at(kFormatKey).dump() + ", this fasterbench reads " +
                     std::to_string(kStateFormat));
  TuneState state;
  state.root = text(doc, "root", path);
  state.host = text(doc, "host", path);
  state.boot_id = text(doc, "boot_id", path);
  state.saved = text(doc, "saved", path);
  if (!doc.contains("settings") || !doc.at("settings").is_array())
    throw UsageError(path + ": not a `fasterbench system tune` state file: 'settings' is missing or not a list");
  for (const json& s : doc.at("settings")) {
    if (!s.is_object()) throw UsageError(path + ": 'settings' holds " + s.dump() + ", not an object");
    SavedSetting setting{text(s, "check", path), text(s, "path", path), text(s, "previous", path), text(s, "tuned", path)};
    // reset writes these values into these files: accept only what tune itself could have written.
    if (!tune_may_write(setting.path))
      throw UsageError(path + ": '" + setting.path + "' is not a setting `fasterbench system tune` changes");
    if (!is_single_word(setting.previous) || !is_single_word(setting.tuned))
      throw UsageError(path + ": the values of '" + setting.path + "' are not single words");
    state.settings.push_back(std::move(setting));
  }
  return state;
}

void save_tune_state(const std::string& path, const TuneState& state) {
  json settings = json::array();
  for (const SavedSetting& s : state.settings)
    settings.push_back({{"check", s.check}, {"path", s.path}, {"previous", s.previous}, {"tuned", s.tuned}});
  const json doc = {{kFormatKey, kStateFormat}, {"root", state.root},   {"host", state.host},
                    {"boot_id", state.boot_id}, {"saved", state.saved}, {"settings", settings}};
  if (path == default_state_path()) {
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    if (ec) throw OutputError(path + ": cannot create its directory: " + ec.message());
  }
  write_file_atomically(path, doc.dump(2) + "\n");
}

void remove_tune_state(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) throw OutputError(path + ": cannot remove: " + ec.message());
}

}  // namespace fb::harness::system
