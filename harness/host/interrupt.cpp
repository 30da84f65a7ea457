#include "harness/host/interrupt.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace fb::harness {
namespace {

// Written by the handler (async-signal-safe: a lock-free atomic and write(2)), read by the scope.
std::atomic<int> g_signal{0};
std::atomic<bool> g_stop{false};  // set with g_signal: the form LoadSettings::stop polls
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<bool>::is_always_lock_free);
int g_pipe[2] = {-1, -1};

void on_signal(int sig) {
  int expected = 0;
  g_signal.compare_exchange_strong(expected, sig);
  g_stop.store(true);
  const int saved = errno;
  const char byte = 1;
  [[maybe_unused]] const ssize_t n = ::write(g_pipe[1], &byte, 1);  // non-blocking: a full pipe is readable anyway
  errno = saved;
}

}  // namespace

InterruptScope::InterruptScope() {
  if (::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::runtime_error(std::string("cannot create the interrupt pipe: ") + std::strerror(errno));
  }
  g_signal.store(0);
  g_stop.store(false);
  struct sigaction action {};
  action.sa_handler = &on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocking wait returns EINTR and looks at the flag
  ::sigaction(SIGINT, &action, &previous_int_);
  ::sigaction(SIGTERM, &action, &previous_term_);
}

InterruptScope::~InterruptScope() {
  ::sigaction(SIGINT, &previous_int_, nullptr);
  ::sigaction(SIGTERM, &previous_term_, nullptr);
  ::close(g_pipe[0]);
  ::close(g_pipe[1]);
  g_pipe[0] = g_pipe[1] = -1;
}

int InterruptScope::signal() const noexcept { return g_signal.load(); }

int InterruptScope::fd() const noexcept { return g_pipe[0]; }

const std::atomic<bool>& InterruptScope::flag() const noexcept { return g_stop; }

}  // namespace fb::harness
