// Byte-level pieces of the index format (docs/file-format.md): file headers,
// checksummed records, varints and fingerprint sets. Shared by the index and
// its tests, which build damaged files on purpose.
#ifndef NEARDUP_SRC_INTERNAL_INDEX_FORMAT_H_
#define NEARDUP_SRC_INTERNAL_INDEX_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace neardup::internal {

// File names inside an index directory.
inline constexpr char kMetaFile[] = "meta";
inline constexpr char kLogFile[] = "log";
inline constexpr char kSnapshotFile[] = "snapshot";
inline constexpr char kLockFile[] = "lock";

// Eight bytes opening each kind of file.
inline constexpr absl::string_view kMetaMagic("NDXMETA\x01", 8);
inline constexpr absl::string_view kLogMagic("NDXLOG\x00\x01", 8);
inline constexpr absl::string_view kSnapshotMagic("NDXSNAP\x01", 8);

// magic(8) version(u32) flags(u32, 0) generation(u64) xxh3(first 24 bytes).
inline constexpr size_t kFileHeaderBytes = 32;
// length(u32) | payload(length bytes, first byte = type) | xxh3(u64) of
// length and payload.
inline constexpr size_t kRecordOverhead = 12;
// The length before a record's payload.
inline constexpr size_t kRecordLengthBytes = 4;
// Sanity limit on one record; a larger length is damage.
inline constexpr uint32_t kMaxRecordBytes = 1u << 30;

enum RecordType : uint8_t {
  kParamsRecord = 1,
  kAddRecord = 2,
  kRemoveRecord = 3,
  kSnapshotDocRecord = 4,
  kSnapshotEndRecord = 5,
};

// The seed of every checksum: fixed forever, part of the format.
inline constexpr uint64_t kChecksumSeed = 0x6e64782d63686b31;  // "ndx-chk1"

// XXH3-64 of `bytes` with kChecksumSeed.
uint64_t Checksum(absl::string_view bytes);

struct FileHeader {
  absl::string_view magic;
  uint32_t version = 0;
  uint64_t generation = 0;
};

void AppendFileHeader(const FileHeader& header, std::string* out);

enum class HeaderCheck { kOk, kShort, kWrongMagic, kBadChecksum, kNewer };
// Checks `bytes` starts with a header of `magic`; fills *header.
HeaderCheck ParseFileHeader(absl::string_view bytes, absl::string_view magic,
                            uint32_t max_version, FileHeader* header);

// Appends one framed record whose payload is `payload` (type byte first).
void AppendRecord(absl::string_view payload, std::string* out);

enum class RecordCheck { kOk, kEnd, kTruncated, kBadChecksum, kTooLarge };
// Reads the record at bytes[*offset]; on kOk sets *payload and advances
// *offset. kEnd exactly at the end of `bytes`.
RecordCheck ReadRecord(absl::string_view bytes, size_t* offset,
                       absl::string_view* payload);

// Little-endian fixed-width and LEB128 varint encoding.
void PutFixed32(uint32_t v, std::string* out);
void PutFixed64(uint64_t v, std::string* out);
void PutVarint(uint64_t v, std::string* out);
void PutString(absl::string_view s, std::string* out);  // varint length.

// Bounds-checked reader over a payload: every Get* returns false on
// running out or a malformed varint, and the reader stays failed.
class Reader {
 public:
  explicit Reader(absl::string_view bytes) : bytes_(bytes) {}
  bool GetByte(uint8_t* v);
  bool GetFixed32(uint32_t* v);
  bool GetFixed64(uint64_t* v);
  bool GetVarint(uint64_t* v);
  bool GetString(absl::string_view* s);
  bool GetBytes(size_t n, absl::string_view* s);
  // True when every byte was consumed and nothing failed.
  bool done() const { return !failed_ && pos_ == bytes_.size(); }
  size_t remaining() const { return bytes_.size() - pos_; }

 private:
  bool Fail();

  absl::string_view bytes_;
  size_t pos_ = 0;
  bool failed_ = false;
};

// Encodes a sorted, duplicate-free set of 32-bit fingerprints as varint
// gaps (the first value as is).
void EncodeFingerprints(absl::Span<const uint64_t> sorted, std::string* out);
// Decodes `count` fingerprints from `bytes` into *out (as uint64_t, ready for
// CompareSortedSets). False unless the bytes hold exactly `count` strictly
// increasing values below 2^32.
bool DecodeFingerprints(absl::string_view bytes, uint64_t count,
                        std::vector<uint64_t>* out);

// A cheap load-time check that `bytes` holds exactly `count` varints (one
// final byte each, the last byte final). Order and range are checked by
// DecodeFingerprints when a set is used; a set that fails there is treated
// as matching nothing, so damaged bytes can never be read out of bounds.
bool HasVarintCount(absl::string_view bytes, uint64_t count);

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_INDEX_FORMAT_H_
