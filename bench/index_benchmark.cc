// Persistent index: streaming throughput against index size, reopen time,
// and bytes per document on disk and in the fingerprint arena.
//
// Each size builds an index of N generated news-size articles (English and
// Arabic, 3-8 paragraphs) in a temporary directory once, then measures adding
// more documents (a quarter of them copies of indexed ones) with a Sync()
// every 100 documents, as `neardup stream` does under load.
//
//   ./bench/index_benchmark --benchmark_filter=Stream
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "neardup/index.h"
#include "tests/support/generator.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;
using testing::GenerateArticle;
using testing::Language;
using testing::Rng;

std::string Article(Rng& rng) {
  const Language language =
      rng.Bernoulli(0.5) ? Language::kArabic : Language::kEnglish;
  return GenerateArticle(rng, language, static_cast<int>(rng.UniformInt(3, 8)));
}

// An index of `n` documents, built once per size and kept for the process.
const fs::path& BuiltIndex(int64_t n) {
  // Removes the (large) directories when the process exits.
  struct Built : std::map<int64_t, fs::path> {
    ~Built() {
      for (const auto& [size, path] : *this) fs::remove_all(path);
    }
  };
  static Built* built = new Built();
  static std::unique_ptr<Built> owner(built);
  auto it = built->find(n);
  if (it != built->end()) return it->second;
  fs::path dir = fs::temp_directory_path() /
                 absl::StrCat("neardup_index_bench_", n, "_", getpid());
  fs::remove_all(dir);
  (void)Index::Create(dir.string(), {});
  auto index = Index::Open(dir.string(), {});
  Rng rng(static_cast<uint64_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    (void)(*index)->Add(absl::StrCat("doc", i), Article(rng), {.sync = false});
  }
  (void)(*index)->Sync();
  return built->emplace(n, dir).first->second;
}

uint64_t DirectoryBytes(const fs::path& dir) {
  uint64_t total = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

void BM_Index_Stream(benchmark::State& state) {
  const int64_t n = state.range(0);
  const fs::path& dir = BuiltIndex(n);
  auto index = Index::Open(dir.string(), {});
  if (!index.ok()) {
    state.SkipWithError(std::string(index.status().message()).c_str());
    return;
  }
  Rng rng(12345);
  constexpr int kBatch = 1000;
  std::vector<std::string> texts;
  for (int i = 0; i < kBatch; ++i) {
    texts.push_back(Article(rng));
    if (i % 4 == 3) texts.back() = texts[i - 1];  // An exact copy.
  }
  int64_t next = 0;
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) {
      auto d = (*index)->Add(absl::StrCat("new", next++), texts[i],
                             {.sync = (i % 100) == 99});
      benchmark::DoNotOptimize(d);
    }
    // Later iterations add the same texts under new ids: all duplicates,
    // which costs a little more verification, like a feed full of copies.
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  const IndexStats s = (*index)->stats();
  state.counters["docs"] = static_cast<double>(s.documents);
  state.counters["disk_B/doc"] =
      static_cast<double>(DirectoryBytes(dir)) / s.documents;
  state.counters["fp_B/doc"] =
      static_cast<double>(s.fingerprint_bytes) / s.documents;
}
BENCHMARK(BM_Index_Stream)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);

void BM_Index_Reopen(benchmark::State& state) {
  const fs::path& dir = BuiltIndex(state.range(0));
  for (auto _ : state) {
    auto index = Index::Open(dir.string(), {.read_only = true});
    benchmark::DoNotOptimize(index);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Index_Reopen)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace neardup
