// Snapshot format version 2 (docs/file-format.md): sections of fixed-width
// little-endian arrays that are used in place from a read-only mapping, so
// that opening an index of a million documents costs a few array passes
// instead of a million records parsed and sixteen million hash inserts.
//
// What Open checks, and what is checked when read:
// - At open (SnapshotView::Open): the header, footer and section directory;
//   the checksum of every section except signatures and fingerprints; the
//   zero padding between sections; and every structural fact an index
//   lookup relies on (bounds, sort order, roots), so that no later read can
//   leave the mapping.
// - When read (SnapshotView::PayloadOk): a document's signature and
//   fingerprint set, against the checksum its (already verified) document
//   entry holds. These are 90 % of the file and most are never read.
// - SnapshotView::VerifyAll checks everything else as well.
//
// Example (writing, as Index::Compact does):
//
//   SnapshotWriter w(fd, path, generation, {num_perm, bands, rows, n});
//   w.BeginSection(kDocsSection);  w.Append(...);  ...
//   absl::Status done = w.Finish();
#ifndef NEARDUP_SRC_INTERNAL_SNAPSHOT_H_
#define NEARDUP_SRC_INTERNAL_SNAPSHOT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace neardup::internal {

// The header versions of snapshots in this layout: 2 for an index without
// containment, 3 with it (two more sections: each document's containment
// sketch). Meta and log files keep version 1 (kIndexFormatVersion) without
// containment: their bytes did not change.
inline constexpr uint32_t kSnapshotFormatVersion = 2;
inline constexpr uint32_t kContainmentSnapshotVersion = 3;

// Sections start at multiples of this many bytes (from the file start, and
// so from the page-aligned mapping), which aligns every array in them.
inline constexpr size_t kSectionAlignment = 64;
inline constexpr size_t kSectionEntryBytes = 32;
inline constexpr size_t kSnapshotFooterBytes = 48;

// Section kinds, in the order they appear in a file. One kBandSection per
// band, in band order, follows kNamesSection; with containment (version 3)
// kContainmentOffsetsSection and kContainmentSection follow the bands.
enum SnapshotSection : uint32_t {
  kDocsSection = 1,
  kIdOffsetsSection = 2,
  kIdBytesSection = 3,
  kIdTableSection = 4,
  kNamesSection = 5,
  kBandSection = 6,
  kSignaturesSection = 7,
  kFingerprintsSection = 8,
  kContainmentOffsetsSection = 9,
  kContainmentSection = 10,
};

// Document flags.
inline constexpr uint32_t kDocAlive = 1;
inline constexpr uint32_t kDocPresent = 2;  // Has a signature.

// One document, as stored in kDocsSection (32 bytes, little-endian).
struct SnapshotDoc {
  uint64_t fp_offset;  // In kFingerprintsSection; sets tile it in seq order.
  uint64_t checksum;   // PayloadChecksum of its signature and fingerprints.
  uint32_t fp_bytes;
  uint32_t fp_count;
  uint32_t root;   // Cluster root (<= seq; a root names itself).
  uint32_t flags;  // kDocAlive | kDocPresent.
};
static_assert(sizeof(SnapshotDoc) == 32, "SnapshotDoc is a file layout");

// The hash that keys kIdTableSection. Lookups compare the stored id, so a
// collision costs one string comparison, never a wrong answer.
uint64_t IdHash(absl::string_view id);

// XXH3 of the encoded fingerprints, seeded with the checksum of the
// num_perm slots (zeros for a document without a signature).
uint64_t PayloadChecksum(absl::Span<const uint32_t> signature,
                         absl::string_view encoded_fingerprints);

// A read-only mapping of a whole file, unmapped on destruction. The index
// never rewrites a snapshot in place (compaction renames a new one over it)
// and only appends to a log (or cuts a torn tail that no reader used), so a
// mapping of either stays valid for as long as it is held.
class MappedFile {
 public:
  static absl::StatusOr<std::unique_ptr<MappedFile>> Map(
      const std::string& path);
  // Maps `length` bytes of the open file `fd` (opened for reading) from
  // `offset`, which need not be page aligned; bytes() starts at `offset`.
  // The bytes must lie inside the file. `path` names it in errors.
  static absl::StatusOr<std::unique_ptr<MappedFile>> MapRange(
      int fd, uint64_t offset, size_t length, const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  absl::string_view bytes() const { return {data_ + skip_, size_ - skip_}; }

  // Whether `p` points into the mapping.
  bool Holds(const char* p) const { return p >= data_ && p < data_ + size_; }
  // Drops the mapping's pages below `p` (or all, for nullptr) that lie at or
  // past `*released` from the resident set, in steps of at least `step`
  // bytes, and advances *released. The pages stay in the page cache; a later
  // read faults them back in. Precondition: Holds(p) or p == nullptr.
  void Release(const char* p, size_t step, size_t* released) const;

 private:
  MappedFile(const char* data, size_t size, size_t skip = 0)
      : data_(data), size_(size), skip_(skip) {}
  const char* data_;  // The mapping, page aligned.
  size_t size_;
  size_t skip_;  // Bytes of the mapping before bytes().
};

// A sorted array of (key, value) pairs used in place, with a directory on
// the key's top bits built at load. Keys are XXH3 hashes, so each directory
// bucket holds a few entries and a lookup touches two or three cache lines.
class KeyTable {
 public:
  // False unless `keys` is sorted by (key, value) without repeats and every
  // value is below `value_limit`.
  bool Init(const uint64_t* keys, const uint32_t* values, size_t size,
            uint32_t value_limit);

  // Calls f(value) for every entry with `key`, in value order.
  template <typename F>
  void ForEach(uint64_t key, F&& f) const {
    ForEachWhile(key, [&](uint32_t value) {
      f(value);
      return true;
    });
  }

  // As ForEach, but stops after the first call that returns false.
  template <typename F>
  void ForEachWhile(uint64_t key, F&& f) const {
    if (size_ == 0) return;
    const uint64_t bucket = Bucket(key);
    for (uint32_t i = dir_[bucket], end = dir_[bucket + 1]; i < end; ++i) {
      if (keys_[i] < key) continue;
      if (keys_[i] > key) break;
      if (!f(values_[i])) return;
    }
  }

  size_t size() const { return size_; }
  uint64_t key(size_t i) const { return keys_[i]; }
  uint32_t value(size_t i) const { return values_[i]; }

 private:
  uint64_t Bucket(uint64_t key) const { return bits_ == 0 ? 0 : key >> shift_; }

  const uint64_t* keys_ = nullptr;
  const uint32_t* values_ = nullptr;
  size_t size_ = 0;
  int bits_ = 0;
  int shift_ = 64;
  std::vector<uint32_t> dir_;
};

struct SnapshotShape {
  uint32_t num_perm = 0;
  uint32_t bands = 0;
  uint32_t rows = 0;
  uint64_t doc_count = 0;
  bool containment = false;  // Version 3: containment sections.
};

// A version-2 snapshot, checked and used in place.
class SnapshotView {
 public:
  // Checks `file` (whose header the caller parsed: version 2, or 3 for
  // expected.containment) against the index parameters in `expected`
  // (doc_count ignored). DataLoss naming `path` and what is wrong.
  static absl::StatusOr<std::unique_ptr<SnapshotView>> Open(
      std::unique_ptr<MappedFile> file, const std::string& path,
      const SnapshotShape& expected);

  uint32_t doc_count() const { return static_cast<uint32_t>(docs_.size()); }
  const SnapshotDoc& doc(uint32_t seq) const { return docs_[seq]; }
  absl::string_view id(uint32_t seq) const {
    return id_bytes_.substr(id_offsets_[seq],
                            id_offsets_[seq + 1] - id_offsets_[seq]);
  }
  absl::Span<const uint32_t> signature(uint32_t seq) const {
    return signatures_.subspan(static_cast<size_t>(seq) * num_perm_, num_perm_);
  }
  absl::string_view fingerprints(uint32_t seq) const {
    return fingerprints_.substr(docs_[seq].fp_offset, docs_[seq].fp_bytes);
  }
  // Version 3: the document's encoded containment sketch (empty for a
  // removed document); its section's checksum was checked at open.
  absl::string_view containment(uint32_t seq) const {
    return containment_.substr(
        containment_offsets_[seq],
        containment_offsets_[seq + 1] - containment_offsets_[seq]);
  }
  // True when the document's signature and fingerprints match its checksum.
  bool PayloadOk(uint32_t seq) const;

  const KeyTable& band(int b) const { return bands_[b]; }
  const KeyTable& ids() const { return ids_; }
  // Cluster names that differ from the root's id: (root seq, name), by seq.
  const std::vector<std::pair<uint32_t, absl::string_view>>& names() const {
    return names_;
  }
  uint64_t file_bytes() const { return file_->bytes().size(); }

  // Checks what Open left to reads: the signature and fingerprint sections'
  // checksums and every document's payload checksum.
  absl::Status VerifyAll() const;

 private:
  SnapshotView() = default;
  absl::Status Bad(absl::string_view what) const;

  std::unique_ptr<MappedFile> file_;
  std::string path_;
  uint32_t num_perm_ = 0;
  absl::Span<const SnapshotDoc> docs_;
  absl::Span<const uint64_t> id_offsets_;
  absl::string_view id_bytes_;
  KeyTable ids_;
  std::vector<std::pair<uint32_t, absl::string_view>> names_;
  std::vector<KeyTable> bands_;
  absl::Span<const uint32_t> signatures_;
  absl::string_view fingerprints_;
  absl::Span<const uint64_t> containment_offsets_;
  absl::string_view containment_;
  uint64_t signatures_checksum_ = 0;
  uint64_t fingerprints_checksum_ = 0;
};

// Writes a version-2 snapshot (version 3 with shape.containment) to `fd`
// sequentially: the header, then each
// section in file order (BeginSection, Append..., and the next BeginSection
// or Finish closes it), then the directory and footer. The caller fsyncs.
class SnapshotWriter {
 public:
  SnapshotWriter(int fd, std::string path, uint64_t generation,
                 const SnapshotShape& shape);
  ~SnapshotWriter();
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  void BeginSection(SnapshotSection kind);
  void Append(absl::string_view bytes);
  template <typename T>
  void AppendArray(absl::Span<const T> values) {
    Append(absl::string_view(reinterpret_cast<const char*>(values.data()),
                             values.size() * sizeof(T)));
  }
  // Closes the last section, writes directory and footer, flushes. The
  // first write error, if any.
  absl::Status Finish();
  uint64_t bytes_written() const { return offset_; }

 private:
  struct Entry {
    uint32_t kind;
    uint64_t offset;
    uint64_t size;
    uint64_t checksum;
  };
  void EndSection();
  void Pad();
  void Write(absl::string_view bytes);
  void Flush();

  int fd_;
  std::string path_;
  SnapshotShape shape_;
  absl::Status status_;
  std::string buffer_;
  uint64_t offset_ = 0;
  bool in_section_ = false;
  Entry current_{};
  struct SectionHash;  // Streaming XXH3 of the open section.
  std::unique_ptr<SectionHash> hash_;
  std::vector<Entry> entries_;
};

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_SNAPSHOT_H_
