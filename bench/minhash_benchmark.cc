// Sketch throughput (one-permutation vs classic MinHash) in bytes of UTF-8
// text per second, from precomputed shingle hashes.
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "neardup/minhash.h"
#include "neardup/normalize.h"
#include "neardup/shingle.h"
#include "tests/support/generator.h"

namespace neardup {
namespace {

void RunSketch(benchmark::State& state, SketchAlgorithm algorithm) {
  testing::Rng rng(7);
  std::string text;
  while (text.size() < static_cast<size_t>(state.range(0))) {
    text += testing::GenerateArticle(rng, testing::Language::kArabic, 6);
  }
  auto normalizer = Normalizer::Create({.record_offsets = false});
  NormalizedText normalized;
  normalizer->Normalize(text, &normalized);
  std::vector<uint64_t> hashes;
  HashShingles(normalized.code_points, {}, &hashes);
  const int k = static_cast<int>(state.range(1));
  auto hasher = MinHasher::Create({.num_perm = k, .algorithm = algorithm});
  std::vector<uint32_t> signature(k);
  for (auto _ : state) {
    hasher->Sketch(hashes, absl::MakeSpan(signature));
    benchmark::DoNotOptimize(signature.data());
  }
  state.SetBytesProcessed(state.iterations() * text.size());
}

void BM_Sketch_Oph(benchmark::State& state) {
  RunSketch(state, SketchAlgorithm::kOnePermutation);
}
void BM_Sketch_Classic(benchmark::State& state) {
  RunSketch(state, SketchAlgorithm::kClassic);
}
BENCHMARK(BM_Sketch_Oph)->ArgsProduct({{4 << 10, 64 << 10}, {64, 128, 256}});
BENCHMARK(BM_Sketch_Classic)
    ->ArgsProduct({{4 << 10, 64 << 10}, {64, 128, 256}});

}  // namespace
}  // namespace neardup
