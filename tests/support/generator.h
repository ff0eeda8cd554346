// Synthetic news corpora with known near-duplicate structure, for accuracy
// tests (LSH recall against brute force) and benchmarks.
//
// Everything here is deterministic on every platform: the random generator is
// xoshiro256** seeded through splitmix64, and no std:: distribution (whose
// output is implementation-defined) is used. The same seed gives the same
// bytes with any compiler and standard library.
//
// The brute-force functions are the independent reference the engine is
// tested against: they decode UTF-8 and compare std::set<std::u32string>
// n-gram sets, and share no code with neardup's normaliser, shingler or
// hashes.
//
// Example:
//
//   neardup::testing::CorpusSpec spec;
//   spec.stories = 100;
//   std::vector<neardup::testing::GeneratedDoc> docs =
//       neardup::testing::GenerateCorpus(spec);
//   std::vector<neardup::testing::TruePair> truth =
//       neardup::testing::BruteForcePairs(docs, spec.ngram, 0.8);
#ifndef NEARDUP_TESTS_SUPPORT_GENERATOR_H_
#define NEARDUP_TESTS_SUPPORT_GENERATOR_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"

namespace neardup::testing {

// A small, fast, platform-independent random generator (xoshiro256**, state
// seeded with splitmix64). Not for cryptography.
class Rng {
 public:
  explicit Rng(uint64_t seed);

  // The next 64 random bits.
  uint64_t Next();

  // Uniform in [0, n), without modulo bias. Returns 0 when n == 0.
  uint64_t Uniform(uint64_t n);

  // Uniform in [lo, hi]. Requires lo <= hi.
  int64_t UniformInt(int64_t lo, int64_t hi);

  // Uniform in [0, 1), a multiple of 2^-53.
  double UniformDouble();

  // True with probability p.
  bool Bernoulli(double p);

 private:
  uint64_t state_[4];
};

// splitmix64 finaliser: a bijective 64-bit mix, used to derive independent
// seeds (e.g. one per story) from one seed.
uint64_t Mix64(uint64_t x);

enum class Language { kEnglish, kArabic };

// A made-up news article: `paragraphs` paragraphs separated by "\n\n", each of
// 2-6 sentences of 8-20 words drawn from a built-in vocabulary of a few
// hundred English or Arabic words. Words follow Zipf-like frequencies within
// function words, general news words and one topic's words (politics,
// economy, sport, weather, health, technology), plus a few personal names
// per article, so articles on one topic share common words but are different
// texts (5-gram Jaccard between unrelated articles is typically 0.1-0.3).
// Returns "" when paragraphs <= 0.
std::string GenerateArticle(Rng& rng, Language language, int paragraphs);

// The built-in vocabulary's function words, most frequent first (the head of
// GenerateArticle's word list; news_corpus.h builds on them too).
const std::vector<std::string_view>& FunctionWords(Language language);

// A copy of `text` changed by random word substitutions, insertions,
// deletions and small punctuation changes until the exact Jaccard of the two
// raw n-gram shingle sets (n code points, no normalisation; see
// BruteForceJaccard) is within `tolerance` of `target`.
//
// The edit vocabulary follows the text's script (Arabic or English).
// Paragraph breaks are never edited, so Truncate() still sees the paragraphs.
// Edits that would overshoot are undone, so the result is never below
// target - tolerance; targets are met for texts of a few hundred code points
// or more, while for very short texts (a few dozen code points) the result
// is the closest copy found from above. target >= 1 (or an empty text)
// returns the text unchanged. Deterministic given the rng state.
std::string EditToJaccard(absl::string_view text, double target, int ngram,
                          Rng& rng, double tolerance = 0.02);

// The first floor(fraction * paragraphs) paragraphs of `text` (at least one,
// at most all), paragraphs being separated by "\n\n": an abridged copy that
// keeps whole paragraphs.
std::string Truncate(absl::string_view text, double fraction);

// Decodes UTF-8 to code points; each byte of an invalid sequence becomes
// U+FFFD.
std::u32string DecodeUtf8(absl::string_view text);

// Encodes code points as UTF-8. Surrogates and values above U+10FFFF become
// U+FFFD.
std::string EncodeUtf8(std::u32string_view code_points);

// The set of raw n-grams of `text`: every window of n consecutive code points
// (a text shorter than n but non-empty is one n-gram: the whole text; an
// empty text has none). Requires ngram >= 1.
std::vector<std::u32string> NgramSet(absl::string_view text, int ngram);

// Exact Jaccard |A ∩ B| / |A ∪ B| of the raw n-gram sets of two UTF-8 texts,
// computed by brute force with std::set<std::u32string>. 0 when both sets
// are empty.
double BruteForceJaccard(absl::string_view a, absl::string_view b, int ngram);

// Exact containment |A ∩ B| / min(|A|, |B|) of the raw n-gram sets; 0 when
// either set is empty.
double BruteForceContainment(absl::string_view a, absl::string_view b,
                             int ngram);

struct CorpusSpec {
  size_t stories = 200;          // Distinct original articles.
  int max_copies = 4;            // Each story gets 0..max_copies edited copies.
  double min_similarity = 0.5;   // Each copy's target Jaccard with its
  double max_similarity = 1.0;   // original is uniform in [min, max].
  double arabic_fraction = 0.5;  // Share of stories in Arabic.
  int min_paragraphs = 3;
  int max_paragraphs = 8;
  int ngram = 5;  // n used by EditToJaccard.
  uint64_t seed = 1;
};

struct GeneratedDoc {
  std::string id;  // "gen-000123": the document's position, from 0.
  std::string text;
  uint32_t story = 0;     // Index of the original story, 0..stories-1.
  bool original = false;  // The story's unedited article (one per story).
};

// Every story's original and its copies (copies target Jaccard with the
// original, not with each other), shuffled deterministically. Each story
// draws from its own generator derived from (seed, story), so a story's texts
// do not depend on the other stories.
std::vector<GeneratedDoc> GenerateCorpus(const CorpusSpec& spec);

struct TruePair {
  uint32_t a = 0;  // Indices into the docs, a < b.
  uint32_t b = 0;
  double jaccard = 0;
};

// Every pair (a < b) of docs whose raw n-gram Jaccard is >= min_jaccard,
// sorted by (a, b). Exhaustive over all pairs whatever their story (unrelated
// stories can be similar by chance); the only pruning is provably safe: a
// pair is skipped when the smaller set size over the larger is below
// min_jaccard (J <= min/max), and an intersection count stops as soon as the
// threshold is out of reach. O(docs^2): for test-sized corpora.
std::vector<TruePair> BruteForcePairs(const std::vector<GeneratedDoc>& docs,
                                      int ngram, double min_jaccard);

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_SUPPORT_GENERATOR_H_
