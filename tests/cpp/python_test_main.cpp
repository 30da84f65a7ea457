// main() for tests that embed Python: finalizes the interpreter after all tests, so that
// sanitizers see what the pipeline really leaks rather than the whole live interpreter.
#include <gtest/gtest.h>

#include "framework/python/embedded_python.h"

namespace {

class PythonEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { fb::python::finalize_python(); }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new PythonEnvironment);
  return RUN_ALL_TESTS();
}
