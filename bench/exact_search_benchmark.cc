// The exact all-pairs search (ground truth for `neardup eval --exact`) in
// documents per second: on generated news of growing size, to show how it
// scales, and on the real SaudiNewsNet sample when ../shared/data is
// present, at the thresholds eval sweeps.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "benchmark/benchmark.h"
#include "neardup/corpus.h"
#include "neardup/exact_search.h"
#include "tests/support/bench_corpus.h"
#include "tests/support/generator.h"

namespace neardup {
namespace {

using testing::GeneratedBenchCorpus;
using testing::SaudiNewsNetOrSkip;

void Run(benchmark::State& state, const Corpus& corpus, uint64_t bytes,
         const ExactSearchOptions& options) {
  uint64_t pairs = 0, candidates = 0;
  double order_seconds = 0, search_seconds = 0;
  for (auto _ : state) {
    auto result = FindSimilarDocuments(corpus, options);
    if (!result.ok()) {
      state.SkipWithError(std::string(result.status().message()).c_str());
      return;
    }
    pairs = result->stats.pairs;
    candidates = result->stats.candidates;
    order_seconds = result->stats.shingle_seconds + result->stats.order_seconds;
    search_seconds = result->stats.search_seconds;
    benchmark::DoNotOptimize(result->pairs.data());
  }
  state.counters["pairs"] = static_cast<double>(pairs);
  state.counters["candidates"] = static_cast<double>(candidates);
  state.counters["shingle_order_s"] = order_seconds;
  state.counters["search_s"] = search_seconds;
  state.SetItemsProcessed(state.iterations() * corpus.size());
  state.SetBytesProcessed(state.iterations() * bytes);
}

// Args: stories (about 3 documents each), threshold in percent, threads.
void BM_ExactSearch_Generated(benchmark::State& state) {
  uint64_t bytes = 0;
  std::unique_ptr<Corpus> corpus = GeneratedBenchCorpus(state.range(0), &bytes);
  ExactSearchOptions options;
  options.threshold = state.range(1) / 100.0;
  options.threads = static_cast<int>(state.range(2));
  Run(state, *corpus, bytes, options);
}
BENCHMARK(BM_ExactSearch_Generated)
    ->ArgsProduct({{1000, 4000, 16000}, {50, 80}, {2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The reference corpus: 14,848 Arabic articles, 52.5 MB, raw
// 5-grams as in the shared ground truth. Args: threshold in percent, threads.
void BM_ExactSearch_SaudiNewsNet(benchmark::State& state) {
  std::unique_ptr<Corpus> corpus = SaudiNewsNetOrSkip(state);
  if (corpus == nullptr) return;
  ExactSearchOptions options;
  options.normalize = NormalizeMode::kNone;
  options.threshold = state.range(0) / 100.0;
  options.threads = static_cast<int>(state.range(1));
  Run(state, *corpus, corpus->stats().input_bytes, options);
}
BENCHMARK(BM_ExactSearch_SaudiNewsNet)
    ->ArgsProduct({{50, 80}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace
}  // namespace neardup
