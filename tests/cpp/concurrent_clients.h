// Shared by the pipeline tests that hammer an App from many calling threads at once.
#pragma once

#include <atomic>
#include <thread>
#include <vector>

#include "framework/stage.h"

namespace fb::test {

struct ClientTally {
  int ok = 0;
  int wrong = 0;
};

// Starts `clients` threads at once; each makes `per_client` calls of `one(client, i, trace)`
// with a freshly cleared trace of its own, and a call counts as ok when it returns true.
// Returns after every thread has joined.
template <typename OneRequest>
ClientTally run_concurrent_clients(int clients, int per_client, OneRequest one) {
  std::atomic<int> ok{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      StageTrace trace;
      for (int i = 0; i < per_client; ++i) {
        trace.clear();
        if (one(c, i, trace)) ++ok;
        else ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  return {ok.load(), wrong.load()};
}

}  // namespace fb::test
