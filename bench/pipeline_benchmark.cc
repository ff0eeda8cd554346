// End-to-end batch clustering (normalise, shingle, sketch, LSH, verify,
// cluster) in documents per second on a generated news corpus, and on the
// real SaudiNewsNet sample when ../shared/data is present.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "benchmark/benchmark.h"
#include "neardup/corpus.h"
#include "neardup/pipeline.h"
#include "tests/support/bench_corpus.h"
#include "tests/support/generator.h"

namespace neardup {
namespace {

using testing::GeneratedBenchCorpus;
using testing::SaudiNewsNetOrSkip;

void BM_Pipeline_Generated(benchmark::State& state) {
  uint64_t bytes = 0;
  std::unique_ptr<Corpus> corpus = GeneratedBenchCorpus(state.range(0), &bytes);
  PipelineOptions options;
  options.threads = static_cast<int>(state.range(1));
  for (auto _ : state) {
    auto result = RunPipeline(*corpus, options);
    benchmark::DoNotOptimize(result->pairs.data());
  }
  state.SetItemsProcessed(state.iterations() * corpus->size());
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_Pipeline_Generated)
    ->ArgsProduct({{1000, 5000}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The reference corpus: 14,848 Arabic articles, 52.5 MB.
void BM_Pipeline_SaudiNewsNet(benchmark::State& state) {
  std::unique_ptr<Corpus> corpus = SaudiNewsNetOrSkip(state);
  if (corpus == nullptr) return;
  PipelineOptions options;
  options.normalize = static_cast<NormalizeMode>(state.range(0));
  options.threads = static_cast<int>(state.range(1));
  for (auto _ : state) {
    auto result = RunPipeline(*corpus, options);
    benchmark::DoNotOptimize(result->pairs.data());
  }
  state.SetItemsProcessed(state.iterations() * corpus->size());
  state.SetBytesProcessed(state.iterations() * corpus->stats().input_bytes);
}
BENCHMARK(BM_Pipeline_SaudiNewsNet)
    ->ArgsProduct({{static_cast<int>(NormalizeMode::kNone),
                    static_cast<int>(NormalizeMode::kFull)},
                   {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace
}  // namespace neardup
