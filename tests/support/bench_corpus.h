// Corpora for benchmarks: a generated news corpus, and the real SaudiNewsNet
// sample from ../shared/data when it is present.
#ifndef NEARDUP_TESTS_SUPPORT_BENCH_CORPUS_H_
#define NEARDUP_TESTS_SUPPORT_BENCH_CORPUS_H_

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "benchmark/benchmark.h"
#include "neardup/corpus.h"
#include "tests/support/generator.h"

namespace neardup::testing {

// GenerateCorpus() with `stories` stories (seed 9), as a Corpus; `bytes`
// receives the total text size for SetBytesProcessed().
inline std::unique_ptr<Corpus> GeneratedBenchCorpus(size_t stories,
                                                    uint64_t* bytes) {
  CorpusSpec spec;
  spec.stories = stories;
  spec.seed = 9;
  std::vector<std::pair<std::string, std::string>> docs;
  *bytes = 0;
  for (auto& d : GenerateCorpus(spec)) {
    *bytes += d.text.size();
    docs.emplace_back(std::move(d.id), std::move(d.text));
  }
  return *Corpus::FromDocuments(std::move(docs));
}

// The reference corpus (14,848 Arabic articles, 52.5 MB), or null
// after marking the benchmark skipped when ../shared/data is absent or the
// file cannot be loaded.
inline std::unique_ptr<Corpus> SaudiNewsNetOrSkip(benchmark::State& state) {
  const std::string path = std::string(NEARDUP_SOURCE_DIR) +
                           "/../shared/data/saudinewsnet-dev.jsonl.zst";
  if (!std::filesystem::exists(path)) {
    state.SkipWithError("../shared/data absent");
    return nullptr;
  }
  auto corpus = LoadCorpus({path}, {});
  if (!corpus.ok()) {
    state.SkipWithError(std::string(corpus.status().message()).c_str());
    return nullptr;
  }
  return std::move(corpus).value();
}

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_SUPPORT_BENCH_CORPUS_H_
