// The rules of framework/python/thread_callers.h, through the PythonRuntime that applies them:
// one caller per (thread, runtime), made on first use; the thread's main-interpreter state
// shared by all its callers and kept until the thread exits; an own interpreter ended on its
// thread, when asked, when its runtime is destroyed there, or when the thread exits.
#include "framework/python/thread_callers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "framework/options.h"
#include "framework/python/embedded_python.h"
#include "framework/python/gil.h"
#include "framework/python/python_caller.h"
#include "framework/python/runtime.h"
#include "python_test_env.h"

namespace {

using fb::python::PythonCaller;
using fb::python::PythonRuntime;
using fb::python::this_thread_state_count;

std::unique_ptr<PythonRuntime> make_runtime(bool subinterp) {
  fb::python::ensure_python();
  fb::python::add_to_sys_path(fb::test::fixture_python_path());
  fb::OptimizationSet opts;
  opts.subinterp = subinterp;
  return fb::python::make_python_runtime(opts, fb::SubinterpFallback::fail, fb::test::fixture_python_path(),
                                         {"fb_test_handlers:hello"});
}

// Thread states of the main interpreter (takes the GIL).
int main_interpreter_states() {
  fb::python::GilScope gil;
  int n = -1;  // not counting the scope's own
  for (PyThreadState* t = PyInterpreterState_ThreadHead(PyInterpreterState_Main()); t != nullptr; t = PyThreadState_Next(t)) ++n;
  return n;
}

// Runs `body` on a fresh thread and waits for it to exit.
template <typename Body>
void on_a_thread(Body body) {
  std::thread(body).join();
}

TEST(ThreadCallers, SharedGilCallersOfTwoRuntimesShareTheThreadsState) {
  auto a = make_runtime(false);
  auto b = make_runtime(false);
  const int before = main_interpreter_states();
  on_a_thread([&] {
    EXPECT_EQ(this_thread_state_count(), 0u);
    PythonCaller& ca = a->caller();
    EXPECT_EQ(&a->caller(), &ca) << "one caller per (thread, runtime)";
    EXPECT_EQ(&a->caller("named later", true), &ca) << "an existing caller is returned as it is";
    PythonCaller& cb = b->caller();
    EXPECT_NE(&ca, &cb);
    EXPECT_EQ(ca.interpreter_id(0), 0);
    EXPECT_EQ(this_thread_state_count(), 1u) << "both borrow the thread's main-interpreter state";
    EXPECT_EQ(main_interpreter_states(), before + 1);
    a->end_caller();
    EXPECT_EQ(this_thread_state_count(), 1u) << "ending a caller leaves the thread's state";
    EXPECT_EQ(a->caller().interpreter_id(0), 0);  // made again on demand
    EXPECT_EQ(this_thread_state_count(), 1u);
  });
  EXPECT_EQ(main_interpreter_states(), before) << "the thread's exit deleted its state";
}

TEST(ThreadCallers, SharedGilStateOutlivesTheRuntime) {
  auto a = make_runtime(false);
  const int before = main_interpreter_states();
  on_a_thread([&] {
    a->caller();
    a.reset();  // destroyed on this thread: ends this thread's caller, not its state
    EXPECT_EQ(this_thread_state_count(), 1u);
    auto b = make_runtime(false);
    b->caller();
    EXPECT_EQ(this_thread_state_count(), 1u) << "the next runtime reuses it";
    EXPECT_EQ(main_interpreter_states(), before + 1);
  });
  EXPECT_EQ(main_interpreter_states(), before);
}

TEST(ThreadCallers, OwnInterpreterEndsWhenAskedOrWithItsRuntimeOrAtThreadExit) {
  const std::string reason = fb::unavailable_reason(fb::Optimization::subinterp);
  if (!reason.empty()) GTEST_SKIP() << "--opt subinterp unavailable here: " << reason;
  auto runtime = make_runtime(true);
  on_a_thread([&] {
    PythonCaller& caller = runtime->caller("asked", false);
    EXPECT_NE(caller.interpreter_id(0), 0);
    EXPECT_EQ(this_thread_state_count(), 1u) << "its own interpreter's state; no main state without fallback";
    runtime->end_caller();
    EXPECT_EQ(this_thread_state_count(), 0u);
  });
  std::int64_t exited = 0;
  on_a_thread([&] {
    exited = runtime->caller("exits", false).interpreter_id(0);
    EXPECT_EQ(this_thread_state_count(), 1u);
  });  // ended by the thread's exit
  on_a_thread([&] {
    auto mine = make_runtime(true);
    mine->caller("destroys its runtime", false);
    EXPECT_EQ(this_thread_state_count(), 1u);
    mine.reset();
    EXPECT_EQ(this_thread_state_count(), 0u);
  });
  // Ended interpreters are gone from the interpreter list; the runtime still records them.
  std::vector<std::int64_t> live;
  {
    fb::python::GilScope gil;
    for (PyInterpreterState* i = PyInterpreterState_Head(); i != nullptr; i = PyInterpreterState_Next(i)) {
      live.push_back(PyInterpreterState_GetID(i));
    }
  }
  EXPECT_EQ(std::count(live.begin(), live.end(), exited), 0);
  const auto records = runtime->interpreters();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].thread, "asked");
  EXPECT_EQ(records[1].thread, "exits");
}

TEST(ThreadCallers, DirectPathCallersAreNumbered) {
  const std::string reason = fb::unavailable_reason(fb::Optimization::subinterp);
  if (!reason.empty()) GTEST_SKIP() << "--opt subinterp unavailable here: " << reason;
  auto runtime = make_runtime(true);
  on_a_thread([&] { runtime->caller(); });
  on_a_thread([&] { runtime->caller(); });
  const auto records = runtime->interpreters();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].thread.rfind("caller ", 0), 0u) << records[0].thread;
  EXPECT_EQ(records[1].thread.rfind("caller ", 0), 0u) << records[1].thread;
  EXPECT_NE(records[0].thread, records[1].thread);
}

}  // namespace
