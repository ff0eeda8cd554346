// News-size synthetic articles at scale, with planted copies: the corpus the
// scale benchmark (bench/scale.sh, docs/benchmarks.md) runs at 10 k to 3 M
// documents.
//
// Unlike GenerateCorpus() (generator.h), which draws from a few hundred words
// and targets exact Jaccard values for accuracy tests, this generator aims at
// the statistics that decide how LSH behaves on a large corpus:
//   - a lexicon of tens of thousands of made-up words per language with
//     Zipf-Mandelbrot frequencies, real function words at the head, topic
//     words that several stories share, and names that one story repeats;
//     calibrated so that unrelated articles share about as much as real
//     news does: raw 5-gram Jaccard of two unrelated articles in one
//     language has median 0.026 in Arabic and 0.036 in English (SaudiNewsNet
//     0.024, Reuters 0.030, whose articles are shorter);
//   - 3-4 KB of UTF-8 per article, in paragraphs and sentences;
//   - copies of about one story in eight, each edited the way outlets edit
//     wire copy: word substitutions, a dropped paragraph, an outlet header or
//     trailer, punctuation variants, or a copy cut short.
// Stories are generated independently from (seed, story), so a corpus of N
// stories is a prefix-stable, thread-count-independent function of the seed.
//
// Example:
//
//   neardup::testing::NewsSpec spec;
//   neardup::testing::NewsStory story = neardup::testing::GenerateStory(spec,
//   7); for (const neardup::testing::NewsDoc& doc : story.docs) { ... }
#ifndef NEARDUP_TESTS_SUPPORT_NEWS_CORPUS_H_
#define NEARDUP_TESTS_SUPPORT_NEWS_CORPUS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace neardup::testing {

struct NewsSpec {
  uint64_t seed = 1;
  double arabic_fraction = 0.5;   // Share of stories written in Arabic.
  double copied_fraction = 0.12;  // Share of stories that get 1-4 copies.
  int min_bytes = 2600;  // An original's text is min..max bytes of UTF-8.
  int max_bytes = 3600;
};

enum class CopyKind {
  kOriginal,   // The story's first publication.
  kLight,      // Up to 4 % of words substituted.
  kMedium,     // 4-12 % of words substituted.
  kDropped,    // One or two paragraphs dropped, light substitutions.
  kTruncated,  // Only the first 30-80 % of the paragraphs, light edits.
};

struct NewsDoc {
  std::string title;
  std::string source;  // The outlet.
  std::string date;    // ISO 8601 date-time, copies after their original.
  std::string text;
  CopyKind kind = CopyKind::kOriginal;
};

struct NewsStory {
  std::vector<NewsDoc> docs;  // The original first, then its copies.
};

// Story number `story` of the corpus `spec` describes. Deterministic.
NewsStory GenerateStory(const NewsSpec& spec, uint64_t story);

// Short lowercase name of a copy kind ("original", "light", ...).
const char* CopyKindName(CopyKind kind);

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_SUPPORT_NEWS_CORPUS_H_
