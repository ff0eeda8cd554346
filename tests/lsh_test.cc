#include "neardup/lsh.h"

#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "neardup/minhash.h"
#include "tests/support/status_matchers.h"

namespace neardup {
namespace {

using ::neardup::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(CandidateProbability, MatchesFormula) {
  EXPECT_NEAR(CandidateProbability(0.8, {16, 6}),
              1 - std::pow(1 - std::pow(0.8, 6), 16), 1e-12);
  EXPECT_DOUBLE_EQ(CandidateProbability(1.0, {3, 4}), 1.0);
  EXPECT_DOUBLE_EQ(CandidateProbability(0.0, {3, 4}), 0.0);
}

// The promise: recall at the threshold is at least the target, within the
// permutation budget, for every threshold a user might pick.
TEST(ChooseBands, KeepsItsRecallPromise) {
  for (int k : {64, 128, 256}) {
    for (double t = 0.5; t <= 0.951; t += 0.05) {
      SCOPED_TRACE(::testing::Message() << "k=" << k << " t=" << t);
      absl::StatusOr<BandParams> p = ChooseBands(t, k, 0.99);
      ASSERT_TRUE(p.ok()) << p.status();
      EXPECT_LE(p->bands * p->rows, k);
      EXPECT_GE(CandidateProbability(t, *p), 0.99);
      // Not wasteful: the same rows with one band fewer would miss the target.
      if (p->bands > 1) {
        EXPECT_LT(CandidateProbability(t, {p->bands - 1, p->rows}), 0.99);
      }
    }
  }
}

TEST(ChooseBands, DefaultSettingIsSixteenBandsOfSix) {
  // Worked out independently: r = 7 would need 20 bands (140 > 128 slots);
  // r = 6 needs 16 (P = 0.9923), the steepest curve that fits.
  absl::StatusOr<BandParams> p = ChooseBands(0.8, 128);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->bands, 16);
  EXPECT_EQ(p->rows, 6);
}

TEST(ChooseBands, RejectsImpossibleOrInvalidRequests) {
  EXPECT_THAT(ChooseBands(0.5, 1), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("more permutations")));
  EXPECT_THAT(ChooseBands(0, 128), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("threshold")));
  EXPECT_THAT(ChooseBands(1.5, 128),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("1.5")));
  EXPECT_THAT(
      ChooseBands(0.8, 128, 1.0),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("recall")));
}

TEST(ValidateBandParams, ChecksBudget) {
  NEARDUP_EXPECT_OK(ValidateBandParams({16, 8}, 128));
  EXPECT_THAT(ValidateBandParams({16, 9}, 128),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("<=")));
  EXPECT_FALSE(ValidateBandParams({0, 5}, 128).ok());
}

SignatureMatrix Matrix(const std::vector<std::vector<uint32_t>>& rows) {
  SignatureMatrix m;
  m.Resize(rows.size(), static_cast<int>(rows[0].size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    std::copy(rows[i].begin(), rows[i].end(), m.MutableRow(i).begin());
    m.present[i] = 1;
  }
  return m;
}

TEST(FindCandidatePairs, PairsDocumentsSharingABand) {
  // Band 0 = slots 0-1, band 1 = slots 2-3.
  SignatureMatrix m = Matrix({{1, 2, 3, 4},    // 0
                              {1, 2, 9, 9},    // 1: band 0 with doc 0
                              {7, 7, 3, 4},    // 2: band 1 with doc 0
                              {5, 5, 5, 5}});  // 3: nothing shared
  CandidateStats stats;
  std::vector<DocPair> pairs =
      FindCandidatePairs(m, {.bands = {2, 2}, .threads = 1}, &stats);
  EXPECT_THAT(pairs, ElementsAre(DocPair{0, 1}, DocPair{0, 2}));
  EXPECT_EQ(stats.candidate_pairs, 2u);
  EXPECT_EQ(stats.band_collisions, 2u);
}

TEST(FindCandidatePairs, PairSharingManyBandsIsReportedOnce) {
  SignatureMatrix m = Matrix({{1, 2, 3, 4}, {1, 2, 3, 4}});
  CandidateStats stats;
  std::vector<DocPair> pairs = FindCandidatePairs(m, {.bands = {2, 2}}, &stats);
  EXPECT_THAT(pairs, ElementsAre(DocPair{0, 1}));
  EXPECT_EQ(stats.band_collisions, 2u);
}

TEST(FindCandidatePairs, AbsentDocumentsAreNeverCandidates) {
  SignatureMatrix m = Matrix({{1, 2}, {1, 2}, {1, 2}});
  m.present[1] = 0;
  EXPECT_THAT(FindCandidatePairs(m, {.bands = {1, 2}}, nullptr),
              ElementsAre(DocPair{0, 2}));
}

TEST(FindCandidatePairs, OversizedBucketsLinkToTheirFirstDocument) {
  std::vector<std::vector<uint32_t>> rows(50, {7, 7});
  SignatureMatrix m = Matrix(rows);
  CandidateStats stats;
  std::vector<DocPair> pairs =
      FindCandidatePairs(m, {.bands = {1, 2}, .max_bucket = 10}, &stats);
  ASSERT_EQ(pairs.size(), 49u);
  for (size_t i = 0; i < pairs.size(); ++i) {
    EXPECT_EQ(pairs[i], (DocPair{0, static_cast<uint32_t>(i + 1)}));
  }
  EXPECT_EQ(stats.capped_buckets, 1u);
  EXPECT_EQ(stats.largest_bucket, 50u);
}

TEST(FindCandidatePairs, SameResultForAnyThreadCount) {
  // Random signatures with small alphabets so buckets collide often.
  std::vector<std::vector<uint32_t>> rows(400, std::vector<uint32_t>(32));
  uint64_t state = 1;
  for (auto& row : rows) {
    for (auto& v : row) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      v = (state >> 60) % 3;
    }
  }
  SignatureMatrix m = Matrix(rows);
  std::vector<DocPair> one =
      FindCandidatePairs(m, {.bands = {16, 2}, .threads = 1}, nullptr);
  std::vector<DocPair> four =
      FindCandidatePairs(m, {.bands = {16, 2}, .threads = 4}, nullptr);
  EXPECT_FALSE(one.empty());
  EXPECT_EQ(one, four);
}

// End to end over real sketches: pairs of sets at exactly the threshold
// become candidates at least as often as promised.
TEST(FindCandidatePairs, RecallAtThresholdMeetsPromise) {
  constexpr int kPairs = 600;
  auto hasher = MinHasher::Create({});
  BandParams bands = *ChooseBands(0.8, 128);
  SignatureMatrix m;
  m.Resize(2 * kPairs, 128);
  uint64_t next = 1;
  // Shingle hashes are uniformly random 64-bit values; a splitmix64 step
  // stands in for XXH3 here.
  auto random_hash = [&next] {
    uint64_t z = (next++) * 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  for (int p = 0; p < kPairs; ++p) {
    // |A∩B| = 800, |A\B| = |B\A| = 100: Jaccard = 800 / 1000 = 0.8.
    std::vector<uint64_t> a, b;
    for (int i = 0; i < 800; ++i) {
      uint64_t h = random_hash();
      a.push_back(h);
      b.push_back(h);
    }
    for (int i = 0; i < 100; ++i) a.push_back(random_hash());
    for (int i = 0; i < 100; ++i) b.push_back(random_hash());
    hasher->Sketch(a, m.MutableRow(2 * p));
    hasher->Sketch(b, m.MutableRow(2 * p + 1));
    m.present[2 * p] = m.present[2 * p + 1] = 1;
  }
  std::vector<DocPair> pairs = FindCandidatePairs(m, {.bands = bands}, nullptr);
  int found = 0;
  for (const DocPair& pair : pairs) {
    found += pair.a % 2 == 0 && pair.b == pair.a + 1;
  }
  RecordProperty("found", found);
  // Promise 0.992; binomial sd over 600 pairs is 0.0036, so 0.975 is > 4 sd
  // below the promise.
  EXPECT_GE(found, static_cast<int>(0.975 * kPairs));
}

}  // namespace
}  // namespace neardup
