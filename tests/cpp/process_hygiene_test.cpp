// Hash seeds and the fixed-size environment (harness/hygiene/process_hygiene.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "harness/cli/exit_codes.h"
#include "harness/hygiene/process_hygiene.h"

namespace fb::harness {
namespace {

TEST(HashSeed, ParsesIntegersAndRandom) {
  EXPECT_TRUE(parse_hash_seed("random", "--hash-seed").random);
  const HashSeed s = parse_hash_seed("4294967295", "--hash-seed");
  EXPECT_FALSE(s.random);
  EXPECT_EQ(s.value, 4294967295u);
  EXPECT_EQ(s.source, "--hash-seed");
  EXPECT_EQ(hash_seed_text(parse_hash_seed("0", "x")), "0");
  for (const char* bad : {"", "-1", "4294967296", "12abc", "Random"}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(parse_hash_seed(bad, "--hash-seed"), UsageError);
  }
}

TEST(HashSeed, FollowsPythonHashSeedLikePythonDoes) {
  ::unsetenv("PYTHONHASHSEED");
  EXPECT_TRUE(hash_seed_from_environment().random);
  ::setenv("PYTHONHASHSEED", "7", 1);
  EXPECT_EQ(hash_seed_from_environment().value, 7u);
  EXPECT_EQ(hash_seed_from_environment().source, "PYTHONHASHSEED");
  ::setenv("PYTHONHASHSEED", "random", 1);
  EXPECT_TRUE(hash_seed_from_environment().random);
  ::unsetenv("PYTHONHASHSEED");
}

std::size_t block_bytes(const std::vector<std::string>& strings) {
  std::size_t n = 0;
  for (const std::string& s : strings) n += s.size() + 1;
  return n;
}

TEST(FixedEnvironment, KeepsWhatARunNeedsAndPadsToAFixedSize) {
  ::setenv("FB_TEST_NOT_KEPT", "1", 1);
  ::setenv("FASTERBENCH_TEST_KEPT", "yes", 1);
  const std::vector<std::string> short_argv = {"/x/fasterbench", "run"};
  const std::vector<std::string> long_argv = {"/x/fasterbench", "run", "--out", std::string(300, 'o')};
  const auto a = fixed_environment(short_argv, {{"PYTHONHASHSEED", "0"}});
  const auto b = fixed_environment(long_argv, {{"PYTHONHASHSEED", "0"}});
  EXPECT_EQ(block_bytes(short_argv) + block_bytes(a), kArgEnvBlockBytes);
  EXPECT_EQ(block_bytes(long_argv) + block_bytes(b), kArgEnvBlockBytes);
  auto has = [](const std::vector<std::string>& env, const std::string& entry) {
    return std::find(env.begin(), env.end(), entry) != env.end();
  };
  EXPECT_TRUE(has(a, "PYTHONHASHSEED=0"));
  EXPECT_TRUE(has(a, "FASTERBENCH_TEST_KEPT=yes"));
  EXPECT_FALSE(has(a, "FB_TEST_NOT_KEPT=1"));
  if (const char* path = std::getenv("PATH")) {
    EXPECT_TRUE(has(a, std::string("PATH=") + path));
  }
  ::unsetenv("FB_TEST_NOT_KEPT");
  ::unsetenv("FASTERBENCH_TEST_KEPT");
}

TEST(FixedEnvironment, AnOversizedBlockRoundsUpToTheNextMultiple) {
  const std::vector<std::string> argv = {"/x/fasterbench", std::string(kArgEnvBlockBytes, 'a')};
  const auto env = fixed_environment(argv, {});
  EXPECT_EQ((block_bytes(argv) + block_bytes(env)) % kArgEnvBlockBytes, 0u);
  EXPECT_GT(block_bytes(argv) + block_bytes(env), kArgEnvBlockBytes);
}

}  // namespace
}  // namespace fb::harness
