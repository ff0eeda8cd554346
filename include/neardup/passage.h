// Passage-level duplicates: paragraphs repeated inside one article, wire
// paragraphs pasted into otherwise different articles, and the documents
// that share them.
//
// Each document is cut into passages (paragraphs; long paragraphs into
// windows of whole sentences), every passage is sketched, banded and
// verified like a document, and passages whose exact Jaccard reaches the
// threshold form groups. The first occurrence of a group in input order
// (document order, then position in the document) is its original; every
// other member is a repeat, reported with its byte span in the document's
// original text and its exact Jaccard against the original.
//
// Segmentation works on the original bytes, before normalisation (which
// collapses line breaks): a paragraph is a run between line breaks (\n,
// \r\n, \r, U+2028, U+2029) with the white space around it trimmed. A
// paragraph longer than `max_chars` code points is cut into windows of
// whole sentences (a sentence ends at . ! ? ؟ ؛ … followed by white space),
// as even as the sentence lengths allow. Spans never split a UTF-8 sequence,
// and every byte that is not white space belongs to exactly one passage.
//
// Two ways in:
//   - FindRepeatedPassages(corpus, options): the batch over a loaded Corpus,
//     as the `neardup passages` command runs it.
//   - PassageMatcher: the same engine over documents added one at a time,
//     with the build-then-query shape of RE2::Set: Add() many times, Build()
//     once, then const queries that are safe from many threads.
//
// Example:
//
//   absl::StatusOr<neardup::PassageMatcher> matcher =
//       neardup::PassageMatcher::Create({});
//   if (!matcher.ok()) return matcher.status();
//   matcher->Add(article_text);
//   if (absl::Status s = matcher->Build(); !s.ok()) return s;
//   for (const neardup::RepeatedPassage& r : matcher->RepeatsIn(0)) {
//     // article_text.substr(r.passage.begin, r.passage.end - r.passage.begin)
//     // repeats the bytes at r.original.
//   }
//   std::string clean = neardup::RemovePassages(
//       article_text, matcher->RemovableSpans(0, /*include_shared=*/false));
//   // Which passages of a new article are already in the index?
//   absl::StatusOr<std::vector<neardup::PassageMatch>> seen =
//       matcher->Match(new_article);
#ifndef NEARDUP_INCLUDE_NEARDUP_PASSAGE_H_
#define NEARDUP_INCLUDE_NEARDUP_PASSAGE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "neardup/corpus.h"
#include "neardup/lsh.h"
#include "neardup/minhash.h"
#include "neardup/normalize.h"
#include "neardup/shingle.h"

namespace neardup {

// The default minimum passage length in normalised code points; see
// docs/passages.md for the measurement behind it.
inline constexpr int kDefaultPassageMinChars = 80;
// The default length above which a paragraph is cut into sentence windows.
inline constexpr int kDefaultPassageMaxChars = 500;

// A byte range [begin, end) of a document's original text.
struct PassageSpan {
  uint32_t begin = 0;
  uint32_t end = 0;
  friend bool operator==(const PassageSpan&, const PassageSpan&) = default;
};

struct SegmentOptions {
  // Paragraphs longer than this many code points (of the original text) are
  // cut into windows of whole sentences of at most this length where the
  // sentences allow; a single longer sentence stays whole. At least 1.
  int max_chars = kDefaultPassageMaxChars;
};

// Appends the passages of `text` to `out`, in text order. Never fails:
// invalid UTF-8 is treated as non-space text and never split. Precondition:
// text.size() < 4 GiB, options.max_chars >= 1.
void Segment(absl::string_view text, const SegmentOptions& options,
             std::vector<PassageSpan>* out);

struct PassageOptions {
  NormalizeMode normalize = NormalizeMode::kFull;
  int ngram = 5;
  int num_perm = 128;
  SketchAlgorithm algorithm = SketchAlgorithm::kOnePermutation;
  // Passages whose exact Jaccard is >= threshold match.
  double threshold = 0.8;
  // 0 and 0: chosen by ChooseBands(threshold, num_perm, min_recall).
  int bands = 0;
  int rows = 0;
  double min_recall = 0.99;
  // Passages shorter than this many normalised code points are never
  // matched alone (bylines, datelines, "(واس)"). At least 1.
  int min_chars = kDefaultPassageMinChars;
  int max_chars = kDefaultPassageMaxChars;  // See SegmentOptions.
  // 0 means every hardware thread. Does not change any result.
  int threads = 0;
  uint64_t seed = kDefaultSeed;
};

// InvalidArgument naming the first bad field (as its command-line flag) and
// its allowed range.
absl::Status ValidatePassageOptions(const PassageOptions& options);

// A passage of one document.
struct PassageRef {
  uint32_t document = 0;
  PassageSpan span;
};

// One repeated passage and the original of its group.
struct RepeatedPassage {
  PassageRef passage;
  PassageRef original;
  // Exact Jaccard of the two passages' shingle sets. A member may have joined
  // its group through another member, so this can be below the threshold.
  double jaccard = 0;
  // True when some earlier passage of the same document is in the group:
  // the passage repeats its own document. (The reported original can still
  // be in an earlier document.)
  bool repeats_own_document = false;

  bool internal() const { return passage.document == original.document; }
};

struct PassageStats {
  size_t documents = 0;
  uint64_t passages = 0;
  uint64_t short_passages = 0;  // Below min_chars: not matched.
  BandParams bands;
  CandidateStats candidates;
  uint64_t verified_pairs = 0;  // Passage pairs with Jaccard >= threshold.
  uint64_t groups = 0;
  uint64_t repeated = 0;  // Non-original group members.
  uint64_t internal = 0;  // Repeats whose original is in the same document.
  uint64_t shared = 0;    // Repeats whose original is in an earlier document.
  // Bytes of the repeats RemovableSpans() returns, without the separators.
  uint64_t removable_bytes = 0;         // include_shared = false.
  uint64_t removable_shared_bytes = 0;  // The extra with include_shared.
  double sketch_seconds = 0;
  double candidates_seconds = 0;
  double verify_seconds = 0;
};

struct PassageResult {
  // Every repeat, ordered by (passage.document, passage.span.begin).
  std::vector<RepeatedPassage> repeats;
  // Distinct pairs of different documents that hold a verified passage
  // match (a passage of each with Jaccard >= threshold), sorted.
  std::vector<DocPair> document_pairs;
  PassageStats stats;
};

// Called from the calling thread with a stage name and progress in [0, 1].
using PassageProgress =
    std::function<void(absl::string_view stage, double fraction)>;

// Finds every repeated passage of the corpus. Deterministic for any thread
// count. Memory: 20 bytes plus one signature (4 * num_perm bytes) per
// passage, and exact shingle sets only for passages in a candidate pair.
// Errors: InvalidArgument for bad options; any error the corpus reports
// while reading a document.
absl::StatusOr<PassageResult> FindRepeatedPassages(
    const Corpus& corpus, const PassageOptions& options,
    const PassageProgress& progress = {});

// The spans of `document` that a clean copy drops, in text order: each
// repeat that repeats its own document, and with `include_shared` also each
// repeat whose original is in an earlier document. `repeats` is
// PassageResult::repeats (ordered as it is).
std::vector<PassageSpan> RemovableSpans(
    absl::Span<const RepeatedPassage> repeats, uint32_t document,
    bool include_shared);

// `text` without the given passages, and without the separators they leave,
// so no empty paragraph and no doubled space remains: a passage that starts
// a line takes the white space after it (or, when it is the last text, the
// white space before it, keeping a final line break); a sentence window
// inside a line takes the white space before it. Every other byte is kept.
// `spans` must be sorted, not overlapping, and within the text (as
// RemovableSpans() returns them).
std::string RemovePassages(absl::string_view text,
                           absl::Span<const PassageSpan> spans);

struct ContainmentCandidateStats {
  uint64_t passages = 0;        // Passages long enough to sketch.
  uint64_t document_pairs = 0;  // Candidates returned.
  uint64_t filtered = 0;        // Proposed pairs `keep` turned down.
};

// The containment candidates of `neardup cluster --containment`: pairs of
// documents (a < b, sorted, unique) with passages in one bucket of passage
// LSH (bands chosen for options.threshold, 0.8 by default), so a document
// whose paragraphs are another's, edited or not, is proposed with it.
// Passage pairs are not verified: the caller verifies the documents
// exactly, which decides anyway (FindRepeatedPassages()->document_pairs is
// the verified, much slower subset). Each passage keeps only its band keys,
// so memory is about 70 bytes a passage. A bucket of more than 1,000
// documents (a boilerplate paragraph) pairs them with its first only.
// With `keep`, only pairs it accepts are kept, as buckets propose them.
// Errors as FindRepeatedPassages(). Deterministic for any thread count.
absl::StatusOr<std::vector<DocPair>> FindContainmentCandidates(
    const Corpus& corpus, const PassageOptions& options,
    const PassageProgress& progress = {}, const CandidateFilter& keep = {},
    ContainmentCandidateStats* stats = nullptr);

// A passage of a query text that matches an indexed passage.
struct PassageMatch {
  PassageSpan span;    // In the query text.
  PassageRef indexed;  // The best-matching indexed passage.
  double jaccard = 0;  // Exact, >= the threshold.
};

// Repeated passages over documents added one at a time.
//
// Usage: Create(), Add() every document, Build() once, then query. Queries
// are const and may be called from many threads at once. After Build() the
// matcher holds the documents' text, 12 bytes per passage and, for Match(),
// one 16-byte band entry per band and matched passage.
class PassageMatcher {
 public:
  // InvalidArgument for bad options (see ValidatePassageOptions()).
  static absl::StatusOr<PassageMatcher> Create(const PassageOptions& options);

  PassageMatcher(PassageMatcher&&) noexcept;
  PassageMatcher& operator=(PassageMatcher&&) noexcept;
  ~PassageMatcher();

  // Copies `text` in and returns its document number (0, 1, ...). Must not
  // be called after Build(). FailedPrecondition after Build();
  // InvalidArgument when the text is 4 GiB or more.
  absl::StatusOr<uint32_t> Add(absl::string_view text);

  // Matches every passage of every added document. Must be called once;
  // FailedPrecondition on a second call.
  absl::Status Build(const PassageProgress& progress = {});

  // The queries below require a successful Build() (they return empty
  // results before it).

  size_t num_documents() const;
  // Every repeat, ordered by (document, begin).
  absl::Span<const RepeatedPassage> repeats() const;
  // The repeats inside one document, ordered by begin.
  absl::Span<const RepeatedPassage> RepeatsIn(uint32_t document) const;
  // See the free function of the same name.
  std::vector<PassageSpan> RemovableSpans(uint32_t document,
                                          bool include_shared) const;
  // Pairs of different documents sharing a verified passage match.
  absl::Span<const DocPair> document_pairs() const;

  // The passages of `text` (segmented and filtered as the added documents
  // were) that match an indexed passage with exact Jaccard >= threshold,
  // each with its best match (ties to the earliest in input order), in text
  // order. `text` is not added. FailedPrecondition before a successful
  // Build(); InvalidArgument for a text of 4 GiB or more.
  absl::StatusOr<std::vector<PassageMatch>> Match(absl::string_view text) const;
  const PassageStats& stats() const;

 private:
  struct State;
  explicit PassageMatcher(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace neardup

#endif  // NEARDUP_INCLUDE_NEARDUP_PASSAGE_H_
