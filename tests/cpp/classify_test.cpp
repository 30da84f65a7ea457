// The classifier on a battery of handlers (tests/fixtures/python/fb_classify_handlers.py):
// each case checks the kind and that the reason names what was found.
#include "framework/classify.h"

#include <gtest/gtest.h>

#include <string>

#include "framework/python/embedded_python.h"
#include "framework/python/gil.h"
#include "framework/python/interpreter_bindings.h"
#include "framework/python/result_conversion.h"
#include "python_test_env.h"

namespace {

using fb::HandlerKind;
using fb::python::GilScope;
using fb::python::PyRef;

struct Case {
  const char* handler;  // attribute of fb_classify_handlers
  HandlerKind kind;
  std::vector<const char*> reason_has;  // substrings the reason must contain
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.handler; }

class Classify : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    fb::python::ensure_python();
    fb::python::add_to_sys_path(fb::test::fixture_python_path());
  }
};

TEST_P(Classify, KindAndReason) {
  const Case& c = GetParam();
  GilScope gil;
  PyRef handler(fb::python::import_handler(std::string("fb_classify_handlers:") + c.handler));
  ASSERT_TRUE(handler) << fb::python::take_exception_text();
  const fb::Classification got = fb::classify_handler(handler.get());
  EXPECT_FALSE(PyErr_Occurred());
  EXPECT_EQ(fb::kind_name(got.kind), fb::kind_name(c.kind)) << got.reason;
  for (const char* part : c.reason_has) EXPECT_NE(got.reason.find(part), std::string::npos) << "reason: " << got.reason;
}

constexpr HandlerKind kFast = HandlerKind::sync_fast;
constexpr HandlerKind kBlocking = HandlerKind::sync_blocking;
constexpr HandlerKind kAsync = HandlerKind::async;

INSTANTIATE_TEST_SUITE_P(
    Battery, Classify,
    ::testing::Values(
        // fast
        Case{"arithmetic_and_dicts", kFast, {"arithmetic_and_dicts()", "no blocking API"}},
        Case{"uses_fast_helper", kFast, {"no blocking API", "1 same-module helper"}},
        Case{"fast_lambda", kFast, {"lambda", "no blocking API"}},
        Case{"fast_partial", kFast, {"functools.partial of _add_suffix()", "no blocking API"}},
        Case{"fast_instance", kFast, {"FastCallable instance's __call__()", "no blocking API"}},
        Case{"builtin_len", kFast, {"builtin len", "no Python code to inspect"}},
        Case{"generator_handler", kFast, {"generator function", "runs none of its body"}},
        Case{"async_generator_handler", kFast, {"async generator function"}},
        // The documented depth limit: time.sleep four helpers down is not seen.
        Case{"blocking_beyond_depth", kFast, {"3 same-module helpers"}},
        // blocking
        Case{"sleeps_via_alias", kBlocking, {"references time.sleep via alias nap"}},
        Case{"sleeps_via_module", kBlocking, {"references time.sleep"}},
        Case{"blocking_in_helper", kBlocking, {"calls helper _fetch()", "socket.create_connection"}},
        Case{"blocking_three_helpers_deep", kBlocking,
             {"calls helper _level1() which calls helper _level2() which calls helper _level3()", "time.sleep"}},
        Case{"reads_a_file", kBlocking, {"references open"}},
        Case{"opens_a_socket", kBlocking, {"socket.socket", "module socket"}},
        Case{"runs_a_subprocess", kBlocking, {"subprocess.run", "module subprocess"}},
        Case{"queries_sqlite", kBlocking, {"sqlite3.connect"}},
        Case{"waits_on_event", kBlocking, {"threading.Event.wait", "_ready.wait"}},
        Case{"takes_a_lock", kBlocking, {"acquires threading.Lock _lock", "with block"}},
        Case{"gets_from_queue", kBlocking, {"queue.Queue.get"}},
        Case{"imports_inside", kBlocking, {"imports select"}},
        Case{"from_import_inside", kBlocking, {"time.sleep"}},
        Case{"runs_a_shell_command", kBlocking, {"os.system"}},
        Case{"asks_for_input", kBlocking, {"references input"}},
        Case{"calls_requests", kBlocking, {"requests.get", "module requests"}},
        Case{"blocking_instance", kBlocking, {"BlockingCallable instance's __call__()", "BlockingCallable.load()", "time.sleep"}},
        Case{"blocking_partial", kBlocking, {"functools.partial of builtin sleep", "time.sleep"}},
        Case{"blocking_closure", kBlocking, {"time.sleep via alias pause"}},
        // async
        Case{"async_def", kAsync, {"coroutine function async_def()", "async def"}},
        Case{"async_instance", kAsync, {"AsyncCallable instance's __call__()", "coroutine function"}},
        Case{"async_partial", kAsync, {"functools.partial of coroutine function _async_with_prefix()"}},
        Case{"lambda_returning_coroutine", kAsync, {"lambda", "calls coroutine function async_def()"}}));

TEST(ClassifyOverride, Names) {
  EXPECT_EQ(fb::kind_from_override("fast"), HandlerKind::sync_fast);
  EXPECT_EQ(fb::kind_from_override("blocking"), HandlerKind::sync_blocking);
  EXPECT_EQ(fb::kind_from_override("async"), HandlerKind::async);
  EXPECT_FALSE(fb::kind_from_override("FAST"));
  for (HandlerKind k : {kFast, kBlocking, kAsync}) EXPECT_EQ(fb::kind_from_override(fb::override_name(k)), k);
  EXPECT_EQ(fb::kind_name(kBlocking), "SYNC_BLOCKING");
}

TEST(ClassifyProblems, GeneratorsCannotBeHandlers) {
  fb::python::ensure_python();
  fb::python::add_to_sys_path(fb::test::fixture_python_path());
  GilScope gil;
  for (const char* name : {"generator_handler", "async_generator_handler"}) {
    PyRef handler(fb::python::import_handler(std::string("fb_classify_handlers:") + name));
    ASSERT_TRUE(handler);
    const std::string problem = fb::handler_problem(handler.get());
    EXPECT_NE(problem.find("not a valid response"), std::string::npos) << problem;
  }
  PyRef fine(fb::python::import_handler("fb_classify_handlers:arithmetic_and_dicts"));
  EXPECT_EQ(fb::handler_problem(fine.get()), "");
}

TEST(ClassifyRobustness, OddCallablesNeverThrow) {
  fb::python::ensure_python();
  GilScope gil;
  PyObject* builtins = PyEval_GetBuiltins();  // borrowed
  // A type (calling it constructs), a bound C method, and a non-callable: none may raise.
  for (const char* name : {"dict", "print", "len"}) {
    PyObject* obj = PyDict_GetItemString(builtins, name);
    ASSERT_NE(obj, nullptr);
    const fb::Classification c = fb::classify_handler(obj);
    EXPECT_FALSE(c.reason.empty()) << name;
    EXPECT_FALSE(PyErr_Occurred());
  }
  PyRef number(PyLong_FromLong(3));
  const fb::Classification c = fb::classify_handler(number.get());
  EXPECT_FALSE(c.reason.empty());
  EXPECT_FALSE(PyErr_Occurred());
}

}  // namespace
