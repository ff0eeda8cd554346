// Many documents at once against a persistent index, as `neardup index
// add/query/remove` and the Python module's neardup.Index do it: one
// implementation, so both faces give the same decisions, fail at the same
// document with the same message, and keep the same rules for compaction.
//
//   internal::AddBatchResult added =
//       internal::AddCorpus(*index, corpus, {.max_matches = 10});
//   NEARDUP_RETURN_IF_ERROR(index->Sync());  // before reporting decisions
//   if (!added.failure.ok()) return added.failure;
#ifndef NEARDUP_SRC_INTERNAL_INDEX_BATCH_H_
#define NEARDUP_SRC_INTERNAL_INDEX_BATCH_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "neardup/corpus.h"
#include "neardup/index.h"

namespace neardup::internal {

// Writers compact an index (Index::Compact) once its log has grown past both
// its snapshot and this many megabytes (0: never). Reopening then maps the
// snapshot, in a fraction of a second at a million documents, instead of
// replaying the log at about 3.5 µs per document; the snapshot-size
// condition keeps the copying linear in the documents added.
inline constexpr double kDefaultCompactAtMb = 64;

// Whether the rule above says to compact now.
bool CompactionDue(const IndexStats& stats, double compact_at_mb);

struct BatchOptions {
  // Matches listed per decision (every verified match still links).
  size_t max_matches = 10;
  // Threads preparing texts; 0 means every core. Decisions do not depend on
  // it.
  int threads = 0;
  // When true, a document whose id is indexed with another text
  // (AlreadyExists) is skipped and passed to `on_skip` instead of stopping
  // the batch.
  bool skip_existing = false;
  // Called in input order with each skipped document's located error.
  std::function<void(const absl::Status&)> on_skip;
  // Called now and then with the fraction of documents done.
  std::function<void(double)> progress;
  // AddCorpus only: when above 0, the index is compacted between blocks
  // whenever CompactionDue(stats, compact_at_mb) says so. The added
  // documents' fingerprints then move to the mapped snapshot instead of
  // staying in memory until the batch ends (8 GB for a million news
  // articles). Compaction makes every document added so far durable, which
  // the batch's contract allows (the caller syncs before reporting).
  double compact_at_mb = 0;
  // Called before each such compaction, from the batch's thread.
  std::function<void()> before_compaction = nullptr;
};

struct AddBatchResult {
  // One JSON line (AppendDecisionJson) per document added, in input order,
  // up to the failure.
  std::string decisions;
  uint64_t added = 0;  // Decisions other than "exists".
  uint64_t duplicates = 0;
  uint64_t skipped = 0;
  // The first error that stopped the batch, prefixed with the document's
  // Corpus::Location(). Documents before it stay added.
  absl::Status failure;
  // Compactions done between blocks (BatchOptions::compact_at_mb), and the
  // error of one that failed; none is tried again. A compaction that failed
  // writing its snapshot leaves the index as it was and the adds go on; one
  // whose log sync or log replacement failed leaves the index refusing
  // writes (Index::Compact), so the next add fails with that error, located
  // at its document, and stops the batch as a failed log write would.
  uint64_t compactions = 0;
  absl::Status compaction;
};

// Adds every document of `corpus` in input order. Texts are prepared in
// parallel a block at a time (the costly part) and added one by one, so the
// decisions do not depend on the thread count. Not synced: call
// Index::Sync() before reporting the decisions.
AddBatchResult AddCorpus(Index& index, const Corpus& corpus,
                         const BatchOptions& options);

struct QueryBatchResult {
  // One JSON line per document not skipped, in input order; empty when
  // `failure` is set.
  std::string decisions;
  uint64_t skipped = 0;
  // The first document's error in input order, located; the same documents
  // fail (or are skipped) as AddCorpus would fail or skip them.
  absl::Status failure;
};

// The decisions AddCorpus would give for each document on its own, without
// adding anything (Index::Query, in parallel).
QueryBatchResult QueryCorpus(const Index& index, const Corpus& corpus,
                             const BatchOptions& options);

// Removes `ids` after checking that every one is indexed, so that a typo
// removes nothing: NotFound naming `locations[i]` and the first missing id.
// An id listed twice is removed once. Returns how many were removed. Not
// synced. Precondition: locations.size() == ids.size().
absl::StatusOr<uint64_t> RemoveIds(Index& index,
                                   absl::Span<const std::string> ids,
                                   absl::Span<const std::string> locations);

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_INDEX_BATCH_H_
