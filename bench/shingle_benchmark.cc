// Shingle hashing throughput, in bytes of UTF-8 text per second.
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "neardup/normalize.h"
#include "neardup/shingle.h"
#include "tests/support/generator.h"

namespace neardup {
namespace {

// Normalised code points of generated articles totalling about `bytes`.
struct Input {
  std::string text;
  NormalizedText normalized;
};

Input MakeInput(testing::Language language, size_t bytes) {
  Input in;
  testing::Rng rng(42);
  while (in.text.size() < bytes) {
    in.text += testing::GenerateArticle(rng, language, 6);
  }
  auto normalizer = Normalizer::Create({.record_offsets = false});
  normalizer->Normalize(in.text, &in.normalized);
  return in;
}

void BM_Shingle_Hash(benchmark::State& state) {
  auto language = static_cast<testing::Language>(state.range(1));
  Input in = MakeInput(language, state.range(0));
  std::vector<uint64_t> out;
  for (auto _ : state) {
    out.clear();
    HashShingles(in.normalized.code_points, {.ngram = 5}, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * in.text.size());
  state.SetLabel(language == testing::Language::kArabic ? "arabic" : "english");
}
BENCHMARK(BM_Shingle_Hash)->ArgsProduct({{4 << 10, 64 << 10, 1 << 20}, {0, 1}});

void BM_Shingle_SortUnique(benchmark::State& state) {
  Input in = MakeInput(testing::Language::kArabic, state.range(0));
  std::vector<uint64_t> hashes, work;
  HashShingles(in.normalized.code_points, {.ngram = 5}, &hashes);
  for (auto _ : state) {
    work = hashes;
    SortUnique(&work);
    benchmark::DoNotOptimize(work.data());
  }
  state.SetBytesProcessed(state.iterations() * in.text.size());
}
BENCHMARK(BM_Shingle_SortUnique)->Arg(4 << 10)->Arg(64 << 10);

}  // namespace
}  // namespace neardup
