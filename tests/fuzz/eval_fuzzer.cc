// libFuzzer target: the files `neardup eval` and `neardup report` read, on
// arbitrary bytes, plain, gzip or zstd, against a small corpus: eval's
// --truth pairs, --labels and --truth-clusters, and report's --clusters and
// --pairs (a `neardup cluster` output).
//
// An input is:
//   byte 0   framing: 0 the bytes as the file, 1 gzip, 2 zstd (modulo 3);
//   the rest the file, read by all five readers.
// Promises checked:
//   - no reader crashes; each error is InvalidArgument (or what reading the
//     file gives), names the file first, and is one line (no line break, so
//     a user's bytes cannot forge further lines of output);
//   - ReadTruthPairs: pairs of corpus documents with a < b, sorted, no
//     duplicates, Jaccard in [0, 1]; the floor, if any, in [0, 1];
//   - ReadLabels: pairs of corpus documents with a < b, none twice;
//   - ReadTruthClusters: one label per document, each below the corpus
//     size;
//   - ReadClustersFile, ReadPairsFile: clusters of two or more corpus
//     documents, none in two clusters, and BuildReport takes them.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "neardup/corpus.h"
#include "neardup/eval.h"
#include "neardup/report.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

const neardup::Corpus& GetCorpus() {
  static const neardup::Corpus* corpus = [] {
    std::vector<std::pair<std::string, std::string>> documents = {
        {"a", "first"},           {"b", "second"},
        {"c", "third"},           {"17", "fourth"},
        {"sample-001", "fifth"},  {"\xD8\xA3", "sixth"},
        {"with space", "seventh"}};
    absl::StatusOr<std::unique_ptr<neardup::Corpus>> made =
        neardup::Corpus::FromDocuments(std::move(documents));
    NEARDUP_FUZZ_CHECK(made.ok(), made.status().message());
    return made->release();
  }();
  return *corpus;
}

void CheckError(const absl::Status& status, const std::string& path,
                absl::string_view reader) {
  if (status.ok()) return;
  NEARDUP_FUZZ_CHECK(absl::StartsWith(status.message(), path), reader, ": ",
                     status.message());
  NEARDUP_FUZZ_CHECK(
      status.message().find_first_of("\n\r") == absl::string_view::npos, reader,
      ": a message of several lines: ", status.message());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const neardup::Corpus& corpus = GetCorpus();
  const std::string payload(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string path =
      (neardup::fuzz::ScratchDir("eval_fuzzer") / "truth").string();
  neardup::fuzz::WriteFile(path, neardup::fuzz::Frame(payload, data[0] % 3));
  const uint32_t n = static_cast<uint32_t>(corpus.size());

  absl::StatusOr<neardup::TruthPairs> truth =
      neardup::ReadTruthPairs(path, corpus);
  CheckError(truth.status(), path, "ReadTruthPairs");
  if (truth.ok()) {
    if (truth->floor) {
      NEARDUP_FUZZ_CHECK(*truth->floor >= 0 && *truth->floor <= 1);
    }
    for (size_t i = 0; i < truth->pairs.size(); ++i) {
      const neardup::ScoredPair& p = truth->pairs[i];
      NEARDUP_FUZZ_CHECK(p.a < p.b && p.b < n);
      NEARDUP_FUZZ_CHECK(p.jaccard >= 0 && p.jaccard <= 1);
      if (i > 0) {
        const neardup::ScoredPair& q = truth->pairs[i - 1];
        NEARDUP_FUZZ_CHECK(q.a < p.a || (q.a == p.a && q.b < p.b));
      }
    }
  }

  absl::StatusOr<std::vector<neardup::LabeledPair>> labels =
      neardup::ReadLabels(path, corpus);
  CheckError(labels.status(), path, "ReadLabels");
  if (labels.ok()) {
    absl::flat_hash_set<std::pair<uint32_t, uint32_t>> seen;
    for (const neardup::LabeledPair& l : *labels) {
      NEARDUP_FUZZ_CHECK(l.a < l.b && l.b < n);
      NEARDUP_FUZZ_CHECK(seen.insert({l.a, l.b}).second);
    }
  }

  absl::StatusOr<std::vector<uint32_t>> clusters =
      neardup::ReadTruthClusters(path, corpus);
  CheckError(clusters.status(), path, "ReadTruthClusters");
  if (clusters.ok()) {
    NEARDUP_FUZZ_CHECK(clusters->size() == n);
    for (uint32_t label : *clusters) NEARDUP_FUZZ_CHECK(label < n);
  }
  for (const bool pairs : {false, true}) {
    absl::StatusOr<std::vector<neardup::ClusterResult>> read =
        pairs ? neardup::ReadPairsFile(corpus, path)
              : neardup::ReadClustersFile(corpus, path);
    const absl::string_view reader =
        pairs ? "ReadPairsFile" : "ReadClustersFile";
    CheckError(read.status(), path, reader);
    if (!read.ok()) continue;
    // A member may repeat within its cluster (BuildReport counts it once),
    // but no document is in two clusters.
    std::vector<size_t> owner(n, SIZE_MAX);
    for (size_t c = 0; c < read->size(); ++c) {
      const neardup::ClusterResult& cluster = (*read)[c];
      NEARDUP_FUZZ_CHECK(cluster.members.size() >= 2, reader);
      for (const neardup::ClusterMember& member : cluster.members) {
        NEARDUP_FUZZ_CHECK(member.document < n, reader);
        NEARDUP_FUZZ_CHECK(
            owner[member.document] == SIZE_MAX || owner[member.document] == c,
            reader, ": document ", member.document, " in two clusters");
        owner[member.document] = c;
      }
    }
    absl::StatusOr<neardup::Report> report =
        neardup::BuildReport(corpus, *read, {.threads = 1});
    NEARDUP_FUZZ_CHECK(report.ok(), report.status().message());
  }
  return 0;
}
