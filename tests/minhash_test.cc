#include "neardup/minhash.h"

#include <cmath>
#include <numeric>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace neardup {
namespace {

using ::neardup::testing::StatusIs;

uint64_t Mix(uint64_t x) {  // splitmix64 finaliser: distinct, random-looking.
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Two sets with exactly `shared` common elements and `only` elements each
// of their own: Jaccard = shared / (shared + 2 * only).
void MakePair(uint64_t salt, size_t shared, size_t only,
              std::vector<uint64_t>* a, std::vector<uint64_t>* b) {
  a->clear();
  b->clear();
  for (size_t i = 0; i < shared; ++i) {
    uint64_t h = Mix(salt * 1000003 + i);
    a->push_back(h);
    b->push_back(h);
  }
  for (size_t i = 0; i < only; ++i) {
    a->push_back(Mix(salt * 1000003 + 500000 + i));
    b->push_back(Mix(salt * 1000003 + 700000 + i));
  }
}

class MinHasherTest : public ::testing::TestWithParam<SketchAlgorithm> {};

TEST_P(MinHasherTest, IdenticalSetsGiveIdenticalSignatures) {
  auto hasher = MinHasher::Create({.num_perm = 64, .algorithm = GetParam()});
  ASSERT_TRUE(hasher.ok());
  std::vector<uint64_t> a = {Mix(1), Mix(2), Mix(3), Mix(4)};
  // Same set, other order, with duplicates.
  std::vector<uint64_t> b = {Mix(4), Mix(2), Mix(2), Mix(1), Mix(3), Mix(1)};
  std::vector<uint32_t> sa(64), sb(64);
  ASSERT_TRUE(hasher->Sketch(a, absl::MakeSpan(sa)));
  ASSERT_TRUE(hasher->Sketch(b, absl::MakeSpan(sb)));
  EXPECT_EQ(sa, sb);
  EXPECT_DOUBLE_EQ(EstimateJaccard(sa, sb), 1.0);
}

TEST_P(MinHasherTest, EmptySetHasNoSignature) {
  auto hasher = MinHasher::Create({.algorithm = GetParam()});
  std::vector<uint32_t> sig(hasher->num_perm());
  EXPECT_FALSE(hasher->Sketch({}, absl::MakeSpan(sig)));
}

TEST_P(MinHasherTest, SingleShingleFillsEverySlot) {
  auto hasher = MinHasher::Create({.num_perm = 128, .algorithm = GetParam()});
  std::vector<uint64_t> one = {Mix(99)};
  std::vector<uint32_t> a(128), b(128);
  ASSERT_TRUE(hasher->Sketch(one, absl::MakeSpan(a)));
  std::vector<uint64_t> other = {Mix(100)};
  ASSERT_TRUE(hasher->Sketch(other, absl::MakeSpan(b)));
  EXPECT_LT(EstimateJaccard(a, b), 0.1);
}

TEST_P(MinHasherTest, DisjointSetsRarelyAgree) {
  auto hasher = MinHasher::Create({.num_perm = 128, .algorithm = GetParam()});
  std::vector<uint64_t> a, b;
  MakePair(3, 0, 500, &a, &b);
  std::vector<uint32_t> sa(128), sb(128);
  hasher->Sketch(a, absl::MakeSpan(sa));
  hasher->Sketch(b, absl::MakeSpan(sb));
  EXPECT_LE(EstimateJaccard(sa, sb), 2.0 / 128);
}

// The estimator must be unbiased: averaged over many independent pairs with
// the same true Jaccard, the mean estimate is within a few standard errors
// of the truth, and the spread matches the binomial sqrt(J(1-J)/k) (OPH's is
// at most that). Dense sets (many more shingles than slots) and sparse sets
// (fewer, where densification does the work) are both covered.
struct BiasCase {
  size_t shared;
  size_t only;
};

TEST_P(MinHasherTest, EstimatesAreUnbiased) {
  constexpr int kSlots = 128;
  constexpr int kTrials = 300;
  for (BiasCase c : {BiasCase{1600, 200}, BiasCase{40, 5}, BiasCase{300, 150},
                     BiasCase{10, 20}}) {
    const double truth =
        static_cast<double>(c.shared) / (c.shared + 2 * c.only);
    double sum = 0, sum_sq = 0;
    std::vector<uint64_t> a, b;
    std::vector<uint32_t> sa(kSlots), sb(kSlots);
    for (int t = 0; t < kTrials; ++t) {
      // A new seed per trial gives independent hash functions.
      auto hasher = MinHasher::Create(
          {.num_perm = kSlots, .algorithm = GetParam(), .seed = 1000u + t});
      MakePair(t, c.shared, c.only, &a, &b);
      hasher->Sketch(a, absl::MakeSpan(sa));
      hasher->Sketch(b, absl::MakeSpan(sb));
      double e = EstimateJaccard(sa, sb);
      sum += e;
      sum_sq += e * e;
    }
    const double mean = sum / kTrials;
    const double sd = std::sqrt(sum_sq / kTrials - mean * mean);
    const double binomial_sd = std::sqrt(truth * (1 - truth) / kSlots);
    SCOPED_TRACE(::testing::Message()
                 << "J=" << truth << " mean=" << mean << " sd=" << sd);
    // Standard error of the mean is binomial_sd / sqrt(kTrials); allow 4.
    EXPECT_NEAR(mean, truth, 4 * binomial_sd / std::sqrt(kTrials));
    EXPECT_LT(sd, 1.3 * binomial_sd);
    EXPECT_GT(sd, 0.5 * binomial_sd);
  }
}

TEST_P(MinHasherTest, SeedChangesSignature) {
  auto h1 = MinHasher::Create({.algorithm = GetParam(), .seed = 1});
  auto h2 = MinHasher::Create({.algorithm = GetParam(), .seed = 2});
  std::vector<uint64_t> a, b;
  MakePair(5, 100, 0, &a, &b);
  std::vector<uint32_t> s1(128), s2(128);
  h1->Sketch(a, absl::MakeSpan(s1));
  h2->Sketch(a, absl::MakeSpan(s2));
  EXPECT_NE(s1, s2);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, MinHasherTest,
                         ::testing::Values(SketchAlgorithm::kOnePermutation,
                                           SketchAlgorithm::kClassic),
                         [](const auto& param_info) {
                           return std::string(
                               SketchAlgorithmName(param_info.param));
                         });

// Signatures reach disk in persistent indexes: pin a few values so that any
// change to the sketch definition is caught and made deliberately.
constexpr uint32_t kGoldenOph[] = {63630621u,  86972081u, 32155185u, 2498849u,
                                   463097926u, 11017796u, 5810734u,  2736683u};
constexpr uint32_t kGoldenClassic[] = {13755282u, 9407766u,  4468416u,
                                       4912322u,  10438067u, 22358851u,
                                       4378896u,  15199976u};

TEST(MinHasher, GoldenSignatures) {
  std::vector<uint64_t> shingles;
  for (uint64_t i = 0; i < 300; ++i) shingles.push_back(Mix(i));
  auto oph = MinHasher::Create({.num_perm = 8});
  auto classic = MinHasher::Create(
      {.num_perm = 8, .algorithm = SketchAlgorithm::kClassic});
  std::vector<uint32_t> s(8);
  oph->Sketch(shingles, absl::MakeSpan(s));
  EXPECT_THAT(s, ::testing::ElementsAreArray(kGoldenOph));
  classic->Sketch(shingles, absl::MakeSpan(s));
  EXPECT_THAT(s, ::testing::ElementsAreArray(kGoldenClassic));
}

TEST(MinHasher, RejectsBadSlotCounts) {
  EXPECT_THAT(MinHasher::Create({.num_perm = 0}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("between 1 and 4096")));
  EXPECT_THAT(MinHasher::Create({.num_perm = 5000}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("5000")));
}

TEST(SketchAlgorithm, ParsesNames) {
  EXPECT_EQ(*ParseSketchAlgorithm("oph"), SketchAlgorithm::kOnePermutation);
  EXPECT_EQ(*ParseSketchAlgorithm("classic"), SketchAlgorithm::kClassic);
  EXPECT_THAT(ParseSketchAlgorithm("simhash"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("use oph or classic")));
}

}  // namespace
}  // namespace neardup
