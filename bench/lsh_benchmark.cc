// Candidate generation (band keys, bucket sort, pair merge) in documents per
// second, on random signatures with planted near-duplicate groups.
#include <vector>

#include "benchmark/benchmark.h"
#include "neardup/lsh.h"
#include "tests/support/generator.h"

namespace neardup {
namespace {

void BM_Lsh_Candidates(benchmark::State& state) {
  const size_t docs = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  constexpr int kPerm = 128;
  SignatureMatrix m;
  m.Resize(docs, kPerm);
  testing::Rng rng(3);
  for (size_t d = 0; d < docs; ++d) {
    auto row = m.MutableRow(d);
    // One document in ten copies most slots of an earlier one.
    if (d > 0 && rng.Uniform(10) == 0) {
      auto source = m.Row(rng.Uniform(d));
      for (int i = 0; i < kPerm; ++i) {
        row[i] = rng.Uniform(10) == 0 ? static_cast<uint32_t>(rng.Next())
                                      : source[i];
      }
    } else {
      for (auto& v : row) v = static_cast<uint32_t>(rng.Next());
    }
    m.present[d] = 1;
  }
  BandParams bands = *ChooseBands(0.8, kPerm);
  CandidateStats stats;
  for (auto _ : state) {
    auto pairs =
        FindCandidatePairs(m, {.bands = bands, .threads = threads}, &stats);
    benchmark::DoNotOptimize(pairs.data());
  }
  state.SetItemsProcessed(state.iterations() * docs);
  state.counters["candidates"] = static_cast<double>(stats.candidate_pairs);
}
BENCHMARK(BM_Lsh_Candidates)
    ->ArgsProduct({{10000, 100000, 1000000}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace neardup
