// libFuzzer target: reading a results document back (harness/results/results_reader.h), as
// compare, gate and baseline do. Any text must either be accepted or refused with UsageError
// (exit 2, one line naming the file); another exception or a crash is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "harness/cli/exit_codes.h"
#include "harness/results/results_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const nlohmann::json doc = fb::harness::parse_results_text(text, "fuzz.json");
    if (!doc.is_object() || !doc.at("runs").is_array()) __builtin_trap();
  } catch (const fb::harness::UsageError& e) {
    if (std::string_view(e.what()).substr(0, 10) != "fuzz.json:") __builtin_trap();
  }
  return 0;
}
