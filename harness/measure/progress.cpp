#include "harness/measure/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace fb::harness {

ProgressBar::ProgressBar(std::string label, std::int64_t total, const std::atomic<std::int64_t>& done, bool enabled)
    : label_(std::move(label)), total_(total), done_(done), tty_(isatty(STDERR_FILENO) != 0), enabled_(enabled) {
  if (!enabled_) return;
  if (!tty_) {
    fmt::print(stderr, "{}: {} requests...\n", label_, total_);
    return;
  }
  thread_ = std::thread([this] {
    while (!stop_.load(std::memory_order_relaxed)) {
      draw(done_.load(std::memory_order_relaxed));
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
}

void ProgressBar::draw(std::int64_t done) const {
  constexpr int kWidth = 30;
  const double fraction = total_ > 0 ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
  const int filled = static_cast<int>(fraction * kWidth);
  fmt::print(stderr, "\r{} [{}{}] {:3.0f}% {}/{}", label_, std::string(static_cast<std::size_t>(filled), '#'),
             std::string(static_cast<std::size_t>(kWidth - filled), '.'), fraction * 100, done, total_);
  std::fflush(stderr);
}

ProgressBar::~ProgressBar() {
  if (!enabled_ || !tty_) return;
  stop_.store(true, std::memory_order_relaxed);
  thread_.join();
  draw(done_.load(std::memory_order_relaxed));
  fmt::print(stderr, "\n");
}

}  // namespace fb::harness
