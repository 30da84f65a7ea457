// A progress bar on stderr while a run goes on: redrawn in place on a terminal, one line per
// step otherwise (so CI logs stay readable).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace fb::harness {

class ProgressBar {
 public:
  // Shows `label` and done/total, reading `done` every 200 ms until destroyed.
  ProgressBar(std::string label, std::int64_t total, const std::atomic<std::int64_t>& done, bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

 private:
  void draw(std::int64_t done) const;

  std::string label_;
  std::int64_t total_;
  const std::atomic<std::int64_t>& done_;
  bool tty_;
  bool enabled_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace fb::harness
