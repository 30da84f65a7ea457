// Supervised child processes (harness/host/subprocess.h run_supervised) and the interrupt scope
// (harness/host/interrupt.h): how a child ended, timeouts, cancellation, stopping a whole group.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "harness/host/interrupt.h"
#include "harness/host/subprocess.h"

namespace {

using fb::harness::ProcessOptions;
using fb::harness::ProcessOutcome;
using namespace std::chrono_literals;

ProcessOutcome sh(const std::string& script, ProcessOptions options = {}) {
  options.quiet = true;
  return fb::harness::run_supervised({"/bin/sh", "-c", script}, options);
}

bool alive(pid_t pid) { return ::kill(pid, 0) == 0; }

TEST(RunSupervised, ExitStatus) {
  const ProcessOutcome ok = sh("exit 0");
  EXPECT_TRUE(ok.ok());
  const ProcessOutcome three = sh("exit 3");
  EXPECT_EQ(three.kind, ProcessOutcome::Kind::exited);
  EXPECT_EQ(three.code, 3);
  EXPECT_FALSE(three.ok());
  EXPECT_EQ(three.describe(), "exit status 3");
}

TEST(RunSupervised, DeathBySignalIsNamed) {
  const ProcessOutcome aborted = sh("kill -ABRT $$");
  EXPECT_EQ(aborted.kind, ProcessOutcome::Kind::signaled);
  EXPECT_EQ(aborted.code, SIGABRT);
  EXPECT_EQ(aborted.describe(), "signal 6 (SIGABRT)");
  EXPECT_EQ(fb::harness::signal_name(SIGSEGV), "SIGSEGV");
}

TEST(RunSupervised, NotStartedSaysWhy) {
  const ProcessOutcome out = fb::harness::run_supervised({"/nonexistent/fasterbench-child"}, {});
  EXPECT_EQ(out.kind, ProcessOutcome::Kind::not_started);
  EXPECT_NE(out.describe().find("/nonexistent/fasterbench-child"), std::string::npos) << out.describe();
}

TEST(RunSupervised, AChildPastItsTimeoutIsStoppedWithItsWholeGroup) {
  const std::filesystem::path pid_file = std::filesystem::temp_directory_path() / ("fb-grandchild-" + std::to_string(::getpid()));
  ProcessOptions options;
  options.timeout = 300ms;
  options.own_process_group = true;
  // A grandchild that would outlive a plain kill of the shell.
  const ProcessOutcome out = sh("sleep 60 & echo $! > " + pid_file.string() + "; wait", options);
  EXPECT_EQ(out.kind, ProcessOutcome::Kind::timed_out);
  EXPECT_GE(out.elapsed, 300ms);
  EXPECT_LT(out.elapsed, 10s);
  EXPECT_NE(out.describe().find("timed out"), std::string::npos);
  std::ifstream in(pid_file);
  pid_t grandchild = 0;
  in >> grandchild;
  std::filesystem::remove(pid_file);
  ASSERT_GT(grandchild, 0);
  // The group got SIGTERM: the grandchild is gone (reaped by init) within the grace period.
  const auto deadline = std::chrono::steady_clock::now() + fb::harness::kStopGrace + 3s;
  while (alive(grandchild) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(alive(grandchild)) << "grandchild " << grandchild << " outlived the stopped group";
}

TEST(RunSupervised, AChildIgnoringSigtermIsKilledAfterTheGrace) {
  ProcessOptions options;
  options.timeout = 100ms;
  const auto started = std::chrono::steady_clock::now();
  const ProcessOutcome out = sh("trap '' TERM; while :; do sleep 0.05; done", options);
  EXPECT_EQ(out.kind, ProcessOutcome::Kind::timed_out);
  EXPECT_GE(std::chrono::steady_clock::now() - started, fb::harness::kStopGrace);
}

TEST(RunSupervised, ReadableCancelDescriptorStopsTheChild) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  std::thread canceller([w = pipe_fds[1]] {
    std::this_thread::sleep_for(200ms);
    const char byte = 1;
    ASSERT_EQ(::write(w, &byte, 1), 1);
  });
  ProcessOptions options;
  options.cancel_fd = pipe_fds[0];
  options.own_process_group = true;
  const ProcessOutcome out = sh("sleep 60", options);
  canceller.join();
  EXPECT_EQ(out.kind, ProcessOutcome::Kind::cancelled);
  EXPECT_LT(out.elapsed, 10s);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

TEST(RunSupervised, ChildStartsWithDefaultSignalsEvenWhenWeIgnoreThem) {
  struct sigaction ignore {}, previous{};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGINT, &ignore, &previous), 0);
  const ProcessOutcome out = sh("kill -INT $$; exit 0");
  ::sigaction(SIGINT, &previous, nullptr);
  EXPECT_EQ(out.kind, ProcessOutcome::Kind::signaled) << out.describe();
  EXPECT_EQ(out.code, SIGINT);
}

TEST(InterruptScope, RecordsTheFirstSignalAndWakesAPoll) {
  {
    const fb::harness::InterruptScope scope;
    EXPECT_EQ(scope.signal(), 0);
    pollfd fd{scope.fd(), POLLIN, 0};
    EXPECT_EQ(::poll(&fd, 1, 0), 0) << "readable before any signal";
    ASSERT_EQ(::raise(SIGTERM), 0);  // would end the test binary without the scope
    ASSERT_EQ(::raise(SIGINT), 0);
    EXPECT_EQ(scope.signal(), SIGTERM);
    EXPECT_EQ(::poll(&fd, 1, 1000), 1);
  }
  // The previous disposition is back.
  struct sigaction now {};
  ASSERT_EQ(::sigaction(SIGINT, nullptr, &now), 0);
  EXPECT_EQ(now.sa_handler, SIG_DFL);
}

TEST(InterruptScope, ASecondScopeStartsClean) {
  {
    const fb::harness::InterruptScope scope;
    ::raise(SIGINT);
    EXPECT_EQ(scope.signal(), SIGINT);
  }
  const fb::harness::InterruptScope again;
  EXPECT_EQ(again.signal(), 0);
}

}  // namespace
