#include "probes/bpf/libbpf_util.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace fb::probes::bpf {
namespace {

std::mutex g_mutex;
std::string g_last_warning;  // guarded by g_mutex
bool g_debug = false;

int on_libbpf_message(libbpf_print_level level, const char* format, va_list args) {
  if (g_debug) return std::vfprintf(stderr, format, args);
  if (level == LIBBPF_DEBUG) return 0;
  char line[1024];
  std::vsnprintf(line, sizeof line, format, args);
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty()) return 0;
  std::lock_guard lock(g_mutex);
  g_last_warning = text;
  return 0;
}

}  // namespace

void capture_libbpf_messages() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* debug = std::getenv("FASTERBENCH_LIBBPF_DEBUG");
    g_debug = debug != nullptr && std::strcmp(debug, "1") == 0;
    libbpf_set_print(on_libbpf_message);
  });
}

std::string libbpf_error(const std::string& what, int err) {
  std::string message = what + ": " + std::strerror(err < 0 ? -err : err);
  std::lock_guard lock(g_mutex);
  if (!g_last_warning.empty()) message += " (libbpf: " + g_last_warning + ")";
  g_last_warning.clear();
  return message;
}

}  // namespace fb::probes::bpf
