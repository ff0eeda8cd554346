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
#include "tests/support/generator.h"

namespace neardup {
namespace {

std::unique_ptr<Corpus> GeneratedCorpus(size_t stories, uint64_t* bytes) {
  testing::CorpusSpec spec;
  spec.stories = stories;
  spec.seed = 9;
  std::vector<std::pair<std::string, std::string>> docs;
  *bytes = 0;
  for (auto& d : testing::GenerateCorpus(spec)) {
    *bytes += d.text.size();
    docs.emplace_back(std::move(d.id), std::move(d.text));
  }
  return *Corpus::FromDocuments(std::move(docs));
}

void BM_Pipeline_Generated(benchmark::State& state) {
  uint64_t bytes = 0;
  std::unique_ptr<Corpus> corpus = GeneratedCorpus(state.range(0), &bytes);
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
  const std::string path = std::string(NEARDUP_SOURCE_DIR) +
                           "/../shared/data/saudinewsnet-dev.jsonl.zst";
  if (!std::filesystem::exists(path)) {
    state.SkipWithError("../shared/data absent");
    return;
  }
  auto corpus = LoadCorpus({path}, {});
  if (!corpus.ok()) {
    state.SkipWithError(std::string(corpus.status().message()).c_str());
    return;
  }
  PipelineOptions options;
  options.normalize = static_cast<NormalizeMode>(state.range(0));
  options.threads = static_cast<int>(state.range(1));
  for (auto _ : state) {
    auto result = RunPipeline(**corpus, options);
    benchmark::DoNotOptimize(result->pairs.data());
  }
  state.SetItemsProcessed(state.iterations() * (*corpus)->size());
  state.SetBytesProcessed(state.iterations() * (*corpus)->stats().input_bytes);
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
