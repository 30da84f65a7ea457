// InlineFuture: completion on the same thread and across threads (spinning and parked
// consumers), error propagation, timeouts, re-arming, many concurrent requests, and no heap
// allocation (the counting operator new is linked into this test). Run under TSan too.
#include "framework/future/inline_future.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "framework/http.h"
#include "probes/alloc_counter.h"

namespace {

using namespace std::chrono_literals;
using fb::InlineFuture;
using fb::Response;

Response make_response(int i) { return Response{200, "text/plain", "response " + std::to_string(i)}; }

// An error that owns nothing shared: std::runtime_error's copies share a reference-counted
// message whose counts live in (uninstrumented) libstdc++, invisible to TSan.
struct Failed : std::exception {
  explicit Failed(int i) : id(i) {}
  const char* what() const noexcept override { return "failed"; }
  int id;
};

// A request as the pipeline has it: data the producer reads, and the slot beside it.
struct Job {
  int id = 0;
  InlineFuture<Response> completion;
};

// Producer threads taking jobs from a queue; each job is answered with set_value, or with
// set_error when its id is a multiple of 7 (when errors are on).
class Producers {
 public:
  explicit Producers(int threads, bool errors = false) : errors_(errors) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
  }
  ~Producers() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  void submit(Job* job) {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(job);
    }
    cv_.notify_one();
  }

 private:
  void run() {
    while (true) {
      Job* job;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [this] { return closed_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = jobs_.front();
        jobs_.pop_front();
      }
      const int id = job->id;  // read the request before publishing, never after
      if (errors_ && id % 7 == 0) {
        job->completion.set_error(std::make_exception_ptr(Failed(id)));
      } else {
        job->completion.set_value(make_response(id));
      }
    }
  }

  bool errors_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job*> jobs_;
  bool closed_ = false;
  std::vector<std::thread> threads_;
};

TEST(InlineFuture, SameThreadSetThenGet) {
  InlineFuture<Response> f;
  EXPECT_FALSE(f.ready());
  f.set_value(make_response(1));
  EXPECT_TRUE(f.ready());
  const Response r = f.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "response 1");
}

TEST(InlineFuture, SameThreadWithoutSpinDoesNotPark) {
  InlineFuture<int> f;
  f.set_value(42);
  EXPECT_EQ(f.get(0ns), 42);  // the park CAS fails on READY
}

// Waits (bounded: 10 s) until the consumer of `f` has announced it sleeps.
template <typename T>
bool until_parked(const InlineFuture<T>& f) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!f.consumer_parked()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(InlineFuture, CrossThreadSpinningConsumer) {
  for (int i = 0; i < 200; ++i) {
    Job job{i, {}};
    std::thread producer([&job] { job.completion.set_value(make_response(job.id)); });
    EXPECT_EQ(job.completion.get(1ms).body, "response " + std::to_string(i));
    producer.join();
  }
}

TEST(InlineFuture, CrossThreadParkedConsumer) {
  // The producer publishes only once the consumer (spin 0) has announced it sleeps, so every
  // round takes the wake-up path.
  for (int i = 0; i < 20; ++i) {
    Job job{i, {}};
    std::thread producer([&job] {
      ASSERT_TRUE(until_parked(job.completion));
      job.completion.set_value(make_response(job.id));
    });
    EXPECT_EQ(job.completion.get(0ns).body, "response " + std::to_string(i));
    producer.join();
  }
}

TEST(InlineFuture, ErrorPropagatesToTheConsumer) {
  InlineFuture<Response> same;
  same.set_error(std::make_exception_ptr(std::runtime_error("boom")));
  EXPECT_TRUE(same.ready());
  try {
    same.get();
    FAIL() << "expected the error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "boom");
  }

  InlineFuture<Response> cross;
  std::thread producer([&cross] {
    ASSERT_TRUE(until_parked(cross));  // the error reaches a sleeping consumer
    // As App's workers do: leave the handler first, so the producer holds no reference to the
    // exception once it is published (inline_future.h, Errors).
    std::exception_ptr error;
    try {
      throw std::out_of_range("from the worker");
    } catch (...) {
      error = std::current_exception();
    }
    cross.set_error(std::move(error));
  });
  EXPECT_THROW(cross.get(0ns), std::out_of_range);
  producer.join();
}

TEST(InlineFuture, WaitForTimesOutWithoutCancelling) {
  InlineFuture<int> f;
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(f.wait_for(2ms));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 2ms);
  // The slot is still armed (the timed-out wait left it announced as parked): the producer
  // publishes later, taking the wake-up path, and the consumer still gets it. Whether the
  // consumer is back in its wait by then or not, either order must deliver the value.
  EXPECT_TRUE(f.consumer_parked());
  std::thread producer([&f] { f.set_value(7); });
  EXPECT_TRUE(f.wait_for(10s));
  EXPECT_EQ(f.get(), 7);
  producer.join();
}

TEST(InlineFuture, ResetReArms) {
  Producers producers(1);
  Job job;  // one slot, re-armed for every request, alternating spinning and parking consumers
  for (int i = 0; i < 500; ++i) {
    job.completion.reset();
    job.id = i;
    producers.submit(&job);
    EXPECT_EQ(job.completion.get(i % 2 ? 0ns : 20us).body, "response " + std::to_string(i));
  }
  job.completion.reset();  // same thread too
  job.completion.set_value(make_response(-1));
  EXPECT_EQ(job.completion.get().body, "response -1");
}

// Many clients, each with one request in flight whose storage (slot included) is freed right
// after get(): a producer touching the slot after publishing is a use-after-free TSan reports.
TEST(InlineFuture, ManyConcurrentRequests) {
  constexpr int kClients = 6;
  constexpr int kPerClient = 3000;
  Producers producers(3, /*errors=*/true);
  std::atomic<int> ok{0}, errors{0}, wrong{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < kPerClient; ++i) {
        const int id = c * kPerClient + i;
        auto job = std::make_unique<Job>();
        job->id = id;
        producers.submit(job.get());
        // Three kinds of consumer: spin then park, park at once, poll with wait_for first.
        const auto spin = (i % 3 == 0) ? 0ns : 5us;
        if (i % 3 == 2) (void)job->completion.wait_for(1us);
        try {
          const Response r = job->completion.get(spin);
          if (r.body == "response " + std::to_string(id)) ++ok;
          else ++wrong;
        } catch (const Failed& e) {
          if (id % 7 == 0 && e.id == id) ++errors;
          else ++wrong;
        }
        job.reset();  // the request's storage goes at once
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(ok.load() + errors.load(), kClients * kPerClient);
  EXPECT_GT(errors.load(), 0);
}

// The slot itself never allocates: not to create, set, wake or get, on either thread.
TEST(InlineFuture, NoHeapAllocation) {
  ASSERT_TRUE(fb::probes::alloc_counting_linked());
  constexpr int kRounds = 2000;
  std::atomic<InlineFuture<Response>*> mailbox{nullptr};
  std::atomic<bool> stop{false};
  std::atomic<bool> tagged{false};
  // Preallocated responses whose bodies the producer moves in: moving a string never allocates.
  std::vector<Response> responses;
  for (int i = 0; i < kRounds; ++i) responses.push_back(make_response(i + 1000000));
  std::thread producer([&] {
    fb::probes::charge_allocations_to(FB_STAGE_FUTURE);
    tagged.store(true);
    int i = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      InlineFuture<Response>* slot = mailbox.exchange(nullptr, std::memory_order_acquire);
      if (slot == nullptr) {
        fb::detail::cpu_relax();
        continue;
      }
      if (i % 2) {  // half the consumers park (those with a spin budget, once it is spent)
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!slot->consumer_parked() && std::chrono::steady_clock::now() < deadline) fb::detail::cpu_relax();
      }
      slot->set_value(std::move(responses[static_cast<std::size_t>(i++)]));
    }
    fb::probes::charge_allocations_to(fb::probes::kAllocOutside);
  });
  while (!tagged.load()) std::this_thread::yield();
  fb::probes::charge_allocations_to(FB_STAGE_FUTURE);
  const fb::probes::AllocTotals before = fb::probes::alloc_totals();
  std::size_t bytes = 0;
  for (int i = 0; i < kRounds; ++i) {
    InlineFuture<Response> slot;
    mailbox.store(&slot, std::memory_order_release);
    const Response r = slot.get(i % 4 == 0 ? 0ns : 10us);
    bytes += r.body.size();
  }
  const fb::probes::AllocTotals after = fb::probes::alloc_totals();
  fb::probes::charge_allocations_to(fb::probes::kAllocOutside);
  stop.store(true);
  producer.join();
  EXPECT_EQ(before.until(after).allocations[FB_STAGE_FUTURE], 0u);
  EXPECT_GT(bytes, 0u);
}

}  // namespace
