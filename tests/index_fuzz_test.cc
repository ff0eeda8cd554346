// Random damage to a whole index directory, many times over: Index::Open
// must refuse it with a one-line message or open an index that keeps its
// promises (tests/support/index_fuzz.h). index_test.cc covers each single
// truncation and bit flip; this covers combinations, inserted and
// duplicated bytes, extreme length fields and swapped or missing files.
//
// NEARDUP_FUZZ_ROUNDS sets the number of rounds (default 300, about 2 s in
// Debug); NEARDUP_FUZZ_SEED replays from another seed.
#include "tests/support/index_fuzz.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace neardup::testing {
namespace {

namespace fs = std::filesystem;

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::strtoull(value, nullptr, 10) : fallback;
}

// At the defaults, and with boilerplate scoring (a version-4 meta file, and
// counts rebuilt from the stored sets).
class IndexFuzz : public ::testing::TestWithParam<bool> {};

TEST_P(IndexFuzz, DamagedIndexIsRefusedOrConsistent) {
  const fs::path root =
      fs::temp_directory_path() / absl::StrCat("neardup_fuzz_", getpid());
  fs::remove_all(root);
  const fs::path seed_dir = root / "seed";
  const fs::path work = root / "work";
  IndexOptions options;
  if (GetParam()) options.boilerplate_df = 2;
  absl::StatusOr<FuzzSeed> seed = BuildFuzzSeed(seed_dir.string(), options);
  ASSERT_TRUE(seed.ok()) << seed.status();

  const uint64_t rounds = EnvOr("NEARDUP_FUZZ_ROUNDS", 300);
  const uint64_t first_seed = EnvOr("NEARDUP_FUZZ_SEED", 1);
  int refused = 0, opened = 0, failures = 0;
  for (uint64_t round = 0; round < rounds && failures < 5; ++round) {
    const uint64_t round_seed = first_seed + round;
    CopyDirectory(seed_dir, work);
    Rng rng(round_seed);
    MutateIndexFiles(work, rng);
    const bool opens = Index::Open(work.string(), {.read_only = true}).ok();
    (opens ? opened : refused) += 1;
    const std::vector<std::string> problems =
        CheckDamagedIndex(work.string(), *seed);
    if (!problems.empty()) {
      ++failures;
      ADD_FAILURE() << "NEARDUP_FUZZ_SEED=" << round_seed
                    << " NEARDUP_FUZZ_ROUNDS=1: "
                    << absl::StrJoin(problems, "; ");
    }
  }
  // The damage must be varied enough to reach both outcomes, or the rounds
  // test less than they claim.
  if (rounds >= 100) {
    EXPECT_GT(refused, 0);
    EXPECT_GT(opened, 0);
  }
  fs::remove_all(root);
}

INSTANTIATE_TEST_SUITE_P(Options, IndexFuzz, ::testing::Bool(),
                         [](const auto& test_info) {
                           return test_info.param ? "Boilerplate" : "Defaults";
                         });

// The undamaged seed passes the same checks, so a failure above is the
// damage's doing.
TEST(IndexFuzzSeed, UndamagedSeedIsConsistent) {
  const fs::path root =
      fs::temp_directory_path() / absl::StrCat("neardup_fuzz_clean_", getpid());
  fs::remove_all(root);
  absl::StatusOr<FuzzSeed> seed = BuildFuzzSeed((root / "seed").string());
  ASSERT_TRUE(seed.ok()) << seed.status();
  auto index = Index::Open((root / "seed").string(), {.read_only = true});
  ASSERT_TRUE(index.ok()) << index.status();
  // a0 a1 a2 b1 c0 d0: b0 was removed, c0 removed and added again.
  EXPECT_EQ((*index)->stats().documents, 6u);
  EXPECT_FALSE((*index)->Contains("b0"));
  EXPECT_TRUE((*index)->Contains("c0"));
  index->reset();
  EXPECT_THAT(CheckDamagedIndex((root / "seed").string(), *seed),
              ::testing::IsEmpty());
  fs::remove_all(root);
}

}  // namespace
}  // namespace neardup::testing
