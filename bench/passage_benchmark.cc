// Passage mode: segmentation alone, and the whole FindRepeatedPassages()
// batch (segment, normalise, shingle, sketch, LSH, verify, group), in bytes
// of input text per second, on a generated news corpus and on the real
// SaudiNewsNet sample when ../shared/data is present. BM_Pipeline_* in
// pipeline_benchmark is the document-level baseline on the same inputs.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "benchmark/benchmark.h"
#include "neardup/corpus.h"
#include "neardup/passage.h"
#include "tests/support/bench_corpus.h"
#include "tests/support/generator.h"

namespace neardup {
namespace {

using testing::GeneratedBenchCorpus;
using testing::SaudiNewsNetOrSkip;

void BM_Passages_Segment(benchmark::State& state) {
  testing::Rng rng(3);
  std::vector<std::string> texts;
  uint64_t bytes = 0;
  for (int i = 0; i < 200; ++i) {
    texts.push_back(testing::GenerateArticle(
        rng, i % 2 ? testing::Language::kArabic : testing::Language::kEnglish,
        8));
    bytes += texts.back().size();
  }
  const SegmentOptions options{.max_chars = static_cast<int>(state.range(0))};
  std::vector<PassageSpan> spans;
  for (auto _ : state) {
    for (const std::string& text : texts) {
      spans.clear();
      Segment(text, options, &spans);
      benchmark::DoNotOptimize(spans.data());
    }
  }
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_Passages_Segment)->Arg(100)->Arg(500);

void BM_Passages_Generated(benchmark::State& state) {
  uint64_t bytes = 0;
  std::unique_ptr<Corpus> corpus = GeneratedBenchCorpus(state.range(0), &bytes);
  PassageOptions options;
  options.threads = static_cast<int>(state.range(1));
  for (auto _ : state) {
    auto result = FindRepeatedPassages(*corpus, options);
    benchmark::DoNotOptimize(result->repeats.data());
  }
  state.SetItemsProcessed(state.iterations() * corpus->size());
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_Passages_Generated)
    ->ArgsProduct({{1000, 5000}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The reference corpus: 14,848 Arabic articles, 52.5 MB.
void BM_Passages_SaudiNewsNet(benchmark::State& state) {
  std::unique_ptr<Corpus> corpus = SaudiNewsNetOrSkip(state);
  if (corpus == nullptr) return;
  PassageOptions options;
  options.threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    auto result = FindRepeatedPassages(*corpus, options);
    benchmark::DoNotOptimize(result->repeats.data());
  }
  state.SetItemsProcessed(state.iterations() * corpus->size());
  state.SetBytesProcessed(state.iterations() * corpus->stats().input_bytes);
}
BENCHMARK(BM_Passages_SaudiNewsNet)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace
}  // namespace neardup
