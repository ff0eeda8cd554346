// Persistent index: reopen time and memory, and streaming throughput,
// against index size (10 k, 100 k and 1 M generated news-size articles),
// with bytes per document on disk and in the fingerprint arena.
//
// Each size is built once per process in a temporary directory: articles
// (English and Arabic, 3-8 paragraphs, about 4 KB; article i is the same at
// every size) are prepared on two threads and added in order with
// AddPrepared, which gives the same index as adding them one by one, then
// the index is compacted, as a long-running index would be. The 1 M index
// takes a few minutes to build and about 4.5 GB of disk; filter it out with
// --benchmark_filter=-1000000. NEARDUP_BENCH_KEEP=1 keeps the
// directories (their paths go to stderr).
//
// BM_Index_Reopen: Index::Open (read-only), warm page cache, wall time, of
// the compacted index (compacted:1), and for comparison of an index never
// compacted (compacted:0: log replay); peak_RSS_MB is the peak resident set
// of a separate process that does nothing but open the index.
// BM_Index_Stream: adds 1,000 new documents per iteration (a quarter of them
// exact copies of the one before), with a Sync() every 100, as `neardup
// stream` does under load; items_per_second is per CPU second, the time
// column gives the wall time. It runs after the reopen benchmarks, because
// it grows the indexes.
//
//   ./bench/index_benchmark --benchmark_filter=Reopen/docs:1000000
//   --benchmark_repetitions=5
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
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

constexpr char kReopenEnv[] = "NEARDUP_BENCH_REOPEN_DIR";

std::string Article(Rng& rng) {
  const Language language =
      rng.Bernoulli(0.5) ? Language::kArabic : Language::kEnglish;
  return GenerateArticle(rng, language, static_cast<int>(rng.UniformInt(3, 8)));
}

// "VmHWM" or "VmRSS" of this process, in kB.
uint64_t ProcStatusKb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::strtoull(line.c_str() + field.size() + 1, nullptr, 10);
    }
  }
  return 0;
}

// In the child process started by PeakRssOfReopen: open, report, exit.
const bool kIsReopenChild = [] {
  const char* dir = std::getenv(kReopenEnv);
  if (dir == nullptr) return false;
  auto index = Index::Open(dir, {.read_only = true});
  std::printf("%d %llu\n", index.ok() ? 1 : 0,
              static_cast<unsigned long long>(ProcStatusKb("VmHWM")));
  std::fflush(stdout);
  std::_Exit(index.ok() ? 0 : 1);
  return true;
}();

// Peak RSS, in kB, of a fresh process that only opens `dir`; 0 on failure.
uint64_t PeakRssOfReopen(const fs::path& dir) {
  const fs::path self = fs::read_symlink("/proc/self/exe");
  const std::string command =
      absl::StrCat(kReopenEnv, "='", dir.string(), "' '", self.string(), "'");
  FILE* child = ::popen(command.c_str(), "r");
  if (child == nullptr) return 0;
  int ok = 0;
  unsigned long long kb = 0;
  if (std::fscanf(child, "%d %llu", &ok, &kb) != 2) ok = 0;
  ::pclose(child);
  return ok == 1 ? kb : 0;
}

void BuildIndex(const fs::path& dir, int64_t n, bool compact) {
  fs::remove_all(dir);
  (void)Index::Create(dir.string(), {});
  auto index = Index::Open(dir.string(), {});
  if (!index.ok()) return;
  constexpr int64_t kChunk = 4096;
  constexpr int kThreads = 2;
  std::vector<PreparedText> prepared(kChunk);
  for (int64_t start = 0; start < n; start += kChunk) {
    const int64_t m = std::min(kChunk, n - start);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int64_t j = t; j < m; j += kThreads) {
          Rng rng(testing::Mix64(static_cast<uint64_t>(start + j) + 1));
          (*index)->Prepare(Article(rng), &prepared[j]);
        }
      });
    }
    for (auto& th : threads) th.join();
    for (int64_t j = 0; j < m; ++j) {
      (void)(*index)->AddPrepared(absl::StrCat("doc", start + j), prepared[j],
                                  {.sync = false});
    }
  }
  (void)(*index)->Sync();
  if (compact) (void)(*index)->Compact();
}

// An index of `n` documents, compacted or all in the log, built once and
// kept for the process.
const fs::path& BuiltIndex(int64_t n, bool compact = true) {
  // Removes the (large) directories when the process exits.
  struct Built : std::map<std::pair<int64_t, bool>, fs::path> {
    ~Built() {
      for (const auto& [key, path] : *this) {
        if (std::getenv("NEARDUP_BENCH_KEEP") != nullptr) {
          std::fprintf(stderr, "kept %s\n", path.c_str());
        } else {
          fs::remove_all(path);
        }
      }
    }
  };
  static Built* built = new Built();
  static std::unique_ptr<Built> owner(built);
  auto it = built->find({n, compact});
  if (it != built->end()) return it->second;
  fs::path dir = fs::temp_directory_path() /
                 absl::StrCat("neardup_index_bench_", n, compact ? "" : "_log",
                              "_", getpid());
  BuildIndex(dir, n, compact);
  return built->emplace(std::make_pair(n, compact), dir).first->second;
}

uint64_t DirectoryBytes(const fs::path& dir) {
  uint64_t total = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

// state.range(1): 1 for a compacted index, 0 for one never compacted
// (log replay).
void BM_Index_Reopen(benchmark::State& state) {
  const int64_t n = state.range(0);
  const fs::path& dir = BuiltIndex(n, state.range(1) == 1);
  uint64_t documents = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto index = Index::Open(dir.string(), {.read_only = true});
    const auto end = std::chrono::steady_clock::now();
    if (!index.ok()) {
      state.SkipWithError(std::string(index.status().message()).c_str());
      return;
    }
    documents = (*index)->stats().documents;
    state.SetIterationTime(std::chrono::duration<double>(end - start).count());
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["docs"] = static_cast<double>(documents);
  const uint64_t peak_kb = PeakRssOfReopen(dir);
  state.counters["peak_RSS_MB"] = static_cast<double>(peak_kb) / 1024;
  state.counters["RSS_B/doc"] = static_cast<double>(peak_kb) * 1024 / n;
  state.counters["disk_B/doc"] =
      static_cast<double>(DirectoryBytes(dir)) / static_cast<double>(n);
}
BENCHMARK(BM_Index_Reopen)
    ->ArgNames({"docs", "compacted"})
    ->Args({10000, 1})
    ->Args({100000, 1})
    ->Args({1000000, 1})
    ->Args({10000, 0})
    ->Args({100000, 0})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

void BM_Index_Stream(benchmark::State& state) {
  const int64_t n = state.range(0);
  const fs::path& dir = BuiltIndex(n);
  auto index = Index::Open(dir.string(), {});
  if (!index.ok()) {
    state.SkipWithError(std::string(index.status().message()).c_str());
    return;
  }
  // New texts for every add across all runs of this function, a quarter of
  // them exact copies of the one before (a duplicate to verify); generated
  // once, outside the timing. Ids are fresh as well: a repeated id with the
  // same text would be a cheap "exists".
  constexpr int kBatch = 1000;
  constexpr size_t kPool = 24000;
  static const std::vector<std::string>* const pool = [] {
    auto* texts = new std::vector<std::string>();
    Rng rng(12345);
    for (size_t i = 0; i < kPool; ++i) {
      texts->push_back(i % 4 == 3 ? texts->back() : Article(rng));
    }
    return texts;
  }();
  static std::map<int64_t, int64_t>* const added =
      new std::map<int64_t, int64_t>();
  int64_t& next = (*added)[n];
  const uint64_t candidates_before = (*index)->stats().candidates_checked;
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i, ++next) {
      auto d = (*index)->Add(absl::StrCat("new", next),
                             (*pool)[static_cast<size_t>(next) % kPool],
                             {.sync = (i % 100) == 99});
      benchmark::DoNotOptimize(d);
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  const IndexStats s = (*index)->stats();
  state.counters["docs"] = static_cast<double>(s.documents);
  state.counters["disk_B/doc"] =
      static_cast<double>(DirectoryBytes(dir)) / s.documents;
  state.counters["fp_B/doc"] =
      static_cast<double>(s.fingerprint_bytes) / s.documents;
  // Documents sharing a band bucket with an added one, verified exactly.
  state.counters["candidates/add"] =
      static_cast<double>(s.candidates_checked - candidates_before) /
      static_cast<double>(state.iterations() * kBatch);
}
BENCHMARK(BM_Index_Stream)
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace neardup
