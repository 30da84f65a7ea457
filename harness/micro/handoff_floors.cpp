// Handoff floors: a stamp, and a round trip between two threads through mutex + condvar
// (the baseline dispatch + future wake-up pair, without Python).
#include <benchmark/benchmark.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "framework/stage.h"

namespace {

void BM_ClockStamp(benchmark::State& state) {
  fb::StageTrace trace;
  int i = 0;
  for (auto _ : state) {
    fb::stage_point(trace, static_cast<fb_point>(i));
    i = (i + 1) % FB_POINT_COUNT;
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_ClockStamp);

// Ping-pong: the benchmark thread posts a token, an echo thread blocked on a condvar wakes,
// posts it back, the benchmark thread wakes. One iteration = two handoffs = one round trip.
void BM_MutexCondvarRoundTrip(benchmark::State& state) {
  std::mutex m;
  std::condition_variable cv;
  int turn = 0;  // 0: idle, 1: ping sent, 2: pong sent, -1: stop
  std::thread echo([&] {
    std::unique_lock lock(m);
    while (true) {
      cv.wait(lock, [&] { return turn == 1 || turn == -1; });
      if (turn == -1) return;
      turn = 2;
      cv.notify_all();
    }
  });
  for (auto _ : state) {
    std::unique_lock lock(m);
    turn = 1;
    cv.notify_all();
    cv.wait(lock, [&] { return turn == 2; });
  }
  {
    std::lock_guard lock(m);
    turn = -1;
  }
  cv.notify_all();
  echo.join();
}
BENCHMARK(BM_MutexCondvarRoundTrip)->UseRealTime();

}  // namespace
