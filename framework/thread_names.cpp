#include "framework/thread_names.h"

#include <pthread.h>

#include <array>
#include <cstdio>

namespace fb {

void name_this_thread(std::string_view prefix, std::size_t index) noexcept {
  std::array<char, 16> name{};  // 15 characters and the terminator: the kernel's limit
  std::snprintf(name.data(), name.size(), "%.*s%zu", static_cast<int>(prefix.size()), prefix.data(), index);
  pthread_setname_np(pthread_self(), name.data());
}

}  // namespace fb
