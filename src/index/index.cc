#include "neardup/index.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "neardup/passage.h"
#include "neardup/pipeline.h"
#include "neardup/verify.h"
#include "src/internal/index_format.h"
#include "src/internal/io_error.h"
#include "src/internal/kill_point.h"
#include "src/internal/match_stages.h"
#include "src/internal/passage_keys.h"
#include "src/internal/posting_table.h"
#include "src/internal/rare_shingles.h"
#include "src/internal/sketch_screen.h"
#include "src/internal/snapshot.h"
#include "src/internal/status_macros.h"
#include "src/internal/validate.h"

namespace neardup {
namespace {

using internal::Reader;

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
// Chains of at least this many documents are merged (Index::State::
// MergeChains): below it, walking them costs less than merging.
constexpr uint32_t kMinMerge = 16384;
// ... when bands have at most this many rows. Unrelated articles share a
// band with probability J^rows (J about 0.2 for news on one topic), so
// with 6 rows (t = 0.8) buckets stay small, and merging cost more than it
// saved (3 s more for a backfill of a million articles), while with 3 rows
// (t = 0.5, an index with containment) it saves a tenth of the time.
constexpr int kMergeMaxRows = 4;
constexpr size_t kMaxIdBytes = 65535;
// Pending log bytes written out even before Sync(), to bound memory.
constexpr size_t kFlushBytes = size_t{8} << 20;

absl::Status IoError(absl::string_view what, const std::string& path) {
  return internal::IndexFileError(errno, what, path);
}

absl::Status WriteAllFd(int fd, absl::string_view data,
                        const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("write failed", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return IoError("fsync failed", dir);
  return absl::OkStatus();
}

// Replaces dir/name through a temporary file: `write(fd, temp_path)` fills
// it, then fsync, rename, fsync the directory. A crash leaves the old file or
// the new one; on any error the temporary file is removed.
template <typename WriteFn>
absl::Status ReplaceFileAtomically(const std::string& dir,
                                   absl::string_view name, WriteFn write) {
  const std::string path = absl::StrCat(dir, "/", name);
  const std::string temp = absl::StrCat(path, ".tmp");
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create", temp);
  absl::Status status = write(fd, temp);
  if (status.ok() && ::fsync(fd) != 0) status = IoError("fsync failed", temp);
  ::close(fd);
  if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    status = IoError("cannot rename into place", path);
  }
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  return FsyncDir(dir);
}

absl::Status WriteFileAtomically(const std::string& dir, absl::string_view name,
                                 absl::string_view data) {
  return ReplaceFileAtomically(dir, name,
                               [data](int fd, const std::string& temp) {
                                 return WriteAllFd(fd, data, temp);
                               });
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open", path);
  std::string data;
  struct stat st;
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    data.reserve(static_cast<size_t>(st.st_size));
  }
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      absl::Status s = IoError("read failed", path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    data.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

absl::Status HeaderError(internal::HeaderCheck check, const std::string& path,
                         uint32_t version, uint32_t max_version) {
  switch (check) {
    case internal::HeaderCheck::kOk:
      return absl::OkStatus();
    case internal::HeaderCheck::kShort:
      return absl::DataLossError(
          absl::StrCat(path, ": file is truncated (", "shorter than its ",
                       internal::kFileHeaderBytes, "-byte header)"));
    case internal::HeaderCheck::kWrongMagic:
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": not a neardup index file (wrong magic bytes)"));
    case internal::HeaderCheck::kBadChecksum:
      return absl::DataLossError(
          absl::StrCat(path, ": header checksum mismatch (file is corrupt)"));
    case internal::HeaderCheck::kNewer:
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": written by index format version ", version,
                       "; this neardup reads up to version ", max_version,
                       " (upgrade neardup)"));
  }
  return absl::InternalError("unreachable");
}

uint8_t NormalizeCode(NormalizeMode mode) {
  switch (mode) {
    case NormalizeMode::kNone:
      return 0;
    case NormalizeMode::kWhitespace:
      return 1;
    case NormalizeMode::kFull:
      return 2;
  }
  return 2;
}

uint64_t DoubleBits(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof(bits));
  return bits;
}

double BitsDouble(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof(d));
  return d;
}

// How an index with containment cuts and keys passages: fixed at creation
// (from PassageOptions' defaults) and stored, like the document bands.
struct PassageParams {
  int bands = 0;
  int rows = 0;
  int min_chars = 0;
  int max_chars = 0;
};

absl::StatusOr<PassageParams> DefaultPassageParams(int num_perm) {
  const PassageOptions defaults;
  NEARDUP_ASSIGN_OR_RETURN(
      BandParams bands,
      ChooseBands(defaults.threshold, num_perm, defaults.min_recall));
  return PassageParams{bands.bands, bands.rows, defaults.min_chars,
                       defaults.max_chars};
}

// Version 3 (containment above 0) appends the containment and the passage
// parameters to version 1's fields. Version 4 (boilerplate_df above 0)
// always appends the containment, the passage parameters only when it is
// above 0, then boilerplate_df and min_weighted_jaccard.
std::string EncodeParams(const IndexOptions& o, const PassageParams& passage) {
  std::string p;
  p.push_back(static_cast<char>(internal::kParamsRecord));
  internal::PutVarint(static_cast<uint64_t>(o.ngram), &p);
  internal::PutVarint(static_cast<uint64_t>(o.num_perm), &p);
  p.push_back(static_cast<char>(NormalizeCode(o.normalize)));
  internal::PutVarint(static_cast<uint64_t>(kNormalizationVersion), &p);
  p.push_back(
      static_cast<char>(o.algorithm == SketchAlgorithm::kClassic ? 1 : 0));
  internal::PutFixed64(o.seed, &p);
  internal::PutFixed64(DoubleBits(o.threshold), &p);
  internal::PutVarint(static_cast<uint64_t>(o.bands), &p);
  internal::PutVarint(static_cast<uint64_t>(o.rows), &p);
  internal::PutFixed64(DoubleBits(o.min_recall), &p);
  const bool v4 = o.boilerplate_df > 0;
  if (o.containment > 0 || v4) {
    internal::PutFixed64(DoubleBits(o.containment), &p);
  }
  if (o.containment > 0) {
    internal::PutVarint(static_cast<uint64_t>(passage.bands), &p);
    internal::PutVarint(static_cast<uint64_t>(passage.rows), &p);
    internal::PutVarint(static_cast<uint64_t>(passage.min_chars), &p);
    internal::PutVarint(static_cast<uint64_t>(passage.max_chars), &p);
  }
  if (v4) {
    internal::PutVarint(o.boilerplate_df, &p);
    internal::PutFixed64(DoubleBits(o.min_weighted_jaccard), &p);
  }
  return p;
}

// The version of the meta file for these options.
uint32_t MetaVersion(const IndexOptions& o) {
  return o.boilerplate_df > 0 ? kBoilerplateIndexFormatVersion
         : o.containment > 0  ? kContainmentIndexFormatVersion
                              : kIndexFormatVersion;
}

absl::StatusOr<IndexOptions> DecodeParams(absl::string_view payload,
                                          uint32_t version,
                                          const std::string& path,
                                          PassageParams* passage) {
  Reader r(payload);
  uint8_t type = 0, normalize = 0, algorithm = 0;
  uint64_t ngram = 0, num_perm = 0, norm_version = 0, bands = 0, rows = 0;
  uint64_t seed = 0, threshold = 0, min_recall = 0, containment = 0;
  uint64_t passage_bands = 0, passage_rows = 0, min_chars = 0, max_chars = 0;
  uint64_t boilerplate_df = 0, min_weighted = 0;
  const bool v3 = version >= kContainmentIndexFormatVersion;
  const bool v4 = version >= kBoilerplateIndexFormatVersion;
  bool ok = r.GetByte(&type) && type == internal::kParamsRecord &&
            r.GetVarint(&ngram) && r.GetVarint(&num_perm) &&
            r.GetByte(&normalize) && r.GetVarint(&norm_version) &&
            r.GetByte(&algorithm) && r.GetFixed64(&seed) &&
            r.GetFixed64(&threshold) && r.GetVarint(&bands) &&
            r.GetVarint(&rows) && r.GetFixed64(&min_recall) &&
            (!v3 || r.GetFixed64(&containment));
  // Version 4 has the passage parameters only with containment on.
  const bool passages = v3 && (!v4 || BitsDouble(containment) > 0);
  ok = ok &&
       (!passages ||
        (r.GetVarint(&passage_bands) && r.GetVarint(&passage_rows) &&
         r.GetVarint(&min_chars) && r.GetVarint(&max_chars))) &&
       (!v4 || (r.GetVarint(&boilerplate_df) && r.GetFixed64(&min_weighted))) &&
       r.done();
  if (!ok) {
    return absl::DataLossError(
        absl::StrCat(path, ": parameters record is malformed"));
  }
  if (norm_version != static_cast<uint64_t>(kNormalizationVersion)) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": built with normalisation version ", norm_version,
        ", this neardup normalises with version ", kNormalizationVersion,
        "; signatures would not match (rebuild the index)"));
  }
  IndexOptions o;
  o.ngram = static_cast<int>(std::min<uint64_t>(ngram, 1 << 20));
  o.num_perm = static_cast<int>(std::min<uint64_t>(num_perm, 1 << 20));
  if (normalize > 2 || algorithm > 1) {
    return absl::DataLossError(
        absl::StrCat(path, ": unknown normalisation or sketch algorithm"));
  }
  o.normalize = normalize == 0   ? NormalizeMode::kNone
                : normalize == 1 ? NormalizeMode::kWhitespace
                                 : NormalizeMode::kFull;
  o.algorithm = algorithm == 1 ? SketchAlgorithm::kClassic
                               : SketchAlgorithm::kOnePermutation;
  o.seed = seed;
  o.threshold = BitsDouble(threshold);
  o.bands = static_cast<int>(std::min<uint64_t>(bands, 1 << 20));
  o.rows = static_cast<int>(std::min<uint64_t>(rows, 1 << 20));
  o.min_recall = BitsDouble(min_recall);
  o.containment = v3 ? BitsDouble(containment) : 0;
  o.boilerplate_df = static_cast<uint32_t>(
      std::min<uint64_t>(boilerplate_df, std::numeric_limits<uint32_t>::max()));
  o.min_weighted_jaccard = v4 ? BitsDouble(min_weighted) : 0;
  auto small = [](uint64_t v) {
    return static_cast<int>(std::min<uint64_t>(v, 1 << 20));
  };
  *passage = {small(passage_bands), small(passage_rows), small(min_chars),
              small(max_chars)};
  absl::Status valid = ValidateIndexOptions(o);
  if (valid.ok() && v4 && o.boilerplate_df == 0) {
    valid = absl::InvalidArgumentError("version 4 without boilerplate_df");
  } else if (valid.ok() && passages) {
    if (!(o.containment > 0)) {
      valid = absl::InvalidArgumentError("version 3 without containment");
    } else if (passage->min_chars < 1 ||
               passage->max_chars < passage->min_chars) {
      valid = absl::InvalidArgumentError("bad passage lengths");
    } else {
      valid = ValidateBandParams({passage->bands, passage->rows}, o.num_perm);
    }
  }
  if (!valid.ok() || o.bands == 0) {
    return absl::DataLossError(absl::StrCat(
        path, ": stored parameters are invalid (", valid.message(), ")"));
  }
  return o;
}

// A document's containment sketch (format version 3): its sampled shingles
// (src/internal/rare_shingles.h) and the band keys of its passages
// (src/internal/passage_keys.h). Encoded as the probe level (a byte, 0xFF
// for none), a varint count and that many fixed32 samples in decreasing
// order, then a varint passage count and passage_bands fixed32 keys each.
struct ContainmentSketch {
  int probe = internal::kNoProbe;
  std::vector<uint32_t> samples;
  std::vector<uint32_t> passage_keys;
};

void EncodeContainment(const ContainmentSketch& c, size_t passage_bands,
                       std::string* out) {
  out->push_back(c.probe == internal::kNoProbe ? '\xff'
                                               : static_cast<char>(c.probe));
  internal::PutVarint(c.samples.size(), out);
  for (uint32_t key : c.samples) internal::PutFixed32(key, out);
  internal::PutVarint(c.passage_keys.size() / passage_bands, out);
  for (uint32_t key : c.passage_keys) internal::PutFixed32(key, out);
}

// False unless `bytes` is exactly one well-formed sketch.
bool DecodeContainment(absl::string_view bytes, size_t passage_bands,
                       ContainmentSketch* c) {
  Reader r(bytes);
  uint8_t probe = 0;
  uint64_t samples = 0, passages = 0;
  if (!r.GetByte(&probe) || (probe > 31 && probe != 0xFF) ||
      !r.GetVarint(&samples) || samples > r.remaining() / 4) {
    return false;
  }
  c->probe = probe == 0xFF ? internal::kNoProbe : probe;
  c->samples.resize(samples);
  for (uint64_t i = 0; i < samples; ++i) {
    if (!r.GetFixed32(&c->samples[i]) ||
        (i > 0 && c->samples[i] >= c->samples[i - 1])) {
      return false;
    }
  }
  if (!r.GetVarint(&passages) || passages > r.remaining() / 4 / passage_bands) {
    return false;
  }
  c->passage_keys.resize(passages * passage_bands);
  for (uint32_t& key : c->passage_keys) {
    if (!r.GetFixed32(&key)) return false;
  }
  return r.done();
}

// The probe level and samples of a sketch that DecodeContainment already
// accepted (every stored one was, when it was linked): a copy, without the
// checks or the passage keys.
void DecodeTrustedSamples(absl::string_view bytes, ContainmentSketch* c) {
  Reader r(bytes);
  uint8_t probe = 0xFF;
  uint64_t samples = 0;
  r.GetByte(&probe);
  r.GetVarint(&samples);
  c->probe = probe == 0xFF ? internal::kNoProbe : probe;
  absl::string_view raw;
  if (!r.GetBytes(samples * 4, &raw)) samples = 0;
  c->samples.resize(samples);
  if (samples > 0) std::memcpy(c->samples.data(), raw.data(), raw.size());
}

// Per-thread buffers for preparing a text; reused so steady-state adds and
// queries allocate only when a text is larger than any before.
struct Scratch {
  NormalizedText normalized;
  std::vector<uint64_t> shingles;
  std::vector<uint64_t> decoded;
  std::vector<uint32_t> candidates;
  // With containment.
  std::vector<uint64_t> bitmap;
  internal::PassageKeyScratch passage;
  ContainmentSketch mine;
  ContainmentSketch other;
  std::vector<uint32_t> hits;
};

absl::Status CheckId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "document ids must be 1 to ", kMaxIdBytes, " bytes, got ", id.size()));
  }
  return absl::OkStatus();
}

// 1, 2, ...: one per State, never reused within the process.
uint64_t NextInstance() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

struct Verified {
  uint32_t seq;
  double jaccard;
  double containment;
  double weighted = -1;  // With boilerplate_df.
};

}  // namespace

absl::string_view DecisionStatusName(DecisionStatus status) {
  switch (status) {
    case DecisionStatus::kNew:
      return "new";
    case DecisionStatus::kDuplicate:
      return "duplicate";
    case DecisionStatus::kExists:
      return "exists";
  }
  return "new";
}

absl::Status ValidateIndexOptions(const IndexOptions& options) {
  NEARDUP_RETURN_IF_ERROR(ValidateShingleOptions({.ngram = options.ngram}));
  if (options.num_perm < 1 || options.num_perm > 4096) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--num-perm must be between 1 and 4096, got ", options.num_perm));
  }
  if (!(options.threshold > 0 && options.threshold <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--threshold must be greater than 0 and at most 1, got ",
                     options.threshold));
  }
  if ((options.bands == 0) != (options.rows == 0)) {
    return absl::InvalidArgumentError(
        "--bands and --rows go together: give both, or neither to have them "
        "chosen from the threshold");
  }
  if (options.bands != 0) {
    NEARDUP_RETURN_IF_ERROR(
        ValidateBandParams({options.bands, options.rows}, options.num_perm));
  }
  if (!(options.min_recall > 0 && options.min_recall < 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "minimum recall must be in (0, 1), got ", options.min_recall));
  }
  if (!(options.containment >= 0 && options.containment <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--containment must be between 0 (off) and 1, got ",
                     options.containment));
  }
  return internal::ValidateBoilerplateSettings(options.boilerplate_df,
                                               options.min_weighted_jaccard);
}

struct Index::State {
  // A document added after the v2 snapshot (from the log, a v1 snapshot or
  // Add): seq >= base.
  struct DeltaDoc {
    std::string id;
    const char* fp_data = nullptr;  // In `mapped`, or `blocks` until flushed.
    uint32_t fp_bytes = 0;
    uint32_t fp_count = 0;
    const char* sketch_data = nullptr;  // Containment sketch, likewise.
    uint32_t sketch_bytes = 0;
  };

  std::string dir;
  IndexOptions options;
  BandParams bands;
  std::optional<Normalizer> normalizer;
  std::optional<MinHasher> hasher;
  // Candidates whose signatures rule them out skip decoding and comparing
  // their fingerprints, as in neardup cluster (src/internal/sketch_screen.h).
  std::optional<internal::SketchScreen> screen;
  bool read_only = false;
  int lock_fd = -1;
  int log_fd = -1;

  // std:: mutexes rather than absl::Mutex: Debian's Abseil is built without
  // ThreadSanitizer annotations, so TSan could not see its ordering.
  std::mutex writer_mu;  // Serialises Add/Remove/Sync/Compact.
  // Log bytes not yet written, and the durable state of the files.
  std::string pending;
  absl::Status write_error;
  bool unsynced = false;  // Written to the log but not yet fsynced.
  uint64_t generation = 0;
  // Header version of the snapshot loaded or last written; 0 for none.
  std::atomic<uint32_t> snapshot_version{0};
  std::atomic<uint64_t> log_bytes{0};
  std::atomic<uint64_t> snapshot_bytes{0};
  mutable std::atomic<uint64_t> candidates_checked{0};
  mutable std::atomic<uint64_t> capped_buckets{0};
  uint32_t max_bucket = 1000;
  // Changes (under mu) whenever the tables change other than by an add:
  // a prescreening made before then no longer stands (Index::Prescreen).
  uint64_t epoch = 0;
  // Tells a prescreening by this open index from one by another, even one
  // opened later at the same address.
  const uint64_t instance = NextInstance();
  mutable std::atomic<uint64_t> damaged_reads{0};

  // The in-memory tables. Readers (queries) share; the writer holds
  // writer_mu and takes mu exclusively only to change them.
  mutable std::shared_mutex mu;
  // Per document, every seq: union-find parent (roots are the oldest
  // member), live members (at roots) and kDocAlive | kDocPresent.
  std::vector<uint32_t> parent;
  std::vector<uint32_t> live_count;
  std::vector<uint8_t> flags;
  // Documents 0 .. base-1 live in the mapped version-2 snapshot; ids,
  // signatures, fingerprint sets and band buckets are read from it in place.
  std::unique_ptr<internal::SnapshotView> snap;
  uint32_t base = 0;
  std::vector<DeltaDoc> delta;
  std::vector<uint32_t> signatures;  // num_perm per delta doc.
  // Encoded sets read from disk stay inside the mapped files (snapshot and
  // log). New ones go to fixed blocks that never move, so DeltaDoc::fp_data
  // stays valid, until their records are written to the log: then they are
  // read from the log's newly written bytes, mapped, and the blocks are
  // reused. Mapping the log rather than reading it spares a replay the
  // copy and the zeroed anonymous pages, a third of its time; in a backfill
  // it keeps the sets out of the heap (5.5 GB at a million news articles,
  // and a tenth of the writer's time faulting in fresh pages for them). The
  // mappings stay valid: a log is only ever appended to, replaced by
  // rename, or cut back to a torn tail that lies past every record a reader
  // accepted.
  std::vector<std::unique_ptr<internal::MappedFile>> mapped;
  struct StoreBlock {
    std::unique_ptr<char[]> data;
    size_t size = 0;
  };
  static constexpr size_t kStoreBlockBytes = size_t{4} << 20;
  std::vector<StoreBlock> blocks;
  std::vector<StoreBlock> spare_blocks;  // Emptied blocks, for reuse.
  // Blocks whose documents could not be pointed at the log: kept as long
  // as the documents are.
  std::vector<StoreBlock> pinned_blocks;
  size_t block_used = 0;
  // Documents added since the last write of `pending`, with where their
  // sets start in it, so that the write can point them at the log.
  struct Unflushed {
    uint32_t seq;
    size_t fp_at;
    size_t sketch_at;
  };
  std::vector<Unflushed> unflushed;
  uint64_t fingerprint_bytes = 0;
  // Live delta documents by id; live snapshot documents are found through
  // the snapshot's id table.
  absl::flat_hash_map<std::string, uint32_t> live_ids;
  // Delta documents from chain_base on, per band: key -> newest and oldest
  // doc in the bucket; next[band][doc - base] is the next older doc in the
  // same bucket, or kNone. Snapshot documents are in the snapshot's sorted
  // band tables, and delta documents below chain_base in `merged`, sorted
  // tables of the same kind held in memory.
  struct Bucket {
    uint32_t newest;
    uint32_t oldest;  // What an oversized bucket offers (max_bucket).
  };
  std::vector<absl::flat_hash_map<uint64_t, Bucket>> heads;
  std::vector<std::vector<uint32_t>> next;
  // Walking a chain reads one scattered document per member, and at
  // t = 0.5 (the bands of an index with containment) a bucket holds
  // hundreds of unrelated articles once there are a million: with bands of
  // few rows the chains are therefore merged into sorted per-band tables,
  // where a bucket's members are adjacent, whenever they hold half as many
  // documents as the tables (MergeChains). A compaction did this before, by
  // writing every set again.
  struct MergedBand {
    std::vector<uint64_t> keys;
    std::vector<uint32_t> values;
    internal::KeyTable table;
  };
  std::vector<MergedBand> merged;
  std::vector<uint64_t> merge_keys;  // MergeChains' spare arrays.
  std::vector<uint32_t> merge_values;
  uint32_t chain_base = 0;
  // Cluster names that are not the id of the cluster's live root (the root
  // was removed, or its id was taken when it opened) -> root.
  absl::flat_hash_map<std::string, uint32_t> reserved_names;
  absl::flat_hash_map<uint32_t, std::string> name_override;
  uint64_t live = 0;
  uint64_t removed = 0;

  // With containment (format version 3): how passages are keyed, the
  // sample screen's tables, and which live documents store each sampled
  // shingle, probe with it, or have a passage with each key, per passage
  // band (oldest first). Rebuilt from the documents' sketches at open.
  PassageParams passage_params;
  internal::PassageKeyParams passage;
  std::vector<uint16_t> min_contained;
  std::vector<uint16_t> min_shared;
  internal::PostingTable<uint32_t> stored_samples;
  // A sixth of the stored ones: looking them up among the stored ones
  // instead would read the probe level of every document holding each of
  // the new document's 90 samples.
  internal::PostingTable<uint32_t> probe_samples;
  std::vector<internal::PostingTable<uint32_t>> passage_docs;
  // While Open loads the snapshot and replays the log, the tables are left
  // empty, to be built at the end (BuildContainmentTables); a read-only
  // open builds them at its first query instead, so that `index stats` or
  // `verify` on a large index need not wait for them.
  bool defer_containment = false;
  mutable std::once_flag late_tables_once;

  // With boilerplate_df: how many live documents hold each fingerprint.
  // Built from the stored sets once the snapshot is loaded and the log
  // replayed (a read-only open: at its first query, with the containment
  // tables), then kept up to date by adds and removals.
  absl::flat_hash_map<uint32_t, uint32_t> holders;
  bool defer_holders = false;
  // The first live document whose stored set failed its check while
  // counting, or kNone. The counts miss it, so adds fail with DataLoss
  // naming it (as an add that meets a damaged candidate does) and queries
  // count it in damaged_reads; opening still succeeds, so that `verify`
  // and `stats` can name the damage.
  uint32_t holders_damaged = kNone;

  ~State() {
    if (log_fd >= 0) ::close(log_fd);
    if (lock_fd >= 0) ::close(lock_fd);  // Releases the flock.
  }

  std::string Path(absl::string_view name) const {
    return absl::StrCat(dir, "/", name);
  }

  // --- Documents -----------------------------------------------------------

  uint32_t DocCount() const {
    return base + static_cast<uint32_t>(delta.size());
  }
  bool Alive(uint32_t seq) const { return flags[seq] & internal::kDocAlive; }
  bool Present(uint32_t seq) const {
    return flags[seq] & internal::kDocPresent;
  }
  absl::string_view Id(uint32_t seq) const {
    return seq < base ? snap->id(seq) : absl::string_view(delta[seq - base].id);
  }
  uint32_t FpCount(uint32_t seq) const {
    return seq < base ? snap->doc(seq).fp_count : delta[seq - base].fp_count;
  }
  absl::Span<const uint32_t> SignatureOf(uint32_t seq) const {
    if (seq < base) return snap->signature(seq);
    return absl::MakeConstSpan(signatures)
        .subspan(static_cast<size_t>(seq - base) * options.num_perm,
                 static_cast<size_t>(options.num_perm));
  }
  absl::string_view EncodedFingerprints(uint32_t seq) const {
    if (seq < base) return snap->fingerprints(seq);
    const DeltaDoc& d = delta[seq - base];
    return absl::string_view(d.fp_data, d.fp_bytes);
  }
  absl::string_view EncodedSketch(uint32_t seq) const {
    if (seq < base) return snap->containment(seq);
    const DeltaDoc& d = delta[seq - base];
    return absl::string_view(d.sketch_data, d.sketch_bytes);
  }
  bool containment_on() const { return options.containment > 0; }
  bool boilerplate_on() const { return options.boilerplate_df > 0; }
  // Tables built after the load (BuildLateTables).
  bool late_tables() const { return containment_on() || boilerplate_on(); }
  // Containment tables number documents in 31 bits.
  uint32_t MaxDocuments() const {
    return containment_on() ? internal::PostingTable<uint32_t>::kMaxDocument
                            : kNone - 1;
  }
  size_t PassageBands() const {
    return static_cast<size_t>(passage.bands.bands);
  }
  // Snapshot payloads are checked when read; delta ones were checked with
  // their log record or made here.
  bool PayloadOk(uint32_t seq) const {
    return seq >= base || snap->PayloadOk(seq);
  }

  // The live document with this id, or kNone.
  uint32_t LiveSeq(absl::string_view id) const {
    auto it = live_ids.find(id);
    if (it != live_ids.end()) return it->second;
    uint32_t found = kNone;
    if (snap != nullptr) {
      snap->ids().ForEach(internal::IdHash(id), [&](uint32_t seq) {
        if (Alive(seq) && snap->id(seq) == id) found = seq;
      });
    }
    return found;
  }

  // A document whose stored signature or fingerprints failed their check:
  // in a version-2 snapshot, the payload checksum; anywhere, the encoding.
  absl::Status DamageError(uint32_t seq) const {
    return absl::DataLossError(absl::StrCat(
        seq < base ? Path(internal::kSnapshotFile) : dir, ": document \"",
        Id(seq), "\" (seq ", seq,
        "): its stored signature or shingle fingerprints are damaged "
        "(checksum or encoding); restore the directory from a backup"));
  }

  // --- Preparing texts -----------------------------------------------------

  void Prepare(absl::string_view text, PreparedText* p) const {
    Scratch& s = ThreadScratch();
    normalizer->Normalize(text, &s.normalized);
    s.shingles.clear();
    HashShingles(s.normalized.code_points,
                 {.ngram = options.ngram, .seed = options.seed}, &s.shingles);
    p->signature.assign(static_cast<size_t>(options.num_perm), 0);
    p->present = hasher->Sketch(s.shingles, absl::MakeSpan(p->signature));
    if (!p->present) std::fill(p->signature.begin(), p->signature.end(), 0);
    p->containment.clear();
    if (containment_on()) {
      // As `neardup cluster` samples: from the hashes with their repeats,
      // with the same estimate of the distinct count.
      ContainmentSketch& c = s.mine;
      c.samples.clear();
      c.passage_keys.clear();
      c.probe = internal::SampleShingles(
          s.shingles, internal::EstimateDistinct(s.shingles, &s.bitmap),
          &c.samples);
      internal::AppendPassageKeys(text, passage, *normalizer, *hasher,
                                  &s.passage, &c.passage_keys);
      EncodeContainment(c, PassageBands(), &p->containment);
    }
    // Sorting the full hashes is SortUnique's fast case (uniform values,
    // bucketed on their top bits); the fingerprints, their top halves, come
    // out sorted too, with equal ones adjacent.
    SortUnique(&s.shingles);
    p->screened_by = 0;
    p->screened.clear();
    p->encoded.clear();
    p->fingerprints.clear();
    p->fingerprints.reserve(s.shingles.size());
    for (uint64_t h : s.shingles) {
      const uint64_t fingerprint = h >> 32;
      if (p->fingerprints.empty() || p->fingerprints.back() != fingerprint) {
        p->fingerprints.push_back(fingerprint);
      }
    }
  }

  // Copies a new document's encoded set into the block arena.
  const char* Store(absl::string_view bytes) {
    if (blocks.empty() || blocks.back().size - block_used < bytes.size()) {
      StoreBlock block;
      if (bytes.size() <= kStoreBlockBytes && !spare_blocks.empty()) {
        block = std::move(spare_blocks.back());
        spare_blocks.pop_back();
      } else {
        block.size = std::max(kStoreBlockBytes, bytes.size());
        block.data.reset(new char[block.size]);
      }
      blocks.push_back(std::move(block));
      block_used = 0;
    }
    char* out = blocks.back().data.get() + block_used;
    if (!bytes.empty()) std::memcpy(out, bytes.data(), bytes.size());
    block_used += bytes.size();
    return out;
  }

  // After `pending` was written to the log from `offset`: the documents in
  // it read their sets from the log from now on (mapped), and the blocks
  // that held them are kept for reuse. If the bytes cannot be mapped, the
  // documents stay in their blocks, which are then never reused.
  void ReadUnflushedFromLog(uint64_t offset, size_t length) {
    if (unflushed.empty()) return;
    auto file = internal::MappedFile::MapRange(log_fd, offset, length,
                                               Path(internal::kLogFile));
    std::lock_guard<std::shared_mutex> write(mu);
    if (!file.ok()) {
      for (StoreBlock& block : blocks) {
        pinned_blocks.push_back(std::move(block));
      }
      blocks.clear();
      block_used = 0;
      unflushed.clear();
      return;
    }
    const char* bytes = (*file)->bytes().data();
    for (const Unflushed& u : unflushed) {
      DeltaDoc& d = delta[u.seq - base];
      d.fp_data = bytes + u.fp_at;
      d.sketch_data = bytes + u.sketch_at;
    }
    unflushed.clear();
    mapped.push_back(std::move(*file));
    if (mapped.size() % 16 == 0) {
      // Verifying candidates reads their sets, so over a backfill nearly
      // every page of the log would come to count as resident (8 GB at a
      // million articles with containment). Every 16 writes, the pages of
      // all but the newest mappings are dropped from the resident set; the
      // page cache keeps them, and a later read faults them back in.
      for (size_t i = 0; i + 4 < mapped.size(); ++i) {
        size_t from = 0;
        mapped[i]->Release(nullptr, 0, &from);
      }
    }
    for (StoreBlock& block : blocks) {
      // A few blocks cover the records between two writes.
      if (block.size == kStoreBlockBytes && spare_blocks.size() < 4) {
        spare_blocks.push_back(std::move(block));
      }
    }
    blocks.clear();
    block_used = 0;
  }

  // --- Clusters ------------------------------------------------------------

  uint32_t Find(uint32_t seq) const {
    while (parent[seq] != seq) seq = parent[seq];
    return seq;
  }

  uint32_t FindAndCompress(uint32_t seq) {
    uint32_t root = Find(seq);
    while (parent[seq] != root) {
      uint32_t up = parent[seq];
      parent[seq] = root;
      seq = up;
    }
    return root;
  }

  absl::string_view Name(uint32_t root) const {
    auto it = name_override.find(root);
    return it == name_override.end() ? Id(root) : absl::string_view(it->second);
  }

  // The name a new cluster founded by `id` gets: the id itself unless a live
  // cluster already goes by it (its founder was removed), then "id#2",
  // "id#3", ...
  std::string NewClusterName(absl::string_view id) const {
    std::string name(id);
    for (int k = 2; reserved_names.contains(name); ++k) {
      name = absl::StrCat(id, "#", k);
    }
    return name;
  }

  // --- Matching ------------------------------------------------------------

  // The decision for an id that is already live as `seq`: kExists when
  // `p` is the same content (re-sending after a crash is harmless),
  // AlreadyExists when it is another text.
  absl::StatusOr<Decision> ExistingDecision(absl::string_view id, uint32_t seq,
                                            const PreparedText& p) const {
    if (!PayloadOk(seq)) return DamageError(seq);
    std::string encoded;
    internal::EncodeFingerprints(p.fingerprints, &encoded);
    const bool same = Present(seq) == p.present &&
                      std::equal(p.signature.begin(), p.signature.end(),
                                 SignatureOf(seq).begin()) &&
                      encoded == EncodedFingerprints(seq);
    if (!same) {
      return absl::AlreadyExistsError(absl::StrCat(
          "id \"", id,
          "\" is already in the index with a different text; remove it "
          "first to replace it"));
    }
    Decision decision;
    decision.id = std::string(id);
    decision.status = DecisionStatus::kExists;
    decision.cluster = std::string(Name(Find(seq)));
    return decision;
  }

  // Every live document with verified Jaccard >= threshold, best first.
  // Returns the first candidate whose stored data failed its check (it
  // matched nothing), or kNone.
  // With `count` false (a prescreening), the statistics are left alone:
  // the add that follows counts what it meets, as an unscreened add would.
  // With `checked`, also every candidate verified, by seq.
  uint32_t FindMatches(const PreparedText& p, std::vector<Verified>* out,
                       bool count = true,
                       std::vector<uint32_t>* checked = nullptr) const {
    out->clear();
    if (checked != nullptr) checked->clear();
    if (!p.present) return kNone;
    // Candidates older than screened_below that Prescreen verified keep
    // its answer (same epoch: the index changed by adds only). Most are all
    // of them, since buckets only grow; but a sampled shingle can turn
    // frequent in between, so any other is verified here.
    const bool screened =
        p.screened_by == instance && p.screened_epoch == epoch;
    Scratch& s = ThreadScratch();
    s.candidates.clear();
    for (int band = 0; band < bands.bands; ++band) {
      const uint64_t key = BandKey(p.signature, bands, band, options.seed);
      // Members go straight into the candidates, up to one past the cap, so
      // an oversized bucket costs O(max_bucket) here and is then cut back to
      // one candidate.
      const size_t first = s.candidates.size();
      auto members = [&] { return s.candidates.size() - first; };
      if (snap != nullptr) {
        snap->band(band).ForEachWhile(key, [&](uint32_t d) {
          if (Alive(d)) s.candidates.push_back(d);
          return members() <= max_bucket;
        });
      }
      if (!merged.empty() && members() <= max_bucket) {
        merged[band].table.ForEachWhile(key, [&](uint32_t d) {
          if (Alive(d)) s.candidates.push_back(d);
          return members() <= max_bucket;
        });
      }
      auto it = heads[band].find(key);
      if (it != heads[band].end()) {
        for (uint32_t d = it->second.newest;
             d != kNone && members() <= max_bucket; d = next[band][d - base]) {
          s.candidates.push_back(d);
        }
      }
      if (members() <= max_bucket) continue;
      // The oldest live member: snapshot documents are older than merged
      // ones, and those older than chained ones, and the tables give them
      // in seq order, so it is the first gathered if a table had one, else
      // the chain's tail.
      if (count) capped_buckets.fetch_add(1, std::memory_order_relaxed);
      const uint32_t oldest = s.candidates[first] < chain_base
                                  ? s.candidates[first]
                                  : it->second.oldest;
      s.candidates.resize(first);
      s.candidates.push_back(oldest);
    }
    const bool sketched =
        containment_on() &&
        DecodeContainment(p.containment, PassageBands(), &s.mine);
    if (sketched) PassageCandidates(s.mine, count, &s.candidates);
    std::sort(s.candidates.begin(), s.candidates.end());
    s.candidates.erase(std::unique(s.candidates.begin(), s.candidates.end()),
                       s.candidates.end());
    if (sketched) {
      // After the others: a syndicated story's copies are mostly band
      // candidates already, and need no sample screen.
      const size_t known = s.candidates.size();
      SampleCandidates(s.mine, known, &s.candidates);
      std::inplace_merge(s.candidates.begin(), s.candidates.begin() + known,
                         s.candidates.end());
      s.candidates.erase(std::unique(s.candidates.begin(), s.candidates.end()),
                         s.candidates.end());
    }
    if (count) {
      candidates_checked.fetch_add(s.candidates.size(),
                                   std::memory_order_relaxed);
    }
    uint32_t damaged = kNone;
    for (uint32_t d : s.candidates) {
      if (screened && d < p.screened_below) {
        auto it = std::lower_bound(p.screened.begin(), p.screened.end(), d,
                                   [](const PreparedText::Screened& m,
                                      uint32_t seq) { return m.seq < seq; });
        if (it != p.screened.end() && it->seq == d) {
          if (it->matched) out->push_back({d, it->jaccard, it->containment});
          continue;
        }
        // Not a candidate when prescreened (the sampled route's shingles
        // grow more frequent as documents arrive): verified now.
      }
      if (checked != nullptr) checked->push_back(d);
      const uint32_t fp_count = FpCount(d);
      const double min_jaccard = MinJaccard(fp_count, p.fingerprints.size());
      if (JaccardUpperBound(fp_count, p.fingerprints.size()) < min_jaccard ||
          !screen->Keep(SignatureOf(d), p.signature, min_jaccard)) {
        continue;
      }
      if (!PayloadOk(d) || !internal::DecodeFingerprints(
                               EncodedFingerprints(d), fp_count, &s.decoded)) {
        if (damaged == kNone) damaged = d;
        continue;
      }
      SetSimilarity sim = CompareSortedSets(s.decoded, p.fingerprints);
      if (sim.jaccard >= options.threshold ||
          (containment_on() && sim.containment >= options.containment)) {
        out->push_back({d, sim.jaccard, sim.containment});
      }
    }
    std::sort(out->begin(), out->end(),
              [](const Verified& a, const Verified& b) {
                if (a.jaccard != b.jaccard) return a.jaccard > b.jaccard;
                return a.seq < b.seq;
              });
    if (damaged != kNone && count) {
      damaged_reads.fetch_add(1, std::memory_order_relaxed);
    }
    return damaged;
  }

  // With boilerplate_df: scores each match's Jaccard without boilerplate as
  // of now, x (`p`) counted as a holder, as `neardup cluster` scores a pair
  // with the documents up to its later one; drops those under
  // min_weighted_jaccard. Returns the first match whose stored set failed
  // its check (dropped), or kNone.
  uint32_t ScoreBoilerplate(const PreparedText& p,
                            std::vector<Verified>* matches) const {
    if (!boilerplate_on()) return kNone;
    const uint32_t df = options.boilerplate_df;
    auto held = [&](uint64_t fingerprint) -> uint64_t {
      auto it = holders.find(static_cast<uint32_t>(fingerprint));
      return it == holders.end() ? 0 : it->second;
    };
    Scratch& s = ThreadScratch();
    uint32_t damaged = kNone;
    size_t kept_matches = 0;
    for (Verified& m : *matches) {
      if (!PayloadOk(m.seq) ||
          !internal::DecodeFingerprints(EncodedFingerprints(m.seq),
                                        FpCount(m.seq), &s.decoded)) {
        if (damaged == kNone) damaged = m.seq;
        continue;
      }
      // The new document, the second set, counts as a holder too.
      m.weighted = internal::JaccardOfKept(
          s.decoded, p.fingerprints, [&](uint64_t f, bool, bool in_x) {
            return held(f) + (in_x ? 1 : 0) <= df;
          });
      if (m.weighted >= options.min_weighted_jaccard) {
        (*matches)[kept_matches++] = m;
      }
    }
    matches->resize(kept_matches);
    return damaged;
  }

  // Counts a live document's fingerprints in or out of `holders`.
  void CountHolders(absl::Span<const uint64_t> fingerprints, bool add) {
    for (uint64_t f : fingerprints) {
      if (add) {
        ++holders[static_cast<uint32_t>(f)];
      } else if (auto it = holders.find(static_cast<uint32_t>(f));
                 it != holders.end() && --it->second == 0) {
        holders.erase(it);
      }
    }
  }

  // The least Jaccard sets of these sizes have when they link: the
  // threshold, or what containment implies (|A ∩ B| >= c min(|A|, |B|)
  // means J >= c m / (|A| + |B| - c m)).
  double MinJaccard(uint64_t a, uint64_t b) const {
    double min_jaccard = options.threshold;
    if (containment_on()) {
      const double needed =
          options.containment * static_cast<double>(std::min(a, b));
      const double total = static_cast<double>(a) + static_cast<double>(b);
      if (total > needed) {
        min_jaccard = std::min(min_jaccard, needed / (total - needed));
      }
    }
    return min_jaccard;
  }

  // Live documents with a passage in one of x's passage buckets. A bucket
  // over max_bucket offers its oldest member only, as `neardup cluster`
  // pairs an oversized passage bucket with its first document.
  void PassageCandidates(const ContainmentSketch& x, bool count,
                         std::vector<uint32_t>* out) const {
    const size_t passage_bands = PassageBands();
    auto table = [&](size_t i) -> const internal::PostingTable<uint32_t>& {
      return passage_docs[i % passage_bands];
    };
    Prefetched(
        x.passage_keys.size(),
        [&](size_t i) { table(i).Prefetch(x.passage_keys[i]); },
        [&](size_t i) {
          const auto docs = table(i).Find(x.passage_keys[i]);
          if (docs.size + 1 > max_bucket) {
            if (count) capped_buckets.fetch_add(1, std::memory_order_relaxed);
            out->push_back(docs.data[0]);
          } else {
            out->insert(out->end(), docs.begin(), docs.end());
          }
        });
  }

  // Calls visit(0), ..., visit(n - 1), each after prefetch(i) and a few
  // visits ahead: the containment tables hold millions of keys, so each
  // lookup misses the cache, and a run of them can overlap the misses.
  template <typename Prefetch, typename Visit>
  static void Prefetched(size_t n, Prefetch prefetch, Visit visit) {
    constexpr size_t kAhead = 8;
    for (size_t i = 0; i < std::min(n, kAhead); ++i) prefetch(i);
    for (size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) prefetch(i + kAhead);
      visit(i);
    }
  }

  // How many documents store the sample `key`, x included when it does: its
  // frequency as `neardup cluster` counts it, over the documents so far.
  size_t SampleFrequency(uint32_t key, bool x_stores) const {
    return stored_samples.Count(key) + (x_stores ? 1 : 0);
  }

  // The sampled route (src/internal/rare_shingles.h) between x and the
  // documents so far, both ways: older documents holding most of x's rare
  // probe shingles (x contained in them), and older documents most of whose
  // rare probe shingles x holds (they contained in x); each screened on the
  // two documents' samples.
  // Appends them to *out, whose first `known` are sorted candidates
  // already (not appended again); the new ones are appended sorted.
  void SampleCandidates(const ContainmentSketch& x, size_t known,
                        std::vector<uint32_t>* out) const {
    if (x.probe == internal::kNoProbe) return;
    auto is_known = [&](uint32_t y) {
      return std::binary_search(
          out->begin(), out->begin() + static_cast<ptrdiff_t>(known), y);
    };
    const size_t first_new = out->size();
    constexpr size_t kMaxFrequency = internal::RareShingleSample::kMaxFrequency;
    Scratch& s = ThreadScratch();
    ContainmentSketch& y_sketch = s.other;
    auto passes_screen = [&] {
      return internal::SamplesCouldQualify(x.samples, x.probe, y_sketch.samples,
                                           y_sketch.probe, min_contained,
                                           min_shared);
    };
    // Calls f(y, hits) for each document in s.hits, which it sorts.
    auto for_each_count = [&s](auto&& f) {
      std::sort(s.hits.begin(), s.hits.end());
      for (size_t i = 0; i < s.hits.size();) {
        size_t j = i + 1;
        while (j < s.hits.size() && s.hits[j] == s.hits[i]) ++j;
        f(s.hits[i], static_cast<uint32_t>(j - i));
        i = j;
      }
    };
    // x probes.
    s.hits.clear();
    const size_t probes = internal::SamplesAtLevel(x.samples, x.probe);
    uint32_t rare = 0;
    for (size_t i = 0; i < probes; ++i) {
      const auto docs = stored_samples.Find(x.samples[i]);
      if (docs.size + 1 > kMaxFrequency) continue;
      ++rare;
      s.hits.insert(s.hits.end(), docs.begin(), docs.end());
    }
    const uint32_t need = std::max<uint32_t>(2, (rare + 1) / 2);
    for_each_count([&](uint32_t y, uint32_t hits) {
      if (hits < need || is_known(y)) return;
      DecodeTrustedSamples(EncodedSketch(y), &y_sketch);
      if (y_sketch.probe == internal::kNoProbe || passes_screen()) {
        out->push_back(y);
      }
    });
    // Older documents probe, with shingles x stores.
    s.hits.clear();
    Prefetched(
        x.samples.size(),
        [&](size_t i) { probe_samples.Prefetch(x.samples[i]); },
        [&](size_t i) {
          const auto docs = probe_samples.Find(x.samples[i]);
          if (docs.size == 0 ||
              SampleFrequency(x.samples[i], true) > kMaxFrequency) {
            return;
          }
          s.hits.insert(s.hits.end(), docs.begin(), docs.end());
        });
    auto x_stores = [&x](uint32_t key) {
      return std::binary_search(x.samples.begin(), x.samples.end(), key,
                                std::greater<uint32_t>());
    };
    for_each_count([&](uint32_t y, uint32_t hits) {
      if (hits < 2 || is_known(y)) return;
      DecodeTrustedSamples(EncodedSketch(y), &y_sketch);
      const size_t y_probes =
          internal::SamplesAtLevel(y_sketch.samples, y_sketch.probe);
      uint32_t y_rare = 0;
      for (size_t i = 0; i < y_probes; ++i) {
        const uint32_t key = y_sketch.samples[i];
        if (SampleFrequency(key, x_stores(key)) <= kMaxFrequency) ++y_rare;
      }
      if (hits >= std::max<uint32_t>(2, (y_rare + 1) / 2) && passes_screen()) {
        out->push_back(y);
      }
    });
    std::sort(out->begin() + static_cast<ptrdiff_t>(first_new), out->end());
  }

  // Fills the containment tables with every live document, once the
  // snapshot is loaded and the log replayed (adds link as they come after
  // that): the samples on this thread, the passages on another, since the
  // tables are independent and a million documents hold 250 million keys.
  // DataLoss names the first document whose sketch is damaged (one in the
  // snapshot: the log's were checked when replayed).
  absl::Status BuildContainmentTables(const std::string& snapshot_path) {
    // (A damaged document is left out, so a read-only open that builds
    // them late can go on without it.)
    if (!containment_on()) return absl::OkStatus();
    const uint32_t n = DocCount();
    std::atomic<uint32_t> damaged{kNone};
    auto link_all = [&](bool samples) {
      ContainmentSketch c;
      for (uint32_t seq = 0; seq < n; ++seq) {
        if (!Alive(seq)) continue;
        if (!DecodeContainment(EncodedSketch(seq), PassageBands(), &c)) {
          uint32_t first = damaged.load();
          while (seq < first && !damaged.compare_exchange_weak(first, seq)) {
          }
          continue;  // Matches nothing by containment.
        }
        if (samples) {
          LinkSamples(seq, c);
        } else {
          LinkPassages(seq, c);
        }
      }
    };
    std::thread passages([&] { link_all(false); });
    link_all(true);
    passages.join();
    defer_containment = false;
    if (damaged != kNone) {
      return absl::DataLossError(absl::StrCat(
          snapshot_path, ": corrupt snapshot (containment sketch of document ",
          damaged.load(), "); restore the directory from a backup"));
    }
    return absl::OkStatus();
  }

  // Counts every live document's fingerprints into `holders`, once the
  // snapshot is loaded and the log replayed. A document whose set is
  // damaged is left out and noted in holders_damaged.
  void BuildHolders() {
    if (!boilerplate_on()) return;
    std::vector<uint64_t> fingerprints;
    for (uint32_t seq = 0; seq < DocCount(); ++seq) {
      if (!Alive(seq)) continue;
      if (!PayloadOk(seq) ||
          !internal::DecodeFingerprints(EncodedFingerprints(seq), FpCount(seq),
                                        &fingerprints)) {
        if (holders_damaged == kNone) holders_damaged = seq;
        continue;
      }
      CountHolders(fingerprints, /*add=*/true);
    }
    defer_holders = false;
  }

  // The tables built after the load: the containment tables and the
  // boilerplate counts.
  absl::Status BuildLateTables() {
    BuildHolders();
    return BuildContainmentTables(Path(internal::kSnapshotFile));
  }

  // Links live document `seq` into the containment tables (the newest of
  // every key it has).
  void LinkSamples(uint32_t seq, const ContainmentSketch& c) {
    Prefetched(
        c.samples.size(),
        [&](size_t i) { stored_samples.Prefetch(c.samples[i]); },
        [&](size_t i) { stored_samples.Add(c.samples[i], seq); });
    if (c.probe != internal::kNoProbe) {
      const size_t probes = internal::SamplesAtLevel(c.samples, c.probe);
      for (size_t i = 0; i < probes; ++i) probe_samples.Add(c.samples[i], seq);
    }
  }

  void LinkPassages(uint32_t seq, const ContainmentSketch& c) {
    const size_t passage_bands = PassageBands();
    Prefetched(
        c.passage_keys.size(),
        [&](size_t i) {
          passage_docs[i % passage_bands].Prefetch(c.passage_keys[i]);
        },
        [&](size_t i) {
          passage_docs[i % passage_bands].Add(c.passage_keys[i], seq);
        });
  }

  void UnlinkContainment(uint32_t seq) {
    ContainmentSketch c;
    if (!DecodeContainment(EncodedSketch(seq), PassageBands(), &c)) return;
    for (uint32_t key : c.samples) stored_samples.Remove(key, seq);
    if (c.probe != internal::kNoProbe) {
      const size_t probes = internal::SamplesAtLevel(c.samples, c.probe);
      for (size_t i = 0; i < probes; ++i) {
        probe_samples.Remove(c.samples[i], seq);
      }
    }
    const size_t passage_bands = PassageBands();
    for (size_t i = 0; i < c.passage_keys.size(); ++i) {
      passage_docs[i % passage_bands].Remove(c.passage_keys[i], seq);
    }
  }

  // Distinct cluster roots of the matches, oldest first.
  std::vector<uint32_t> RootsOf(const std::vector<Verified>& matches) const {
    std::vector<uint32_t> roots;
    roots.reserve(matches.size());
    for (const Verified& v : matches) roots.push_back(Find(v.seq));
    std::sort(roots.begin(), roots.end());
    roots.erase(std::unique(roots.begin(), roots.end()), roots.end());
    return roots;
  }

  Decision MakeDecision(absl::string_view id,
                        const std::vector<Verified>& matches,
                        const std::vector<uint32_t>& roots,
                        size_t max_matches) const {
    Decision d;
    d.id = std::string(id);
    if (roots.empty()) {
      d.status = DecisionStatus::kNew;
      d.cluster = NewClusterName(id);
      return d;
    }
    d.status = DecisionStatus::kDuplicate;
    d.cluster = std::string(Name(roots[0]));
    for (size_t i = 1; i < roots.size(); ++i) {
      d.merged.push_back(std::string(Name(roots[i])));
    }
    for (size_t i = 0; i < matches.size() && i < max_matches; ++i) {
      d.matches.push_back({std::string(Id(matches[i].seq)), matches[i].jaccard,
                           matches[i].containment,
                           matches[i].jaccard < options.threshold,
                           matches[i].weighted});
    }
    return d;
  }

  // --- Applying changes (shared by Add, replay and snapshot load) ----------

  // Links delta document `seq` (the newest) into the band chains.
  void LinkBands(uint32_t seq) {
    for (int band = 0; band < bands.bands; ++band) {
      if (!Present(seq)) {
        next[band].push_back(kNone);
        continue;
      }
      const uint64_t key = BandKey(SignatureOf(seq), bands, band, options.seed);
      auto [it, inserted] = heads[band].try_emplace(key, Bucket{seq, seq});
      next[band].push_back(inserted ? kNone : it->second.newest);
      it->second.newest = seq;
    }
    const uint32_t chained = DocCount() - chain_base;
    if (bands.rows <= kMergeMaxRows && chained >= kMinMerge &&
        chained >= (chain_base - base) / 2) {
      MergeChains();
    }
  }

  // Moves the chained documents' band entries into the merged tables. The
  // buckets keep their members (live ones: lookups skip the others, as in
  // the snapshot's tables), so a prescreening stays valid.
  void MergeChains() {
    const uint32_t n = DocCount();
    merged.resize(static_cast<size_t>(bands.bands));
    std::vector<std::pair<uint64_t, uint32_t>> added;
    for (int band = 0; band < bands.bands; ++band) {
      added.clear();
      for (uint32_t seq = chain_base; seq < n; ++seq) {
        if (!Alive(seq) || !Present(seq)) continue;
        added.emplace_back(BandKey(SignatureOf(seq), bands, band, options.seed),
                           seq);
      }
      std::sort(added.begin(), added.end());
      MergedBand& m = merged[band];
      // Merged into the spare arrays, which then trade places with the
      // band's: the memory is reused from band to band and merge to merge
      // instead of being faulted in afresh each time.
      std::vector<uint64_t>& keys = merge_keys;
      std::vector<uint32_t>& values = merge_values;
      keys.clear();
      values.clear();
      keys.reserve(m.keys.size() + added.size());
      values.reserve(m.keys.size() + added.size());
      size_t i = 0;
      for (const auto& [key, seq] : added) {
        // Entries of the same key keep seq order: older ones are all
        // below chain_base.
        for (; i < m.keys.size() && m.keys[i] <= key; ++i) {
          if (!Alive(m.values[i])) continue;
          keys.push_back(m.keys[i]);
          values.push_back(m.values[i]);
        }
        keys.push_back(key);
        values.push_back(seq);
      }
      for (; i < m.keys.size(); ++i) {
        if (!Alive(m.values[i])) continue;
        keys.push_back(m.keys[i]);
        values.push_back(m.values[i]);
      }
      m.keys.swap(keys);
      m.values.swap(values);
      m.table.Init(m.keys.data(), m.values.data(), m.keys.size(), n);
      heads[band] = {};
    }
    chain_base = n;
  }

  // Snapshot documents stay in the mapped band tables; lookups skip them
  // once they are no longer alive.
  void UnlinkBands(uint32_t seq) {
    if (seq < chain_base || !Present(seq)) return;
    for (int band = 0; band < bands.bands; ++band) {
      std::vector<uint32_t>& chain = next[band];
      const uint64_t key = BandKey(SignatureOf(seq), bands, band, options.seed);
      auto it = heads[band].find(key);
      if (it == heads[band].end()) continue;
      if (it->second.newest == seq) {
        if (chain[seq - base] == kNone) {
          heads[band].erase(it);
        } else {
          it->second.newest = chain[seq - base];
        }
      } else {
        for (uint32_t d = it->second.newest; d != kNone; d = chain[d - base]) {
          if (chain[d - base] == seq) {
            chain[d - base] = chain[seq - base];
            if (it->second.oldest == seq) it->second.oldest = d;
            break;
          }
        }
      }
      chain[seq - base] = kNone;
    }
  }

  // Appends a document (seq == DocCount()) and links it to `links` (cluster
  // roots or members, all older).
  // With containment, `sketch` is the document's encoded containment sketch
  // (well formed: checked by the caller) and `stable` covers it too.
  void ApplyAdd(absl::string_view id, bool present,
                absl::Span<const uint32_t> signature,
                absl::string_view encoded_fps, bool stable, uint32_t fp_count,
                absl::Span<const uint32_t> links,
                absl::string_view sketch = {}) {
    const uint32_t seq = DocCount();
    DeltaDoc doc;
    doc.id = std::string(id);
    doc.fp_data = stable ? encoded_fps.data() : Store(encoded_fps);
    doc.fp_bytes = static_cast<uint32_t>(encoded_fps.size());
    doc.fp_count = fp_count;
    doc.sketch_data = stable ? sketch.data() : Store(sketch);
    doc.sketch_bytes = static_cast<uint32_t>(sketch.size());
    delta.push_back(std::move(doc));
    parent.push_back(seq);
    live_count.push_back(1);
    flags.push_back(static_cast<uint8_t>(
        internal::kDocAlive | (present ? internal::kDocPresent : 0)));
    signatures.insert(signatures.end(), signature.begin(), signature.end());
    fingerprint_bytes += encoded_fps.size();
    live_ids.emplace(std::string(id), seq);
    ++live;
    LinkBands(seq);
    if (containment_on() && !defer_containment) {
      ContainmentSketch c;
      if (DecodeContainment(sketch, PassageBands(), &c)) {
        LinkSamples(seq, c);
        LinkPassages(seq, c);
      }
    }
    if (links.empty()) {
      std::string name = NewClusterName(id);
      if (name != id) {
        name_override.emplace(seq, name);
        reserved_names.emplace(std::move(name), seq);
      }
      return;
    }
    std::vector<uint32_t> roots;
    for (uint32_t link : links) roots.push_back(FindAndCompress(link));
    std::sort(roots.begin(), roots.end());
    roots.erase(std::unique(roots.begin(), roots.end()), roots.end());
    const uint32_t survivor = roots[0];
    for (size_t i = 1; i < roots.size(); ++i) {
      const uint32_t absorbed = roots[i];
      auto reserved = reserved_names.find(Name(absorbed));
      if (reserved != reserved_names.end() && reserved->second == absorbed) {
        reserved_names.erase(reserved);
      }
      parent[absorbed] = survivor;
      live_count[survivor] += live_count[absorbed];
      live_count[absorbed] = 0;
    }
    parent[seq] = survivor;
    live_count[seq] = 0;
    live_count[survivor] += 1;
  }

  void ApplyRemove(uint32_t seq) {
    ++epoch;
    UnlinkBands(seq);
    if (containment_on()) UnlinkContainment(seq);
    if (boilerplate_on() && !defer_holders && seq != holders_damaged) {
      std::vector<uint64_t> fingerprints;
      if (PayloadOk(seq) &&
          internal::DecodeFingerprints(EncodedFingerprints(seq), FpCount(seq),
                                       &fingerprints)) {
        CountHolders(fingerprints, /*add=*/false);
      }
    }
    if (seq >= base) live_ids.erase(delta[seq - base].id);
    flags[seq] &= static_cast<uint8_t>(~internal::kDocAlive);
    --live;
    ++removed;
    const uint32_t root = FindAndCompress(seq);
    --live_count[root];
    const absl::string_view name = Name(root);
    if (live_count[root] == 0) {
      auto it = reserved_names.find(name);
      if (it != reserved_names.end() && it->second == root) {
        reserved_names.erase(it);
      }
    } else if (root == seq) {
      reserved_names.emplace(std::string(name), root);
    }
  }

  // --- Log -----------------------------------------------------------------

  absl::Status FlushPending() {
    if (pending.empty()) return absl::OkStatus();
    if (internal::KillPointReached("log-write")) {
      // A crash test's torn write: half the records, then the kill.
      WriteAllFd(log_fd,
                 absl::string_view(pending).substr(0, pending.size() / 2),
                 Path(internal::kLogFile))
          .IgnoreError();
      internal::KillNow();
    }
    absl::Status s = WriteAllFd(log_fd, pending, Path(internal::kLogFile));
    if (!s.ok()) {
      write_error = s;
      return s;
    }
    const uint64_t offset =
        log_bytes.fetch_add(pending.size(), std::memory_order_relaxed);
    ReadUnflushedFromLog(offset, pending.size());
    pending.clear();
    unsynced = true;
    return absl::OkStatus();
  }

  absl::Status SyncLocked() {
    NEARDUP_RETURN_IF_ERROR(write_error);
    if (pending.empty() && !unsynced) return absl::OkStatus();
    NEARDUP_RETURN_IF_ERROR(FlushPending());
    internal::KillPoint("log-fsync");
    unsynced = false;
    if (::fdatasync(log_fd) != 0) {
      write_error = IoError("fsync failed", Path(internal::kLogFile));
      return write_error;
    }
    internal::KillPoint("log-synced");
    return absl::OkStatus();
  }

  absl::Status CheckWritable() {
    if (read_only) {
      return absl::FailedPreconditionError(
          absl::StrCat(dir, ": index was opened read-only"));
    }
    if (!write_error.ok()) {
      // The write error's own code: a full disk stays a full disk (the CLI's
      // exit status 1), not a misuse of the index.
      return absl::Status(
          write_error.code(),
          absl::StrCat(dir, ": an earlier write failed (",
                       write_error.message(),
                       "); reopen the index to continue from its durable "
                       "state"));
    }
    return absl::OkStatus();
  }

  // --- Loading -------------------------------------------------------------

  // The header version of this index's meta and log files, and of its
  // snapshots.
  uint32_t FileVersion() const {
    return containment_on() ? kContainmentIndexFormatVersion
                            : kIndexFormatVersion;
  }
  uint32_t SnapshotVersion() const {
    return containment_on() ? internal::kContainmentSnapshotVersion
                            : internal::kSnapshotFormatVersion;
  }

  absl::Status ReplayAdd(Reader& r, const std::string& where) {
    uint64_t seq = 0, fp_count = 0, nlinks = 0;
    absl::string_view id, fps;
    uint8_t present = 0;
    auto bad = [&](absl::string_view what) {
      return absl::DataLossError(absl::StrCat(where, ": ", what));
    };
    if (!r.GetVarint(&seq) || !r.GetString(&id) || !r.GetByte(&present)) {
      return bad("malformed add record");
    }
    if (seq != DocCount()) return bad("add record out of sequence");
    if (id.empty() || id.size() > kMaxIdBytes || LiveSeq(id) != kNone) {
      return bad("add record with an empty or already indexed id");
    }
    std::vector<uint32_t> signature(static_cast<size_t>(options.num_perm), 0);
    if (present > 1) return bad("malformed add record");
    if (present) {
      for (uint32_t& slot : signature) {
        if (!r.GetFixed32(&slot)) return bad("malformed add record");
      }
    }
    if (!r.GetVarint(&fp_count) || !r.GetString(&fps) ||
        !r.GetVarint(&nlinks) || nlinks > seq) {
      return bad("malformed add record");
    }
    std::vector<uint32_t> links;
    for (uint64_t i = 0; i < nlinks; ++i) {
      uint64_t link = 0;
      if (!r.GetVarint(&link) || link >= seq) return bad("bad cluster link");
      links.push_back(static_cast<uint32_t>(link));
    }
    absl::string_view sketch;
    if (containment_on()) {
      ContainmentSketch c;
      if (!r.GetString(&sketch) ||
          !DecodeContainment(sketch, PassageBands(), &c)) {
        return bad("malformed containment sketch");
      }
    }
    if (!r.done()) return bad("malformed add record");
    if (fp_count > std::numeric_limits<uint32_t>::max() ||
        !internal::HasVarintCount(fps, fp_count)) {
      return bad("malformed shingle fingerprints");
    }
    if (DocCount() >= MaxDocuments()) return bad("too many documents");
    // `fps` points into the log's mapping, which Open keeps in `mapped`.
    ApplyAdd(id, present == 1, signature, fps, /*stable=*/true,
             static_cast<uint32_t>(fp_count), links, sketch);
    return absl::OkStatus();
  }

  absl::Status ReplayRemove(Reader& r, const std::string& where) {
    uint64_t seq = 0;
    absl::string_view id;
    if (!r.GetVarint(&seq) || !r.GetString(&id) || !r.done() ||
        seq >= DocCount() || !Alive(static_cast<uint32_t>(seq)) ||
        Id(static_cast<uint32_t>(seq)) != id) {
      return absl::DataLossError(
          absl::StrCat(where, ": remove record names no indexed document"));
    }
    ApplyRemove(static_cast<uint32_t>(seq));
    return absl::OkStatus();
  }

  // Cluster bookkeeping shared by both snapshot versions, once `parent`
  // (compressed: every parent is a root), `flags` and `name_override` are
  // in place.
  void FinishSnapshotLoad(OpenReport* report) {
    const uint32_t n = DocCount();
    live_count.assign(n, 0);
    for (uint32_t seq = 0; seq < n; ++seq) {
      if (Alive(seq)) ++live_count[parent[seq]];
    }
    for (uint32_t seq = 0; seq < n; ++seq) {
      if (parent[seq] != seq || live_count[seq] == 0) continue;
      if (name_override.contains(seq) || !Alive(seq)) {
        reserved_names.emplace(std::string(Name(seq)), seq);
      }
    }
    if (report != nullptr) report->snapshot_documents = live;
  }

  // Version 2: checked and used in place (src/internal/snapshot.h).
  absl::Status LoadSnapshotV2(std::unique_ptr<internal::MappedFile> file,
                              const std::string& path, OpenReport* report) {
    NEARDUP_ASSIGN_OR_RETURN(
        snap, internal::SnapshotView::Open(std::move(file), path, Shape(0)));
    base = snap->doc_count();
    chain_base = base;
    parent.resize(base);
    flags.resize(base);
    for (uint32_t seq = 0; seq < base; ++seq) {
      const internal::SnapshotDoc& d = snap->doc(seq);
      parent[seq] = d.root;
      flags[seq] = static_cast<uint8_t>(d.flags);
      fingerprint_bytes += d.fp_bytes;
      if (d.flags & internal::kDocAlive) {
        ++live;
      } else {
        ++removed;
      }
    }
    for (const auto& [seq, name] : snap->names()) {
      name_override.emplace(seq, std::string(name));
    }
    FinishSnapshotLoad(report);
    return absl::OkStatus();
  }

  // The snapshot layout of this index.
  internal::SnapshotShape Shape(uint64_t doc_count) const {
    return {static_cast<uint32_t>(options.num_perm),
            static_cast<uint32_t>(bands.bands),
            static_cast<uint32_t>(bands.rows), doc_count, containment_on()};
  }

  // Version 1: a record per document, loaded as delta documents whose
  // fingerprint sets stay inside the mapping `bytes` belongs to.
  absl::Status LoadSnapshotV1(absl::string_view bytes, const std::string& path,
                              OpenReport* report) {
    size_t offset = internal::kFileHeaderBytes;
    auto bad = [&](absl::string_view what) {
      return absl::DataLossError(
          absl::StrCat(path, ": corrupt snapshot (", what, " at byte ", offset,
                       "); restore the directory from a backup"));
    };
    bool ended = false;
    while (!ended) {
      absl::string_view payload;
      const size_t at = offset;
      internal::RecordCheck rc = internal::ReadRecord(bytes, &offset, &payload);
      if (rc == internal::RecordCheck::kEnd) return bad("no end record");
      if (rc != internal::RecordCheck::kOk) return bad("damaged record");
      Reader r(payload);
      uint8_t type = 0;
      r.GetByte(&type);
      if (type == internal::kSnapshotEndRecord) {
        uint64_t count = 0;
        if (!r.GetVarint(&count) || !r.done() || count != DocCount()) {
          offset = at;
          return bad("end record does not match");
        }
        ended = true;
        continue;
      }
      if (type != internal::kSnapshotDocRecord) {
        offset = at;
        return bad("unknown record type");
      }
      uint64_t seq = 0, root = 0, fp_count = 0;
      uint8_t doc_flags = 0;
      absl::string_view id, fps, override_name;
      if (!r.GetVarint(&seq) || seq != DocCount() || !r.GetByte(&doc_flags) ||
          doc_flags > 3 || !r.GetString(&id) || !r.GetVarint(&root) ||
          root > seq || id.empty() || seq >= kNone - 1) {
        offset = at;
        return bad("malformed document");
      }
      const bool alive = doc_flags & 1, present = doc_flags & 2;
      std::vector<uint32_t> signature(static_cast<size_t>(options.num_perm), 0);
      if (alive && present) {
        for (uint32_t& slot : signature) {
          if (!r.GetFixed32(&slot)) return bad("malformed document");
        }
      }
      if (alive) {
        if (!r.GetVarint(&fp_count) || !r.GetString(&fps) ||
            fp_count > std::numeric_limits<uint32_t>::max() ||
            !internal::HasVarintCount(fps, fp_count) || LiveSeq(id) != kNone) {
          offset = at;
          return bad("malformed document");
        }
      }
      if (!r.GetString(&override_name) || !r.done()) {
        offset = at;
        return bad("malformed document");
      }
      const uint32_t s = static_cast<uint32_t>(seq);
      DeltaDoc doc;
      doc.id = std::string(id);
      doc.fp_data = fps.data();  // Inside the snapshot mapping, kept.
      doc.fp_bytes = static_cast<uint32_t>(fps.size());
      doc.fp_count = static_cast<uint32_t>(fp_count);
      delta.push_back(std::move(doc));
      parent.push_back(static_cast<uint32_t>(root));
      flags.push_back(
          static_cast<uint8_t>((alive ? internal::kDocAlive : 0) |
                               (alive && present ? internal::kDocPresent : 0)));
      signatures.insert(signatures.end(), signature.begin(), signature.end());
      fingerprint_bytes += fps.size();
      if (!override_name.empty()) {
        name_override.emplace(s, std::string(override_name));
      }
      if (alive) {
        live_ids.emplace(std::string(id), s);
        ++live;
      } else {
        ++removed;
      }
      LinkBands(s);
    }
    if (offset != bytes.size()) return bad("bytes after the end record");
    // Parents point at roots (written compressed), roots at themselves.
    for (uint32_t seq = 0; seq < DocCount(); ++seq) {
      const uint32_t p = parent[seq];
      if (parent[p] != p) {
        offset = 0;
        return bad("cluster links are inconsistent");
      }
    }
    FinishSnapshotLoad(report);
    return absl::OkStatus();
  }

  // After a compaction: serves every document from the new snapshot, as a
  // reopen would, and releases the old mapping (whose disk space a deleted
  // file keeps while mapped), the log image and the delta tables. If the
  // new file cannot be mapped, the current tables, which hold the same
  // state, stay.
  void AdoptSnapshot(const std::string& path) {
    auto file = internal::MappedFile::Map(path);
    if (!file.ok()) return;
    internal::FileHeader header;
    if (internal::ParseFileHeader((*file)->bytes(), internal::kSnapshotMagic,
                                  SnapshotVersion(),
                                  &header) != internal::HeaderCheck::kOk ||
        header.version != SnapshotVersion()) {
      return;
    }
    auto view = internal::SnapshotView::Open(std::move(*file), path, Shape(0));
    if (!view.ok() || (*view)->doc_count() != DocCount()) return;
    std::lock_guard<std::shared_mutex> write(mu);
    // Under mu, as Prescreen reads it (a data race before: found by
    // tests/tsan_test.cc). A failed adoption changes nothing, so a
    // prescreening made before it still stands.
    ++epoch;
    snap = std::move(*view);
    base = snap->doc_count();
    fingerprint_bytes = 0;
    for (uint32_t seq = 0; seq < base; ++seq) {
      flags[seq] = static_cast<uint8_t>(snap->doc(seq).flags);
      fingerprint_bytes += snap->doc(seq).fp_bytes;
    }
    delta = {};
    signatures = {};
    live_ids = {};
    for (int band = 0; band < bands.bands; ++band) {
      heads[band] = {};
      next[band] = {};
    }
    merged.clear();
    merge_keys = {};
    merge_values = {};
    chain_base = base;
    mapped.clear();
    blocks.clear();
    pinned_blocks.clear();
    block_used = 0;
    unflushed.clear();
  }

  // Follows a pass over the documents' stored bytes in seq order (a
  // compaction's), dropping the mapped log's pages behind it: the log is
  // mapped in the order it was written, so the pass moves from one mapping
  // to the next. Without it a compaction's resident set would count every
  // page of the log it read (7.6 GB at a million news articles), though the
  // kernel may drop them at will.
  class ReleaseBehind {
   public:
    explicit ReleaseBehind(
        const std::vector<std::unique_ptr<internal::MappedFile>>& files)
        : files_(files) {}
    ReleaseBehind(const ReleaseBehind&) = delete;
    ReleaseBehind& operator=(const ReleaseBehind&) = delete;
    ~ReleaseBehind() {
      if (at_ < files_.size()) files_[at_]->Release(nullptr, 0, &released_);
    }

    void Passed(const char* p) {
      if (at_ >= files_.size()) return;
      if (!files_[at_]->Holds(p)) {
        // Only the next mapping is looked at: bytes held elsewhere (the
        // arena, a snapshot) leave the cursor where it is.
        if (at_ + 1 >= files_.size() || !files_[at_ + 1]->Holds(p)) return;
        files_[at_]->Release(nullptr, 0, &released_);
        ++at_;
        released_ = 0;
      }
      files_[at_]->Release(p, kStep, &released_);
    }

   private:
    static constexpr size_t kStep = size_t{64} << 20;
    const std::vector<std::unique_ptr<internal::MappedFile>>& files_;
    size_t at_ = 0;
    size_t released_ = 0;
  };

  // Writes the whole state as a version-2 snapshot. Payloads read from a
  // mapped snapshot are checked as they are copied, so damage is reported
  // rather than sealed under a new checksum.
  absl::Status WriteSnapshot(int fd, const std::string& path,
                             uint64_t new_generation, uint64_t* written) const {
    const uint32_t n = DocCount();
    const size_t num_perm = static_cast<size_t>(options.num_perm);
    const std::vector<uint32_t> zeros(num_perm, 0);
    std::vector<internal::SnapshotDoc> entries(n);
    uint64_t fp_offset = 0;
    std::optional<ReleaseBehind> behind(std::in_place, mapped);
    for (uint32_t seq = 0; seq < n; ++seq) {
      internal::SnapshotDoc& e = entries[seq];
      const bool alive = Alive(seq);
      e.fp_offset = fp_offset;
      e.root = Find(seq);
      e.flags = alive
                    ? internal::kDocAlive | (flags[seq] & internal::kDocPresent)
                    : 0;
      if (alive) {
        if (!PayloadOk(seq)) return DamageError(seq);
        const absl::string_view fps = EncodedFingerprints(seq);
        behind->Passed(fps.data());
        e.fp_bytes = static_cast<uint32_t>(fps.size());
        e.fp_count = FpCount(seq);
        e.checksum = seq < base
                         ? snap->doc(seq).checksum
                         : internal::PayloadChecksum(SignatureOf(seq), fps);
      } else {
        e.fp_bytes = 0;
        e.fp_count = 0;
        e.checksum = internal::PayloadChecksum(zeros, absl::string_view());
      }
      fp_offset += e.fp_bytes;
    }
    internal::SnapshotWriter w(fd, path, new_generation, Shape(n));
    w.BeginSection(internal::kDocsSection);
    w.AppendArray(absl::MakeConstSpan(entries));
    entries = {};

    std::vector<uint64_t> id_offsets(static_cast<size_t>(n) + 1, 0);
    for (uint32_t seq = 0; seq < n; ++seq) {
      id_offsets[seq + 1] = id_offsets[seq] + Id(seq).size();
    }
    w.BeginSection(internal::kIdOffsetsSection);
    w.AppendArray(absl::MakeConstSpan(id_offsets));
    id_offsets = {};
    w.BeginSection(internal::kIdBytesSection);
    for (uint32_t seq = 0; seq < n; ++seq) w.Append(Id(seq));

    // Sorted (key, seq) tables: keys, then seqs.
    std::vector<std::pair<uint64_t, uint32_t>> table;
    std::vector<uint64_t> keys;
    std::vector<uint32_t> values;
    auto append_table = [&] {
      keys.resize(table.size());
      values.resize(table.size());
      for (size_t i = 0; i < table.size(); ++i) {
        keys[i] = table[i].first;
        values[i] = table[i].second;
      }
      w.AppendArray(absl::MakeConstSpan(keys));
      w.AppendArray(absl::MakeConstSpan(values));
    };
    table.reserve(live);
    for (uint32_t seq = 0; seq < n; ++seq) {
      if (Alive(seq)) table.emplace_back(internal::IdHash(Id(seq)), seq);
    }
    std::sort(table.begin(), table.end());
    w.BeginSection(internal::kIdTableSection);
    append_table();

    std::vector<std::pair<uint32_t, absl::string_view>> names;
    for (const auto& [seq, name] : name_override) names.emplace_back(seq, name);
    std::sort(names.begin(), names.end());
    std::string encoded_names;
    internal::PutVarint(names.size(), &encoded_names);
    for (const auto& [seq, name] : names) {
      internal::PutVarint(seq, &encoded_names);
      internal::PutString(name, &encoded_names);
    }
    w.BeginSection(internal::kNamesSection);
    w.Append(encoded_names);

    // Band tables: the old snapshot's (already sorted) merged with the
    // delta's.
    for (int band = 0; band < bands.bands; ++band) {
      table.clear();
      if (snap != nullptr) {
        const internal::KeyTable& old = snap->band(band);
        for (size_t i = 0; i < old.size(); ++i) {
          if (Alive(old.value(i))) table.emplace_back(old.key(i), old.value(i));
        }
      }
      const size_t middle = table.size();
      for (uint32_t seq = base; seq < n; ++seq) {
        if (!Alive(seq) || !Present(seq)) continue;
        table.emplace_back(BandKey(SignatureOf(seq), bands, band, options.seed),
                           seq);
      }
      std::sort(table.begin() + middle, table.end());
      std::inplace_merge(table.begin(), table.begin() + middle, table.end());
      w.BeginSection(internal::kBandSection);
      append_table();
    }
    if (containment_on()) {
      std::vector<uint64_t> offsets(static_cast<size_t>(n) + 1, 0);
      for (uint32_t seq = 0; seq < n; ++seq) {
        offsets[seq + 1] =
            offsets[seq] + (Alive(seq) ? EncodedSketch(seq).size() : 0);
      }
      w.BeginSection(internal::kContainmentOffsetsSection);
      w.AppendArray(absl::MakeConstSpan(offsets));
      offsets = {};
      w.BeginSection(internal::kContainmentSection);
      behind.emplace(mapped);
      for (uint32_t seq = 0; seq < n; ++seq) {
        if (!Alive(seq)) continue;
        w.Append(EncodedSketch(seq));
        behind->Passed(EncodedSketch(seq).data());
      }
    }

    w.BeginSection(internal::kSignaturesSection);
    for (uint32_t seq = 0; seq < n; ++seq) {
      w.AppendArray(Alive(seq) ? SignatureOf(seq) : absl::MakeConstSpan(zeros));
    }
    w.BeginSection(internal::kFingerprintsSection);
    behind.emplace(mapped);
    for (uint32_t seq = 0; seq < n; ++seq) {
      if (!Alive(seq)) continue;
      w.Append(EncodedFingerprints(seq));
      behind->Passed(EncodedFingerprints(seq).data());
    }
    behind.reset();
    absl::Status status = w.Finish();
    *written = w.bytes_written();
    return status;
  }

  // Replays the log; a torn tail is cut at the last good record (writers)
  // or ignored (readers), with a warning. Damage followed by good records
  // is refused: dropping them silently would lose acknowledged data.
  absl::Status ReplayLog(absl::string_view bytes, const std::string& path,
                         OpenReport* report, uint64_t* good_end) {
    size_t offset = internal::kFileHeaderBytes;
    uint64_t replayed = 0;
    for (;;) {
      absl::string_view payload;
      const size_t at = offset;
      internal::RecordCheck rc = internal::ReadRecord(bytes, &offset, &payload);
      if (rc == internal::RecordCheck::kEnd) break;
      if (rc != internal::RecordCheck::kOk) {
        // A torn write leaves a prefix of the last record: its frame runs
        // past the end, or its checksum fails with nothing after it.
        const bool torn = rc == internal::RecordCheck::kTruncated ||
                          rc == internal::RecordCheck::kTooLarge ||
                          LastRecordEndsAtEof(bytes, at);
        if (!torn) {
          return absl::DataLossError(absl::StrCat(
              path, ": record at byte ", at,
              " is damaged and more records follow; refusing to drop "
              "acknowledged data (restore the directory from a backup)"));
        }
        if (report != nullptr) {
          report->warnings.push_back(absl::StrCat(
              path, ": torn tail of ", bytes.size() - at, " bytes at byte ", at,
              read_only ? " ignored" : " truncated",
              " (an unacknowledged write cut short)"));
        }
        break;
      }
      const std::string where = absl::StrCat(path, ": record at byte ", at);
      Reader r(payload);
      uint8_t type = 0;
      r.GetByte(&type);
      if (type == internal::kAddRecord) {
        NEARDUP_RETURN_IF_ERROR(ReplayAdd(r, where));
      } else if (type == internal::kRemoveRecord) {
        NEARDUP_RETURN_IF_ERROR(ReplayRemove(r, where));
      } else {
        return absl::DataLossError(
            absl::StrCat(where, ": unknown record type ", type));
      }
      ++replayed;
    }
    *good_end = offset;
    if (report != nullptr) report->log_records_replayed = replayed;
    return absl::OkStatus();
  }

  static bool LastRecordEndsAtEof(absl::string_view bytes, size_t at) {
    if (bytes.size() - at < 4) return true;
    uint32_t length = 0;
    std::memcpy(&length, bytes.data() + at, 4);  // Little-endian hosts.
    return bytes.size() - at == internal::kRecordOverhead + length;
  }
};

Index::Index(std::unique_ptr<State> state) : state_(std::move(state)) {}
Index::~Index() = default;

absl::Status Index::Create(const std::string& dir,
                           const IndexOptions& options) {
  NEARDUP_RETURN_IF_ERROR(ValidateIndexOptions(options));
  IndexOptions stored = options;
  const bool containment = options.containment > 0;
  if (stored.bands == 0) {
    // As BandJaccard() chooses for `neardup cluster`.
    const double band_jaccard =
        containment ? std::min(options.threshold, kContainmentBandJaccard)
                    : options.threshold;
    NEARDUP_ASSIGN_OR_RETURN(
        BandParams bands,
        ChooseBands(band_jaccard, options.num_perm, options.min_recall));
    stored.bands = bands.bands;
    stored.rows = bands.rows;
  }
  PassageParams passage;
  if (containment) {
    NEARDUP_ASSIGN_OR_RETURN(passage, DefaultPassageParams(options.num_perm));
  }
  // The log's version; meta's is MetaVersion(stored).
  const uint32_t version =
      containment ? kContainmentIndexFormatVersion : kIndexFormatVersion;
  std::error_code ec;
  namespace fs = std::filesystem;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) {
      return absl::AlreadyExistsError(
          absl::StrCat(dir, ": exists and is not a directory"));
    }
    if (fs::exists(fs::path(dir) / internal::kMetaFile, ec)) {
      return absl::AlreadyExistsError(
          absl::StrCat(dir, ": already holds an index"));
    }
    if (!fs::is_empty(dir, ec)) {
      return absl::AlreadyExistsError(absl::StrCat(
          dir, ": directory is not empty; give a new or empty directory"));
    }
  } else if (!fs::create_directories(dir, ec) || ec) {
    return absl::PermissionDeniedError(
        absl::StrCat(dir, ": cannot create directory: ", ec.message()));
  }
  // The log first: an index directory is one whose meta file exists.
  std::string log;
  internal::AppendFileHeader({internal::kLogMagic, version, /*generation=*/0},
                             &log);
  NEARDUP_RETURN_IF_ERROR(WriteFileAtomically(dir, internal::kLogFile, log));
  std::string meta;
  internal::AppendFileHeader({internal::kMetaMagic, MetaVersion(stored), 0},
                             &meta);
  internal::AppendRecord(EncodeParams(stored, passage), &meta);
  return WriteFileAtomically(dir, internal::kMetaFile, meta);
}

absl::StatusOr<std::unique_ptr<Index>> Index::Open(const std::string& dir,
                                                   const OpenOptions& options,
                                                   OpenReport* report) {
  const auto start = std::chrono::steady_clock::now();
  auto state = std::make_unique<State>();
  State& s = *state;
  s.dir = dir;
  s.read_only = options.read_only;
  s.max_bucket = std::max<uint32_t>(options.max_bucket, 1);
  struct stat st;
  const bool exists = ::stat(dir.c_str(), &st) == 0;
  if (exists && !S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat(dir,
                     ": is a file, not an index directory (an index is the "
                     "directory `neardup index create` made)"));
  }
  if (!exists) {
    return absl::NotFoundError(
        absl::StrCat(dir,
                     ": no such index directory (create one with "
                     "`neardup index create`)"));
  }
  const std::string meta_path = s.Path(internal::kMetaFile);
  if (::access(meta_path.c_str(), F_OK) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        dir, ": not a neardup index (no ", internal::kMetaFile, " file)"));
  }

  // Parameters.
  NEARDUP_ASSIGN_OR_RETURN(std::string meta, ReadWholeFile(meta_path));
  internal::FileHeader header;
  internal::HeaderCheck check = internal::ParseFileHeader(
      meta, internal::kMetaMagic, kBoilerplateIndexFormatVersion, &header);
  NEARDUP_RETURN_IF_ERROR(HeaderError(check, meta_path, header.version,
                                      kBoilerplateIndexFormatVersion));
  {
    size_t offset = internal::kFileHeaderBytes;
    absl::string_view payload;
    if (internal::ReadRecord(meta, &offset, &payload) !=
            internal::RecordCheck::kOk ||
        offset != meta.size()) {
      return absl::DataLossError(
          absl::StrCat(meta_path, ": parameters are corrupt"));
    }
    NEARDUP_ASSIGN_OR_RETURN(
        s.options,
        DecodeParams(payload, header.version, meta_path, &s.passage_params));
  }
  // The lock is taken once the parameters are known to be readable: meta
  // never changes after Create(), and an index this version refuses (a
  // newer one) is left without a new lock file.
  if (!s.read_only) {
    const std::string lock_path = s.Path(internal::kLockFile);
    s.lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (s.lock_fd < 0) return IoError("cannot open lock file", lock_path);
    if (::flock(s.lock_fd, LOCK_EX | LOCK_NB) != 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          dir,
          ": index is locked by another writer (only one process may "
          "add to an index at a time)"));
    }
  }
  // The bands are stored in meta, never chosen again: a later ChooseBands
  // must not change what an existing index means.
  NEARDUP_ASSIGN_OR_RETURN(
      internal::MatchStages stages,
      internal::MakeMatchStages({.normalize = s.options.normalize,
                                 .num_perm = s.options.num_perm,
                                 .algorithm = s.options.algorithm,
                                 .seed = s.options.seed,
                                 .threshold = s.options.threshold,
                                 .bands = s.options.bands,
                                 .rows = s.options.rows}));
  s.bands = stages.bands;
  s.normalizer.emplace(std::move(stages.normalizer));
  s.hasher.emplace(std::move(stages.hasher));
  s.screen.emplace(s.options.num_perm);
  if (s.containment_on()) {
    s.passage = {.bands = {s.passage_params.bands, s.passage_params.rows},
                 .shingles = {.ngram = s.options.ngram, .seed = s.options.seed},
                 .segments = {.max_chars = s.passage_params.max_chars},
                 .min_chars = static_cast<size_t>(s.passage_params.min_chars),
                 .seed = s.options.seed};
    s.min_contained = internal::SampleScreenTable(s.options.containment);
    s.min_shared = internal::SampleScreenTable(s.options.threshold);
    s.passage_docs.resize(s.PassageBands());
  }

  std::lock_guard<std::shared_mutex> lock(s.mu);
  s.defer_containment = s.containment_on();
  s.defer_holders = s.boilerplate_on();
  s.heads.resize(static_cast<size_t>(s.bands.bands));
  s.next.resize(static_cast<size_t>(s.bands.bands));

  // Snapshot, when compaction wrote one.
  const std::string snapshot_path = s.Path(internal::kSnapshotFile);
  if (::access(snapshot_path.c_str(), F_OK) == 0) {
    NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<internal::MappedFile> file,
                             internal::MappedFile::Map(snapshot_path));
    const absl::string_view bytes = file->bytes();
    check = internal::ParseFileHeader(bytes, internal::kSnapshotMagic,
                                      internal::kContainmentSnapshotVersion,
                                      &header);
    NEARDUP_RETURN_IF_ERROR(HeaderError(check, snapshot_path, header.version,
                                        internal::kContainmentSnapshotVersion));
    // Version 3 exactly with containment: its sketches are in no other.
    if ((header.version == internal::kContainmentSnapshotVersion) !=
        s.containment_on()) {
      return absl::DataLossError(absl::StrCat(
          snapshot_path, ": snapshot format version ", header.version,
          " does not match the index's parameters (containment ",
          s.options.containment, "); restore the directory from a backup"));
    }
    s.generation = header.generation;
    s.snapshot_bytes = bytes.size();
    if (header.version >= 2) {
      s.snapshot_version = header.version;
      NEARDUP_RETURN_IF_ERROR(
          s.LoadSnapshotV2(std::move(file), snapshot_path, report));
    } else {
      // Version 1 loads the slow way; the next Compact() writes version 2.
      s.snapshot_version = 1;
      s.mapped.push_back(std::move(file));
      NEARDUP_RETURN_IF_ERROR(s.LoadSnapshotV1(bytes, snapshot_path, report));
    }
  }

  // Log.
  const std::string log_path = s.Path(internal::kLogFile);
  NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<internal::MappedFile> log_file,
                           internal::MappedFile::Map(log_path));
  const absl::string_view log = log_file->bytes();
  s.mapped.push_back(std::move(log_file));
  header = {};
  check = internal::ParseFileHeader(log, internal::kLogMagic,
                                    kContainmentIndexFormatVersion, &header);
  NEARDUP_RETURN_IF_ERROR(HeaderError(check, log_path, header.version,
                                      kContainmentIndexFormatVersion));
  if (header.version != s.FileVersion()) {
    return absl::DataLossError(
        absl::StrCat(log_path, ": log format version ", header.version,
                     " does not match the meta file's ", s.FileVersion(),
                     "; restore the directory from a backup"));
  }
  bool reset_log = false;
  uint64_t good_end = log.size();
  if (header.generation > s.generation) {
    return absl::DataLossError(absl::StrCat(
        log_path, ": log generation ", header.generation,
        " is newer than the snapshot's ", s.generation,
        " (the snapshot is missing or old); restore from a backup"));
  } else if (header.generation < s.generation) {
    // Compaction wrote the snapshot but crashed before starting the new
    // log: every record here is already in the snapshot.
    reset_log = true;
  } else {
    NEARDUP_RETURN_IF_ERROR(s.ReplayLog(log, log_path, report, &good_end));
  }
  if (s.late_tables() && !s.read_only) {
    NEARDUP_RETURN_IF_ERROR(s.BuildLateTables());
  }

  if (!s.read_only) {
    if (reset_log) {
      std::string fresh;
      internal::AppendFileHeader(
          {internal::kLogMagic, s.FileVersion(), s.generation}, &fresh);
      NEARDUP_RETURN_IF_ERROR(
          WriteFileAtomically(dir, internal::kLogFile, fresh));
      internal::KillPoint("open-log-reset");
      good_end = fresh.size();
    }
    s.log_fd = ::open(log_path.c_str(), O_RDWR | O_CLOEXEC);
    if (s.log_fd < 0) return IoError("cannot open for writing", log_path);
    if (!reset_log && good_end != log.size()) {
      if (::ftruncate(s.log_fd, static_cast<off_t>(good_end)) != 0 ||
          ::fsync(s.log_fd) != 0) {
        return IoError("cannot truncate torn tail", log_path);
      }
      internal::KillPoint("open-truncated");
    }
    if (::lseek(s.log_fd, static_cast<off_t>(good_end), SEEK_SET) < 0) {
      return IoError("cannot seek", log_path);
    }
  }
  s.log_bytes = reset_log ? internal::kFileHeaderBytes : good_end;
  if (report != nullptr) {
    report->seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
  }
  return std::unique_ptr<Index>(new Index(std::move(state)));
}

void Index::Prepare(absl::string_view text, PreparedText* out) const {
  state_->Prepare(text, out);
}

void Index::Prescreen(PreparedText* p) const {
  const State& s = *state_;
  p->screened_by = 0;
  p->screened.clear();
  p->encoded.clear();
  internal::EncodeFingerprints(p->fingerprints, &p->encoded);
  std::vector<Verified> matches;
  std::vector<uint32_t> checked;
  std::shared_lock<std::shared_mutex> read(s.mu);
  // A damaged candidate is left to AddPrepared, which reports it.
  if (s.FindMatches(*p, &matches, /*count=*/false, &checked) != kNone) return;
  std::sort(matches.begin(), matches.end(),
            [](const Verified& a, const Verified& b) { return a.seq < b.seq; });
  p->screened.reserve(checked.size());
  auto match = matches.begin();
  for (uint32_t seq : checked) {  // In seq order, as are the matches.
    if (match != matches.end() && match->seq == seq) {
      p->screened.push_back({seq, true, match->jaccard, match->containment});
      ++match;
    } else {
      p->screened.push_back({seq, false, 0, 0});
    }
  }
  p->screened_below = s.DocCount();
  p->screened_epoch = s.epoch;
  p->screened_by = s.instance;
}

absl::StatusOr<Decision> Index::Add(absl::string_view id,
                                    absl::string_view text,
                                    const AddOptions& options) {
  PreparedText p;
  state_->Prepare(text, &p);
  return AddPrepared(id, p, options);
}

absl::StatusOr<Decision> Index::AddPrepared(absl::string_view id,
                                            const PreparedText& p,
                                            const AddOptions& options) {
  State& s = *state_;
  NEARDUP_RETURN_IF_ERROR(CheckId(id));
  // A sketch that did not decode would go into the log and fail its
  // replay.
  ContainmentSketch sketch;
  if (p.signature.size() != static_cast<size_t>(s.options.num_perm) ||
      (s.containment_on()
           ? !DecodeContainment(p.containment, s.PassageBands(), &sketch)
           : !p.containment.empty())) {
    return absl::InvalidArgumentError(
        "the prepared text was not made by this index's Prepare()");
  }
  std::lock_guard<std::mutex> writer(s.writer_mu);
  NEARDUP_RETURN_IF_ERROR(s.CheckWritable());
  std::vector<Verified> matches;
  std::vector<uint32_t> roots;
  Decision decision;
  {
    // Only this thread changes the tables (writer_mu), so what it reads
    // here still holds when it takes the lock exclusively below.
    std::shared_lock<std::shared_mutex> read(s.mu);
    if (const uint32_t seq = s.LiveSeq(id); seq != kNone) {
      return s.ExistingDecision(id, seq, p);
    }
    if (s.DocCount() >= s.MaxDocuments()) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "the index holds ", s.MaxDocuments(), " documents; no more fit"));
    }
    uint32_t damaged = s.FindMatches(p, &matches);
    if (damaged == kNone) damaged = s.ScoreBoilerplate(p, &matches);
    // Scores would miss what the damaged document holds.
    if (damaged == kNone && s.boilerplate_on()) damaged = s.holders_damaged;
    if (damaged != kNone) return s.DamageError(damaged);
    roots = s.RootsOf(matches);
    decision = s.MakeDecision(id, matches, roots, options.max_matches);
  }
  std::string own_encoding;
  if (p.screened_by != s.instance) {
    internal::EncodeFingerprints(p.fingerprints, &own_encoding);
  }
  const std::string& encoded =
      p.screened_by == s.instance ? p.encoded : own_encoding;
  std::string record;
  record.push_back(static_cast<char>(internal::kAddRecord));
  {
    std::shared_lock<std::shared_mutex> read(s.mu);
    internal::PutVarint(s.DocCount(), &record);
  }
  internal::PutString(id, &record);
  record.push_back(p.present ? 1 : 0);
  if (p.present) {
    for (uint32_t slot : p.signature) internal::PutFixed32(slot, &record);
  }
  internal::PutVarint(p.fingerprints.size(), &record);
  internal::PutString(encoded, &record);
  const size_t fp_at = record.size() - encoded.size();
  internal::PutVarint(roots.size(), &record);
  for (uint32_t root : roots) internal::PutVarint(root, &record);
  if (s.containment_on()) internal::PutString(p.containment, &record);
  const size_t sketch_at = record.size() - p.containment.size();
  // Where the record's payload will start in `pending`.
  const size_t at = s.pending.size() + internal::kRecordLengthBytes;
  internal::AppendRecord(record, &s.pending);
  {
    std::lock_guard<std::shared_mutex> write(s.mu);
    s.unflushed.push_back({s.DocCount(), at + fp_at, at + sketch_at});
    s.ApplyAdd(id, p.present, p.signature, encoded, /*stable=*/false,
               static_cast<uint32_t>(p.fingerprints.size()), roots,
               p.containment);
    if (s.boilerplate_on()) s.CountHolders(p.fingerprints, /*add=*/true);
  }
  if (options.sync) {
    NEARDUP_RETURN_IF_ERROR(s.SyncLocked());
  } else if (s.pending.size() >= kFlushBytes) {
    NEARDUP_RETURN_IF_ERROR(s.FlushPending());
  }
  return decision;
}

absl::StatusOr<Decision> Index::Query(absl::string_view id,
                                      absl::string_view text,
                                      size_t max_matches) const {
  const State& s = *state_;
  NEARDUP_RETURN_IF_ERROR(CheckId(id));
  PreparedText p;
  s.Prepare(text, &p);
  if (s.read_only && s.late_tables()) {
    // The tables are part of the state queries read; building them is not
    // a change a caller can see, hence the const_cast.
    std::call_once(s.late_tables_once, [&s] {
      State& self = const_cast<State&>(s);
      std::lock_guard<std::shared_mutex> write(self.mu);
      if (!self.BuildLateTables().ok()) {
        self.damaged_reads.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  std::shared_lock<std::shared_mutex> read(s.mu);
  if (const uint32_t seq = s.LiveSeq(id); seq != kNone) {
    return s.ExistingDecision(id, seq, p);
  }
  std::vector<Verified> matches;
  const bool damaged = s.FindMatches(p, &matches) != kNone;
  if ((s.ScoreBoilerplate(p, &matches) != kNone ||
       (s.boilerplate_on() && s.holders_damaged != kNone)) &&
      !damaged) {
    s.damaged_reads.fetch_add(1, std::memory_order_relaxed);
  }
  return s.MakeDecision(id, matches, s.RootsOf(matches), max_matches);
}

absl::Status Index::Remove(absl::string_view id) {
  State& s = *state_;
  std::lock_guard<std::mutex> writer(s.writer_mu);
  NEARDUP_RETURN_IF_ERROR(s.CheckWritable());
  uint32_t seq = kNone;
  {
    std::shared_lock<std::shared_mutex> read(s.mu);
    seq = s.LiveSeq(id);
    if (seq == kNone) {
      return absl::NotFoundError(
          absl::StrCat("id \"", id, "\" is not in the index"));
    }
  }
  std::string record;
  record.push_back(static_cast<char>(internal::kRemoveRecord));
  internal::PutVarint(seq, &record);
  internal::PutString(id, &record);
  internal::AppendRecord(record, &s.pending);
  std::lock_guard<std::shared_mutex> write(s.mu);
  s.ApplyRemove(seq);
  return absl::OkStatus();
}

absl::Status Index::Sync() {
  State& s = *state_;
  std::lock_guard<std::mutex> writer(s.writer_mu);
  NEARDUP_RETURN_IF_ERROR(s.CheckWritable());
  return s.SyncLocked();
}

absl::Status Index::Compact() {
  State& s = *state_;
  std::lock_guard<std::mutex> writer(s.writer_mu);
  NEARDUP_RETURN_IF_ERROR(s.CheckWritable());
  NEARDUP_RETURN_IF_ERROR(s.SyncLocked());
  internal::KillPoint("compact-begin");
  const uint64_t generation = s.generation + 1;
  uint64_t written = 0;
  NEARDUP_RETURN_IF_ERROR(ReplaceFileAtomically(
      s.dir, internal::kSnapshotFile,
      [&s, generation, &written](int fd, const std::string& temp) {
        std::shared_lock<std::shared_mutex> read(s.mu);
        absl::Status status = s.WriteSnapshot(fd, temp, generation, &written);
        internal::KillPoint("snapshot-written");  // Not yet fsynced.
        return status;
      }));
  internal::KillPoint("snapshot-renamed");  // The log is a generation old.
  // From here the snapshot holds everything; a crash before the new log is
  // in place is recognised on open by the log's older generation.
  s.generation = generation;
  s.snapshot_bytes = written;
  s.snapshot_version = s.SnapshotVersion();
  std::string fresh;
  internal::AppendFileHeader({internal::kLogMagic, s.FileVersion(), generation},
                             &fresh);
  absl::Status status = WriteFileAtomically(s.dir, internal::kLogFile, fresh);
  if (!status.ok()) {
    s.write_error = status;
    return status;
  }
  internal::KillPoint("log-replaced");
  ::close(s.log_fd);
  const std::string log_path = s.Path(internal::kLogFile);
  s.log_fd = ::open(log_path.c_str(), O_RDWR | O_CLOEXEC);
  if (s.log_fd < 0 ||
      ::lseek(s.log_fd, static_cast<off_t>(fresh.size()), SEEK_SET) < 0) {
    s.write_error = IoError("cannot reopen", log_path);
    return s.write_error;
  }
  s.log_bytes = fresh.size();
  s.AdoptSnapshot(s.Path(internal::kSnapshotFile));
  return absl::OkStatus();
}

bool Index::Contains(absl::string_view id) const {
  std::shared_lock<std::shared_mutex> read(state_->mu);
  return state_->LiveSeq(id) != kNone;
}

absl::StatusOr<std::string> Index::ClusterOf(absl::string_view id) const {
  const State& s = *state_;
  std::shared_lock<std::shared_mutex> read(s.mu);
  const uint32_t seq = s.LiveSeq(id);
  if (seq == kNone) {
    return absl::NotFoundError(
        absl::StrCat("id \"", id, "\" is not in the index"));
  }
  return std::string(s.Name(s.Find(seq)));
}

absl::Status Index::Verify() const {
  const State& s = *state_;
  std::shared_lock<std::shared_mutex> read(s.mu);
  if (s.snap != nullptr) NEARDUP_RETURN_IF_ERROR(s.snap->VerifyAll());
  std::vector<uint64_t> decoded;
  for (uint32_t seq = 0; seq < s.DocCount(); ++seq) {
    if (!s.Alive(seq)) continue;
    if (!s.PayloadOk(seq) ||
        !internal::DecodeFingerprints(s.EncodedFingerprints(seq),
                                      s.FpCount(seq), &decoded)) {
      return s.DamageError(seq);
    }
  }
  if (s.containment_on()) {
    ContainmentSketch c;
    for (uint32_t seq = 0; seq < s.DocCount(); ++seq) {
      if (s.Alive(seq) &&
          !DecodeContainment(s.EncodedSketch(seq), s.PassageBands(), &c)) {
        return s.DamageError(seq);
      }
    }
  }
  return absl::OkStatus();
}

IndexStats Index::stats() const {
  const State& s = *state_;
  IndexStats out;
  out.bands = s.bands;
  out.snapshot_bytes = s.snapshot_bytes.load();
  out.log_bytes = s.log_bytes.load();
  out.candidates_checked = s.candidates_checked.load();
  out.capped_buckets = s.capped_buckets.load();
  out.damaged_reads = s.damaged_reads.load();
  out.format_version =
      s.boilerplate_on() ? kBoilerplateIndexFormatVersion
      : s.containment_on()
          ? kContainmentIndexFormatVersion
          : std::max(kIndexFormatVersion, s.snapshot_version.load());
  std::shared_lock<std::shared_mutex> read(s.mu);
  out.documents = s.live;
  out.removed = s.removed;
  out.fingerprint_bytes = s.fingerprint_bytes;
  for (uint32_t seq = 0; seq < s.DocCount(); ++seq) {
    if (s.parent[seq] != seq || s.live_count[seq] == 0) continue;
    ++out.clusters;
    if (s.live_count[seq] >= 2) ++out.clusters_of_two_or_more;
  }
  return out;
}

IndexStats Index::FileSizes() const {
  IndexStats out;
  out.snapshot_bytes = state_->snapshot_bytes.load();
  out.log_bytes = state_->log_bytes.load();
  return out;
}

const IndexOptions& Index::options() const { return state_->options; }
const std::string& Index::directory() const { return state_->dir; }

}  // namespace neardup
