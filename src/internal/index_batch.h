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
};

// Adds every document of `corpus` in input order. Texts are prepared in
// parallel a block at a time (the costly part) and added one by one, so the
// decisions do not depend on the thread count. Not synced: call
// Index::Sync() before reporting the decisions. Never compacts: the index
// reads the added sets back from its log once written, so a batch's memory
// does not grow with them, and one compaction after the batch
// (CompactionDue) writes each document once instead of at every doubling.
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
