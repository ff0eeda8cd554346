// neardup_generate_news: writes N news-size articles (Arabic and English) with
// planted copies as JSON lines, and the planted pairs with their exact
// similarity, for the scale benchmark (bench/scale.sh, docs/benchmarks.md).
//
//   neardup_generate_news --docs 1000000 --out news-1m.jsonl
//
// writes news-1m.jsonl ({"id", "source", "date", "title", "text"} a line) and
// news-1m.jsonl.truth.tsv: every pair of documents of one story (an original
// and its copies, and copies among themselves) as
//   idA <TAB> idB <TAB> jaccard <TAB> containment <TAB> kind-of-B
// with exact Jaccard and containment over the shingle sets neardup itself
// uses (full normalisation, 5-grams, the default seed, unless told
// otherwise). Same arguments, same bytes, for any --threads.
#include <cstdio>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_format.h"
#include "neardup/normalize.h"
#include "neardup/shingle.h"
#include "neardup/verify.h"
#include "src/internal/json_writer.h"
#include "src/internal/parallel.h"
#include "tests/support/generator.h"
#include "tests/support/news_corpus.h"

namespace {

using neardup::testing::NewsDoc;
using neardup::testing::NewsSpec;
using neardup::testing::NewsStory;

struct Block {
  std::string jsonl;
  std::string truth;
  size_t docs = 0;
};

int Run(int argc, char** argv) {
  CLI::App app{
      "Writes N generated news articles with planted copies as JSON lines, "
      "and the planted pairs with exact Jaccard and containment."};
  size_t docs = 10000;
  std::string out;
  NewsSpec spec;
  std::string normalize = "full";
  int ngram = 5;
  int threads = 0;
  app.add_option("--docs", docs, "Documents to write")->capture_default_str();
  app.add_option("--out", out, "Output JSONL path (truth: OUT.truth.tsv)")
      ->required();
  app.add_option("--seed", spec.seed, "Corpus seed")->capture_default_str();
  app.add_option("--arabic-fraction", spec.arabic_fraction,
                 "Share of stories in Arabic")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--copied-fraction", spec.copied_fraction,
                 "Share of stories that get 1-4 copies")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--normalize", normalize,
                 "Normalisation for the truth file's scores: none, ws, full")
      ->capture_default_str();
  app.add_option("--ngram", ngram, "Shingle size for the truth file's scores")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--threads", threads, "Threads (0: all)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  absl::StatusOr<neardup::NormalizeMode> mode =
      neardup::ParseNormalizeMode(normalize);
  if (!mode.ok()) {
    std::fprintf(stderr, "neardup_generate_news: %s\n",
                 std::string(mode.status().message()).c_str());
    return 2;
  }
  absl::StatusOr<neardup::Normalizer> normalizer =
      neardup::Normalizer::Create({.mode = *mode, .record_offsets = false});
  if (!normalizer.ok()) {
    std::fprintf(stderr, "neardup_generate_news: %s\n",
                 std::string(normalizer.status().message()).c_str());
    return 1;
  }
  const std::string truth_path = out + ".truth.tsv";
  std::FILE* jsonl = std::fopen(out.c_str(), "wb");
  std::FILE* truth = std::fopen(truth_path.c_str(), "wb");
  if (jsonl == nullptr || truth == nullptr) {
    std::fprintf(stderr, "neardup_generate_news: cannot write %s\n",
                 jsonl == nullptr ? out.c_str() : truth_path.c_str());
    return 1;
  }
  threads = neardup::internal::ResolveThreads(threads);
  const neardup::ShingleOptions shingle_options{.ngram = ngram};

  // Stories are made in parallel a block at a time and written in story
  // order; ids are output positions, so they do not depend on the threads.
  constexpr size_t kBlockStories = 4096;
  size_t written = 0;
  size_t planted = 0;
  for (uint64_t first = 0; written < docs; first += kBlockStories) {
    std::vector<NewsStory> stories(kBlockStories);
    neardup::internal::ParallelFor(
        kBlockStories, threads, 64, [&](size_t begin, size_t end, int) {
          for (size_t i = begin; i < end; ++i) {
            stories[i] = neardup::testing::GenerateStory(spec, first + i);
          }
        });
    // Ids and the cut at exactly `docs` documents.
    std::vector<size_t> first_id(kBlockStories);
    size_t next = written;
    size_t used = 0;
    for (; used < kBlockStories && next < docs; ++used) {
      first_id[used] = next;
      if (stories[used].docs.size() > docs - next) {
        stories[used].docs.resize(docs - next);
      }
      next += stories[used].docs.size();
    }
    std::vector<Block> blocks(used);
    neardup::internal::ParallelFor(
        used, threads, 64, [&](size_t begin, size_t end, int) {
          neardup::NormalizedText normalized;
          std::vector<uint64_t> hashes;
          for (size_t i = begin; i < end; ++i) {
            const NewsStory& story = stories[i];
            Block& block = blocks[i];
            std::vector<std::vector<uint64_t>> sets;
            for (size_t d = 0; d < story.docs.size(); ++d) {
              const NewsDoc& doc = story.docs[d];
              block.jsonl += absl::StrFormat("{\"id\":\"n%08d\",\"source\":",
                                             first_id[i] + d);
              neardup::internal::AppendJsonString(doc.source, &block.jsonl);
              block.jsonl += ",\"date\":";
              neardup::internal::AppendJsonString(doc.date, &block.jsonl);
              block.jsonl += ",\"title\":";
              neardup::internal::AppendJsonString(doc.title, &block.jsonl);
              block.jsonl += ",\"text\":";
              neardup::internal::AppendJsonString(doc.text, &block.jsonl);
              block.jsonl += "}\n";
              if (story.docs.size() > 1) {
                normalizer->Normalize(doc.text, &normalized);
                hashes.clear();
                neardup::HashShingles(normalized.code_points, shingle_options,
                                      &hashes);
                neardup::SortUnique(&hashes);
                sets.push_back(hashes);
              }
            }
            for (size_t a = 0; a < sets.size(); ++a) {
              for (size_t b = a + 1; b < sets.size(); ++b) {
                neardup::SetSimilarity sim =
                    neardup::CompareSortedSets(sets[a], sets[b]);
                block.truth += absl::StrFormat(
                    "n%08d\tn%08d\t%.4f\t%.4f\t%s\n", first_id[i] + a,
                    first_id[i] + b, sim.jaccard, sim.containment,
                    neardup::testing::CopyKindName(story.docs[b].kind));
                ++block.docs;
              }
            }
          }
        });
    for (const Block& block : blocks) {
      std::fwrite(block.jsonl.data(), 1, block.jsonl.size(), jsonl);
      std::fwrite(block.truth.data(), 1, block.truth.size(), truth);
      planted += block.docs;
    }
    written = next;
    std::fprintf(stderr, "\rneardup_generate_news: %zu / %zu documents",
                 written, docs);
  }
  const bool failed = std::ferror(jsonl) || std::ferror(truth);
  if (std::fclose(jsonl) != 0 || std::fclose(truth) != 0 || failed) {
    std::fprintf(stderr, "\nneardup_generate_news: write failed\n");
    return 1;
  }
  std::fprintf(stderr,
               "\nneardup_generate_news: %zu documents in %s, %zu "
               "planted pairs in %s\n",
               written, out.c_str(), planted, truth_path.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
