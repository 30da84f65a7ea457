// Ctrl-C (SIGINT) and SIGTERM as a request to stop, for a command that must finish what it holds
// instead of dying mid-way: `phases` stops its current child, writes the measurements it has
// (marked incomplete) and exits 130.
//
// While an InterruptScope lives, both signals only record themselves: signal() says which came
// first, and fd() becomes readable, so a thread waiting in poll() on a child wakes at once. The
// previous dispositions come back when the scope ends. One scope at a time (the handler state is
// process-wide).
#pragma once

#include <atomic>
#include <csignal>

namespace fb::harness {

// The exit status of a command stopped by a signal, as a shell reports it: 128 + SIGINT.
inline constexpr int kExitInterrupted = 130;

class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

  // The first SIGINT or SIGTERM received in this scope, 0 if none.
  int signal() const noexcept;
  // Readable once a signal has arrived (never drained: it stays readable).
  int fd() const noexcept;
  // Set by the handler with signal(): for a loop that polls it between steps (LoadSettings::stop)
  // rather than through a call.
  const std::atomic<bool>& flag() const noexcept;

 private:
  struct sigaction previous_int_{}, previous_term_{};
};

}  // namespace fb::harness
