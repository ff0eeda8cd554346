// Loading JSON lines: reading, parsing and validating every record (ids
// unique, fields present, UTF-8 checked) of generated news-size articles, in
// bytes per second, for plain (mapped), gzip and zstd files, on 1 and 2
// threads. The scale target is 1 GB/s of plain JSONL on 2 cores.
//
//   bench/corpus_benchmark --benchmark_filter=Plain
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "neardup/corpus.h"
#include "src/internal/json_writer.h"
#include "tests/support/news_corpus.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;

// 20,000 articles (about 67 MB): large enough that per-file costs vanish.
constexpr int kDocuments = 20000;

std::string GeneratedJsonl() {
  static const std::string* const jsonl = [] {
    auto* out = new std::string;
    testing::NewsSpec spec;
    spec.seed = 11;
    int written = 0;
    for (uint64_t s = 0; written < kDocuments; ++s) {
      for (const testing::NewsDoc& doc : testing::GenerateStory(spec, s).docs) {
        if (written == kDocuments) break;
        absl::StrAppendFormat(out, "{\"id\":\"n%08d\",\"source\":", written++);
        internal::AppendJsonString(doc.source, out);
        out->append(",\"title\":");
        internal::AppendJsonString(doc.title, out);
        out->append(",\"text\":");
        internal::AppendJsonString(doc.text, out);
        out->append("}\n");
      }
    }
    return out;
  }();
  return *jsonl;
}

// The corpus written once per process in the given form; its path.
std::string CorpusFile(const std::string& kind) {
  const fs::path path =
      fs::temp_directory_path() /
      absl::StrCat("neardup_corpus_benchmark_", ::getpid(), ".", kind);
  if (fs::exists(path)) return path.string();
  const std::string& plain = GeneratedJsonl();
  std::string bytes = plain;
  if (kind == "zst") {
    bytes.resize(ZSTD_compressBound(plain.size()));
    bytes.resize(ZSTD_compress(bytes.data(), bytes.size(), plain.data(),
                               plain.size(), 3));
  } else if (kind == "gz") {
    gzFile file = gzopen(path.c_str(), "wb6");
    gzwrite(file, plain.data(), static_cast<unsigned>(plain.size()));
    gzclose(file);
    return path.string();
  }
  std::ofstream(path, std::ios::binary) << bytes;
  return path.string();
}

void BM_LoadCorpus(benchmark::State& state, const std::string& kind) {
  const std::string path = CorpusFile(kind);
  InputOptions options;
  options.threads = static_cast<int>(state.range(0));
  uint64_t bytes = 0;
  for (auto _ : state) {
    auto corpus = LoadCorpus({path}, options);
    if (!corpus.ok()) {
      state.SkipWithError(std::string(corpus.status().message()).c_str());
      return;
    }
    bytes = (*corpus)->stats().input_bytes;
    benchmark::DoNotOptimize((*corpus)->size());
  }
  state.SetBytesProcessed(state.iterations() * bytes);
  state.SetItemsProcessed(state.iterations() * kDocuments);
}

void BM_LoadCorpus_Plain(benchmark::State& state) {
  BM_LoadCorpus(state, "jsonl");
}
void BM_LoadCorpus_Gzip(benchmark::State& state) { BM_LoadCorpus(state, "gz"); }
void BM_LoadCorpus_Zstd(benchmark::State& state) {
  BM_LoadCorpus(state, "zst");
}
BENCHMARK(BM_LoadCorpus_Plain)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_LoadCorpus_Gzip)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_LoadCorpus_Zstd)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Removes the files written above when the process ends.
struct Cleanup {
  ~Cleanup() {
    for (const char* kind : {"jsonl", "gz", "zst"}) {
      std::error_code ignored;
      fs::remove(
          fs::temp_directory_path() /
              absl::StrCat("neardup_corpus_benchmark_", ::getpid(), ".", kind),
          ignored);
    }
  }
} cleanup;

}  // namespace
}  // namespace neardup
