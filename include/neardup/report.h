// Syndication reports: who ran which story, when, and what they changed.
//
// BuildReport() takes a corpus and its clusters of copies (from
// RunPipeline(), or read back from an earlier run's files with
// ReadClustersFile() / ReadPairsFile()) and the records' outlet, date and
// title fields, and works out:
//   - for each cluster its original: the earliest-dated member, ties and
//     undated members broken by input order (a member without a usable date
//     comes after every dated one);
//   - for each copy its delay after the original, its exact Jaccard and
//     containment with the original, and what changed: the original's
//     passages it shares, the original's passages it dropped and its own
//     passages the original does not have, as byte spans of the two texts
//     (passages as Segment() cuts them);
//   - per outlet: articles, stories originated, stories reprinted, median
//     delay and median similarity; and an outlet x outlet matrix of copies.
// AppendReportHtml() renders it as one self-contained HTML page (no
// network, no external scripts or fonts) and AppendReportJson() as JSON for
// machines; `neardup report` is a thin front end over these three.
//
// A passage counts as shared when at least `passage_shared` (0.8) of its
// shingles are in the other text: an edited, re-flowed or re-punctuated
// paragraph is still the same paragraph, and a paragraph cut in two is
// still there.
//
// Example:
//
//   absl::StatusOr<neardup::PipelineResult> result =
//       neardup::RunPipeline(*corpus, {});
//   absl::StatusOr<neardup::Report> report =
//       neardup::BuildReport(*corpus, result->clusters, {});
//   std::string html;
//   absl::Status s = neardup::AppendReportHtml(*corpus, *report, {}, &html);
#ifndef NEARDUP_INCLUDE_NEARDUP_REPORT_H_
#define NEARDUP_INCLUDE_NEARDUP_REPORT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "neardup/corpus.h"
#include "neardup/normalize.h"
#include "neardup/passage.h"
#include "neardup/pipeline.h"
#include "neardup/shingle.h"

namespace neardup {

struct ReportOptions {
  // Record fields (JSON lines): the outlet, the publication date (ISO 8601
  // date or date-time; see src/internal/iso_date.h for the forms accepted)
  // and the headline. Missing fields are gaps the report marks, not errors.
  std::string source_field = "source";
  std::string date_field = "date";
  std::string title_field = "title";
  // Shingling for similarities and passages: the engine's, so the figures
  // match what `neardup cluster` reports for the same pair.
  NormalizeMode normalize = NormalizeMode::kFull;
  int ngram = 5;
  uint64_t seed = kDefaultSeed;
  // Passages as Segment() cuts them.
  int passage_max_chars = kDefaultPassageMaxChars;
  // A passage is shared when at least this share of its shingles is in the
  // other text. In (0, 1].
  double passage_shared = 0.8;
  // 0 means every hardware thread. Does not change any result.
  int threads = 0;
};

// InvalidArgument naming the first bad field and its range.
absl::Status ValidateReportOptions(const ReportOptions& options);

enum class DateState : uint8_t {
  kOk,
  kMissing,     // No such field, or null or "".
  kUnparsable,  // Present but not an ISO 8601 date (or not a string).
};

// What the report knows of one record.
struct ReportRecord {
  uint32_t outlet = 0;  // Index into Report::outlets.
  std::string title;    // "" when missing.
  std::string date;     // As written ("" when missing).
  DateState date_state = DateState::kMissing;
  int64_t time = 0;        // Unix seconds, UTC, when kOk.
  bool date_only = false;  // kOk and no time of day was given.
};

struct ReportOutlet {
  std::string name;  // The source field's value; "" for records without one.
  size_t documents = 0;
  size_t originated = 0;  // Clusters whose original is this outlet's.
  size_t reprinted = 0;   // Copies (non-original members) from this outlet.
  // Over this outlet's copies whose date and original's date are known.
  std::optional<double> median_delay_seconds;
  // Exact Jaccard with the original, over this outlet's copies.
  std::optional<double> median_jaccard;
};

struct ReportCopy {
  uint32_t document = 0;
  double jaccard = 0;      // Exact, with the original.
  double containment = 0;  // |A ∩ B| / min(|A|, |B|), with the original.
  // Seconds after the original; absent when either date is not known.
  std::optional<int64_t> delay_seconds;
  // Indices into ReportCluster::original_passages: the passages this copy
  // shares, and those it dropped (together: every passage, each once).
  std::vector<uint32_t> shared;
  std::vector<uint32_t> dropped;
  // Passages of the copy's own text (byte spans of it) that the original
  // does not have.
  std::vector<PassageSpan> added;
};

struct ReportCluster {
  uint32_t original = 0;
  // The original's passages (byte spans of its text), in text order.
  std::vector<PassageSpan> original_passages;
  // For each original passage, how many copies share it.
  std::vector<uint32_t> shared_by;
  // In publication order: dated copies by date, then undated; ties in input
  // order.
  std::vector<ReportCopy> copies;
  size_t size() const { return copies.size() + 1; }
};

struct ReportDateStats {
  size_t ok = 0;
  size_t date_only = 0;  // Of the ok ones.
  size_t missing = 0;
  size_t unparsable = 0;
  // Up to 5 unparsable values with their record's location, as
  // "feed.jsonl:12: \"21/07/2015\"".
  std::vector<std::string> unparsable_examples;
};

struct Report {
  ReportOptions options;
  size_t documents = 0;
  size_t clustered_documents = 0;
  size_t copies = 0;  // clustered_documents - clusters.size().
  size_t records_without_source = 0;
  size_t records_without_title = 0;
  ReportDateStats dates;
  std::vector<ReportRecord> records;  // One per corpus document.
  // Most documents first, then by name.
  std::vector<ReportOutlet> outlets;
  // outlets.size() squared, row-major: matrix[o * outlets.size() + c] is
  // the number of copies outlet c ran of stories outlet o originated.
  std::vector<uint32_t> matrix;
  // Largest first, then by the original's input position.
  std::vector<ReportCluster> clusters;

  uint32_t matrix_at(size_t original_outlet, size_t copy_outlet) const {
    return matrix[original_outlet * outlets.size() + copy_outlet];
  }
};

// Builds the report. `clusters` are clusters of two or more documents of
// `corpus` (ClusterResult's scores are not used: every copy is scored
// against its cluster's original here). Errors: InvalidArgument for bad
// options or a document index out of range; any error the corpus reports
// while reading a text. Deterministic for any thread count.
absl::StatusOr<Report> BuildReport(const Corpus& corpus,
                                   absl::Span<const ClusterResult> clusters,
                                   const ReportOptions& options);

// Clusters from a `neardup cluster --clusters` file of an earlier run over
// the same corpus. Each line's members are looked up by id; an id the
// corpus does not hold is InvalidArgument naming the file, the line and the
// id (the file was made from another corpus, or with another --id-field).
// A document in two clusters is refused the same way.
absl::StatusOr<std::vector<ClusterResult>> ReadClustersFile(
    const Corpus& corpus, const std::string& path);

// Clusters from a `neardup cluster --pairs` file: connected components of
// the pairs (single linkage). Errors as ReadClustersFile().
absl::StatusOr<std::vector<ClusterResult>> ReadPairsFile(
    const Corpus& corpus, const std::string& path);

struct ReportPageOptions {
  std::string title = "Syndication report";
  // Where the data came from, shown under the title ("news.jsonl.zst").
  std::string subtitle;
  // Bytes of one original's text shown in the page; the rest is marked as
  // not shown. Keeps the page small when a corpus holds huge articles.
  size_t max_text_bytes = 64 * 1024;
  // Outlets in the matrix: the most active ones, the rest counted.
  size_t max_matrix_outlets = 40;
  // Stories, largest first, that carry their timeline, the original's text
  // and the copies' changes; the rest show their members table only, so a
  // corpus of tens of thousands of stories still gives a page a browser
  // opens quickly. 0: every story.
  size_t max_detailed_clusters = 2000;
};

// Appends the report as one self-contained HTML page. Errors: those of
// reading the texts from `corpus`, which must be the one the report was
// built from.
absl::Status AppendReportHtml(const Corpus& corpus, const Report& report,
                              const ReportPageOptions& page, std::string* out);

// Appends the report's figures as one JSON object (documented in
// docs/report.md): overview, outlets, matrix, and clusters with their
// members' ids, outlets, dates, delays, scores and passage spans.
void AppendReportJson(const Corpus& corpus, const Report& report,
                      std::string* out);

}  // namespace neardup

#endif  // NEARDUP_INCLUDE_NEARDUP_REPORT_H_
