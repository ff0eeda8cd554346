// A persistent, incremental near-duplicate index with stable cluster ids.
//
// An index directory holds every parameter that changes a signature (fixed
// by Index::Create), and for each document its id, its MinHash signature and
// its shingle set as sorted 32-bit fingerprints, so that matches are
// verified (near-)exactly without the original text. Documents arrive one at
// a time: Add() answers "new" or "duplicate", names the document's cluster
// and lists its verified matches, best first. The answer is durable once
// Sync() returned (Add() with AddOptions::sync does it itself): it survives
// kill -9 at any moment. docs/index.md explains the choices and
// docs/file-format.md the bytes on disk.
//
// Cluster ids: a document with no verified match opens a cluster named by
// its own id; a duplicate joins the cluster of its matches; when it bridges
// several clusters the oldest id survives and the decision lists the ids it
// absorbed. An id once returned always names the same story. Adding a corpus
// in order gives the same verified pairs as RunPipeline() with single
// linkage, keep=first and the same parameters, containment included (see
// docs/index.md for the one exception, capped LSH buckets).
//
// Thread safety: Query(), Contains(), stats() and options() may be called
// from many threads at once, also while one thread calls Add(), Remove(),
// Sync() or Compact(). Writers are serialised internally; a second process
// opening the same directory for writing is refused (flock on DIR/lock).
//
// Example:
//
//   neardup::IndexOptions options;
//   options.threshold = 0.8;
//   absl::Status created = neardup::Index::Create("news.ndx", options);
//   neardup::OpenReport report;
//   absl::StatusOr<std::unique_ptr<neardup::Index>> index =
//       neardup::Index::Open("news.ndx", {}, &report);
//   if (!index.ok()) return index.status();
//   for (const std::string& w : report.warnings) Log(w);  // torn tail, ...
//   absl::StatusOr<neardup::Decision> d = (*index)->Add("a1", text, {});
//   // d->status == neardup::DecisionStatus::kNew, d->cluster == "a1".
#ifndef NEARDUP_INCLUDE_NEARDUP_INDEX_H_
#define NEARDUP_INCLUDE_NEARDUP_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "neardup/corpus.h"
#include "neardup/lsh.h"
#include "neardup/minhash.h"
#include "neardup/normalize.h"
#include "neardup/shingle.h"

namespace neardup {

// The format version of the files Index::Create() writes (`meta` and the
// log) for an index without containment. Each file's header carries its
// own version: format version 2 changed only the snapshot that Compact()
// writes, so those two files are still version 1, and an index that was
// never compacted stays readable by older libraries. The library reads
// every version of each file it knows and refuses newer ones
// (FailedPrecondition naming both versions). docs/file-format.md has the
// history.
inline constexpr uint32_t kIndexFormatVersion = 1;
// Every file of an index with containment (IndexOptions::containment above
// 0) is version 3: the parameters hold the containment settings, and each
// document's record and snapshot entry its containment sketch.
inline constexpr uint32_t kContainmentIndexFormatVersion = 3;
// The `meta` file of an index with boilerplate scoring
// (IndexOptions::boilerplate_df above 0) is version 4: its parameters hold
// the boilerplate settings. Its log and snapshot keep their versions (the
// counts are derived from the stored fingerprint sets). The newest version
// this library reads.
inline constexpr uint32_t kBoilerplateIndexFormatVersion = 4;

// Everything fixed when an index is created. Documents added later are
// normalised, shingled and sketched with exactly these settings.
struct IndexOptions {
  // Matches need exact Jaccard >= threshold, in (0, 1]...
  double threshold = 0.8;
  // ...or, when this is above 0, containment |A ∩ B| / min(|A|, |B|) >= it,
  // in [0, 1]: an abridged copy or a short item quoted whole in a longer
  // one. Candidates then come from the document bands (chosen for Jaccard
  // min(threshold, kContainmentBandJaccard)), from passages that meet in
  // passage LSH and from rare sampled shingles, as in `neardup cluster`
  // (docs/index.md). 0 turns it off; such an index writes format version 1
  // files, readable by older libraries.
  double containment = 0.8;
  // Code points per shingle, 1 to 64.
  int ngram = 5;
  // MinHash slots, 1 to 4096.
  int num_perm = 128;
  NormalizeMode normalize = NormalizeMode::kFull;
  SketchAlgorithm algorithm = SketchAlgorithm::kOnePermutation;
  uint64_t seed = kDefaultSeed;
  // 0 and 0: chosen at creation by ChooseBands(threshold, num_perm,
  // min_recall), with containment on for min(threshold,
  // kContainmentBandJaccard) instead, and stored. Both or neither must be
  // set.
  int bands = 0;
  int rows = 0;
  double min_recall = 0.99;
  // Boilerplate-aware scoring, as PipelineOptions::boilerplate_df: when
  // above 0, a fingerprint (a shingle hash's high 32 bits) held by more
  // than this many documents in the index, the new one included, is
  // boilerplate when a document is added or queried, and every match
  // carries its Jaccard without boilerplate (IndexMatch::weighted_jaccard).
  // A document that is removed stops counting. Adding documents in order
  // scores every pair as `neardup cluster --boilerplate-df` does over the
  // same input. The counts take about 16 bytes per distinct fingerprint in
  // memory and are rebuilt from the stored fingerprint sets at open (by a
  // read-only open at its first query). 0, the default, is off.
  uint32_t boilerplate_df = 0;
  // With boilerplate_df, a match also needs that weighted Jaccard to be at
  // least this, in [0, 1].
  double min_weighted_jaccard = 0;
};

// InvalidArgument naming the first bad field and its range.
absl::Status ValidateIndexOptions(const IndexOptions& options);

struct OpenOptions {
  // Read-only opens take no lock, never write, and treat a torn log tail as
  // the end (with a warning) instead of truncating it. Add, Remove, Sync and
  // Compact then fail with FailedPrecondition.
  bool read_only = false;
  // A band bucket holding more live documents than this (a templated feed:
  // daily market reports can share whole bands by the thousand) adds only
  // its oldest live document to a query's candidates, as `neardup cluster`
  // pairs an oversized bucket's members with its first document only
  // (CandidateOptions::max_bucket, the same default). Without it each add
  // into such a bucket would verify against every earlier member. Not
  // stored: answers differ only where a bucket is this large.
  uint32_t max_bucket = 1000;
};

// What Open() found and repaired, for the caller to show; the library
// never prints.
struct OpenReport {
  // One line each, e.g. "log: torn tail of 37 bytes at offset 81920
  // truncated (the last unacknowledged write)".
  std::vector<std::string> warnings;
  uint64_t log_records_replayed = 0;
  uint64_t snapshot_documents = 0;
  double seconds = 0;
};

enum class DecisionStatus {
  kNew,        // No verified match: the document opened its own cluster.
  kDuplicate,  // At least one verified match.
  kExists,     // The id is already indexed with the same content; nothing
               // changed (re-sending after a crash is harmless).
};

// "new", "duplicate" or "exists".
absl::string_view DecisionStatusName(DecisionStatus status);

struct IndexMatch {
  std::string id;
  // Jaccard and containment of the two fingerprint sets; see docs/index.md
  // for how close they are to the exact 64-bit shingle scores (1e-4).
  double jaccard = 0;
  double containment = 0;
  // Linked by containment alone: Jaccard below the threshold (written as
  // "link":"containment", as `neardup cluster --pairs` marks such pairs).
  bool containment_link = false;
  // With IndexOptions::boilerplate_df: the Jaccard of the fingerprint sets
  // without boilerplate as of this add or query (written as
  // "weighted_jaccard"); else -1.
  double weighted_jaccard = -1;
};

struct Decision {
  std::string id;
  DecisionStatus status = DecisionStatus::kNew;
  // The cluster the document belongs to (or, for Query, would belong to):
  // the id of the cluster's oldest member, unless that name was taken (see
  // docs/index.md).
  std::string cluster;
  // Verified matches with Jaccard >= threshold (or containment >=
  // IndexOptions::containment) and, with boilerplate scoring, weighted
  // Jaccard >= IndexOptions::min_weighted_jaccard; best first (Jaccard
  // descending, then oldest first), at most AddOptions::max_matches.
  std::vector<IndexMatch> matches;
  // Cluster ids absorbed into `cluster` by this document, oldest first.
  std::vector<std::string> merged;
};

struct AddOptions {
  // Matches listed in the decision; every verified match links clusters,
  // whatever this is.
  size_t max_matches = 10;
  // Sync() before returning. Batch callers turn this off and call Sync()
  // before they report the decisions.
  bool sync = true;
};

// A text normalised, shingled and sketched with an index's parameters: what
// the index compares. Made by Index::Prepare, used by Index::AddPrepared.
struct PreparedText {
  bool present = false;             // The text had shingles.
  std::vector<uint32_t> signature;  // num_perm MinHash slots.
  // High 32 bits of each shingle hash, sorted, without duplicates.
  std::vector<uint64_t> fingerprints;
  // With containment on: the text's sampled shingles and passage band keys,
  // encoded as the log stores them (docs/file-format.md); else empty.
  std::string containment;

  // Set by Index::Prescreen and read by Index::AddPrepared; callers leave
  // them alone. Prepare() clears them.
  struct Screened {
    uint32_t seq;
    bool matched;
    double jaccard;
    double containment;
  };
  // Which open index screened it (unique in the process); 0: unscreened.
  uint64_t screened_by = 0;
  uint64_t screened_epoch = 0;  // The index's epoch when screened.
  uint32_t screened_below = 0;  // Of the documents older than this...
  // ...these candidates were verified, by seq (an add verifies any other
  // candidate itself).
  std::vector<Screened> screened;
  std::string encoded;  // The fingerprints as the log stores them.
};

struct IndexStats {
  uint64_t documents = 0;  // Live documents.
  uint64_t removed = 0;    // Removed since the last compaction.
  uint64_t clusters = 0;   // Clusters with at least one live document.
  uint64_t clusters_of_two_or_more = 0;
  uint64_t snapshot_bytes = 0;
  uint64_t log_bytes = 0;
  // Encoded shingle sets, in memory or mapped from the snapshot.
  uint64_t fingerprint_bytes = 0;
  uint64_t candidates_checked = 0;  // Since open: candidates verified.
  // Since open: band buckets over OpenOptions::max_bucket that a query or
  // add met, each standing in with its oldest live document.
  uint64_t capped_buckets = 0;
  // Since open: queries that met a stored document failing its checksum
  // (see Index::Verify). Such a document matches nothing.
  uint64_t damaged_reads = 0;
  // The newest file version in the index: 4 with boilerplate scoring
  // (kBoilerplateIndexFormatVersion), else 3 with containment
  // (kContainmentIndexFormatVersion), else 2 once a version-2 snapshot was
  // loaded or written, else 1 (kIndexFormatVersion).
  uint32_t format_version = kIndexFormatVersion;
  BandParams bands;
};

class Index {
 public:
  // Makes an index directory: creates `dir` if missing (it must be empty
  // otherwise) and writes the parameters. AlreadyExists if it holds an index
  // or other files; InvalidArgument for bad options.
  static absl::Status Create(const std::string& dir,
                             const IndexOptions& options);

  // Opens an index: loads the snapshot, replays the log, truncates a torn
  // tail (reported in `report`, which may be null). A version-2 snapshot is
  // mapped and used in place; its documents' signatures and fingerprint sets
  // are checked when read (see Verify()), everything else now. Refuses,
  // with a one-line message naming the file: a directory that is not an
  // index (NotFound/InvalidArgument), a newer format version
  // (FailedPrecondition), corrupt parameters or snapshot, a log damaged
  // before its tail (DataLoss), and a second writer (FailedPrecondition:
  // locked).
  static absl::StatusOr<std::unique_ptr<Index>> Open(
      const std::string& dir, const OpenOptions& options,
      OpenReport* report = nullptr);

  ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  // Indexes one document and returns its decision. An id already present
  // with the same content returns kExists and changes nothing; with
  // different content it is AlreadyExists naming the id. Ids are 1 to 65535
  // bytes. After a write error the index refuses further writes, with the
  // write error's code (ResourceExhausted for a full disk or the file size
  // limit); reopen to recover from the durable state.
  absl::StatusOr<Decision> Add(absl::string_view id, absl::string_view text,
                               const AddOptions& options);

  // Add() in two steps, so callers can prepare many texts in parallel (the
  // costly part) and add them in order: Prepare() is const, takes no lock
  // and may run on many threads at once; AddPrepared() behaves exactly as
  // Add() with the same text. InvalidArgument for a PreparedText made with
  // other parameters.
  void Prepare(absl::string_view text, PreparedText* out) const;

  // Optional, between Prepare() and AddPrepared(): verifies `prepared`
  // against every document already in the index, so that AddPrepared() only
  // has to verify candidates added since. This moves the costly part of an
  // add out of the writer, onto as many threads as the caller has: a batch
  // prepares and prescreens a block of texts in parallel, then adds them in
  // order. The decisions are exactly those of Add(): AddPrepared() ignores
  // the screening when the index changed in another way than by adds since
  // (a Remove, a Compact), or when it was made by another index. Const and
  // thread-safe, like Query().
  void Prescreen(PreparedText* prepared) const;

  absl::StatusOr<Decision> AddPrepared(absl::string_view id,
                                       const PreparedText& prepared,
                                       const AddOptions& options);

  // The decision Add() would give, without inserting or writing anything,
  // and the same errors for the id: InvalidArgument for an empty or
  // oversized id; for an id already indexed, kExists when the text is the
  // same and AlreadyExists when it is another (DataLoss if that document's
  // stored data is damaged). A damaged candidate matches nothing and is
  // counted in stats().damaged_reads. Thread-safe.
  absl::StatusOr<Decision> Query(absl::string_view id, absl::string_view text,
                                 size_t max_matches) const;

  // Removes a document. Its cluster keeps its id while any member is left.
  // NotFound naming the id when it is not indexed. Not synced: call Sync().
  absl::Status Remove(absl::string_view id);

  // Makes every Add() and Remove() so far durable (write + fsync).
  absl::Status Sync();

  // Writes a snapshot of the whole state (temporary file, fsync, rename,
  // directory fsync) and starts an empty log. Drops removed documents'
  // data.
  absl::Status Compact();

  // Checks every stored byte against its checksum. Open() checks all but
  // the snapshot's signatures and fingerprint sets, which are checked when
  // read: Add() and Compact() then fail with DataLoss naming the document,
  // and Query() counts the document in stats().damaged_reads and treats it
  // as matching nothing. DataLoss naming the first damaged document or
  // section; reads the whole snapshot.
  absl::Status Verify() const;

  bool Contains(absl::string_view id) const;
  // The cluster id of an indexed document; NotFound otherwise.
  absl::StatusOr<std::string> ClusterOf(absl::string_view id) const;

  // Walks every document to count clusters: O(documents).
  IndexStats stats() const;
  // stats() with only snapshot_bytes and log_bytes filled in, in constant
  // time, for callers that check the sizes often (compaction between the
  // blocks of a batch). Thread-safe.
  IndexStats FileSizes() const;
  const IndexOptions& options() const;
  const std::string& directory() const;

 private:
  struct State;
  explicit Index(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Parses one JSON-lines record the way LoadCorpus does (same fields, integer
// ids as decimal text, invalid UTF-8 replaced by U+FFFD), for callers that
// read records one at a time. Errors are InvalidArgument without a location
// (callers prefix "file:line: "), in LoadCorpus's words: under
// OnError::kFail with its advice too ("...; fix the line or pass --on-error
// skip").
class RecordParser {
 public:
  explicit RecordParser(const InputOptions& options);
  ~RecordParser();
  RecordParser(const RecordParser&) = delete;
  RecordParser& operator=(const RecordParser&) = delete;

  // Sets *id and *text from one line (no line end). Not thread-safe.
  absl::Status Parse(absl::string_view line, std::string* id,
                     std::string* text);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace neardup

#endif  // NEARDUP_INCLUDE_NEARDUP_INDEX_H_
