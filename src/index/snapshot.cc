#include "src/internal/snapshot.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "src/internal/index_format.h"
#include "src/internal/io_error.h"

#define XXH_INLINE_ALL
#include "xxhash.h"

// Version-2 arrays are used in place, as the host's integers.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "snapshot format 2 is read in place: little-endian hosts only");

namespace neardup::internal {
namespace {

// Fixed forever, part of the format.
constexpr uint64_t kIdHashSeed = 0x6e64782d69642d31;  // "ndx-id-1"
constexpr uint32_t kMaxDocs = 0xfffffffdu;            // 2^32 - 3: kNone - 1.
constexpr size_t kMaxIdBytes = 65535;

uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

uint32_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

size_t AlignUp(size_t n) {
  return (n + kSectionAlignment - 1) / kSectionAlignment * kSectionAlignment;
}

bool AllZero(absl::string_view bytes) {
  for (char c : bytes) {
    if (c != 0) return false;
  }
  return true;
}

// The sections a file of `bands` bands holds, in order.
std::vector<uint32_t> ExpectedKinds(uint32_t bands, bool containment) {
  std::vector<uint32_t> kinds = {kDocsSection, kIdOffsetsSection,
                                 kIdBytesSection, kIdTableSection,
                                 kNamesSection};
  kinds.insert(kinds.end(), bands, kBandSection);
  if (containment) {
    kinds.push_back(kContainmentOffsetsSection);
    kinds.push_back(kContainmentSection);
  }
  kinds.push_back(kSignaturesSection);
  kinds.push_back(kFingerprintsSection);
  return kinds;
}

}  // namespace

uint64_t IdHash(absl::string_view id) {
  return XXH3_64bits_withSeed(id.data(), id.size(), kIdHashSeed);
}

uint64_t PayloadChecksum(absl::Span<const uint32_t> signature,
                         absl::string_view encoded_fingerprints) {
  const uint64_t seed = XXH3_64bits_withSeed(
      signature.data(), signature.size() * sizeof(uint32_t), kChecksumSeed);
  return XXH3_64bits_withSeed(encoded_fingerprints.data(),
                              encoded_fingerprints.size(), seed);
}

// --- MappedFile ------------------------------------------------------------

absl::StatusOr<std::unique_ptr<MappedFile>> MappedFile::Map(
    const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    std::string message = absl::StrCat(path, ": cannot open: ", strerror(e));
    if (e == ENOENT) return absl::NotFoundError(message);
    if (e == EACCES || e == EPERM) return absl::PermissionDeniedError(message);
    return absl::InternalError(message);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    std::string message =
        absl::StrCat(path, ": cannot stat: ", strerror(errno));
    ::close(fd);
    return absl::InternalError(message);
  }
  const size_t size = static_cast<size_t>(st.st_size);
  const char* data = nullptr;
  if (size > 0) {
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      std::string message =
          absl::StrCat(path, ": cannot map: ", strerror(errno));
      ::close(fd);
      return absl::InternalError(message);
    }
    data = static_cast<const char*>(p);
  }
  ::close(fd);  // The mapping keeps the file.
  return std::unique_ptr<MappedFile>(new MappedFile(data, size));
}

absl::StatusOr<std::unique_ptr<MappedFile>> MappedFile::MapRange(
    int fd, uint64_t offset, size_t length, const std::string& path) {
  if (length == 0) {
    return std::unique_ptr<MappedFile>(new MappedFile(nullptr, 0));
  }
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t start = offset - offset % page;
  const size_t skip = static_cast<size_t>(offset - start);
  void* p = ::mmap(nullptr, skip + length, PROT_READ, MAP_PRIVATE, fd,
                   static_cast<off_t>(start));
  if (p == MAP_FAILED) {
    return absl::InternalError(
        absl::StrCat(path, ": cannot map: ", strerror(errno)));
  }
  return std::unique_ptr<MappedFile>(
      new MappedFile(static_cast<const char*>(p), skip + length, skip));
}

void MappedFile::Release(const char* p, size_t step, size_t* released) const {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  size_t upto = p == nullptr ? size_ : static_cast<size_t>(p - data_);
  if (p != nullptr) upto -= upto % page;
  if (upto <= *released || (p != nullptr && upto - *released < step)) return;
  ::madvise(const_cast<char*>(data_) + *released, upto - *released,
            MADV_DONTNEED);
  *released = upto;
}

MappedFile::~MappedFile() {
  if (size_ > 0) ::munmap(const_cast<char*>(data_), size_);
}

// --- KeyTable --------------------------------------------------------------

bool KeyTable::Init(const uint64_t* keys, const uint32_t* values, size_t size,
                    uint32_t value_limit) {
  keys_ = keys;
  values_ = values;
  size_ = size;
  // Between 2 and 4 entries per bucket on average.
  bits_ = size < 4 ? 0 : std::bit_width(size) - 2;
  shift_ = 64 - bits_;
  const size_t buckets = size_t{1} << bits_;
  dir_.assign(buckets + 1, 0);
  size_t next_bucket = 0;
  for (size_t i = 0; i < size; ++i) {
    const uint64_t k = keys[i];
    const uint32_t v = values[i];
    if (v >= value_limit) return false;
    if (i > 0 &&
        (k < keys[i - 1] || (k == keys[i - 1] && v <= values[i - 1]))) {
      return false;
    }
    const uint64_t b = Bucket(k);
    while (next_bucket <= b) dir_[next_bucket++] = static_cast<uint32_t>(i);
  }
  while (next_bucket <= buckets) {
    dir_[next_bucket++] = static_cast<uint32_t>(size);
  }
  return true;
}

// --- SnapshotView ----------------------------------------------------------

absl::Status SnapshotView::Bad(absl::string_view what) const {
  return absl::DataLossError(
      absl::StrCat(path_, ": corrupt snapshot (", what,
                   "); restore the directory from a backup"));
}

absl::StatusOr<std::unique_ptr<SnapshotView>> SnapshotView::Open(
    std::unique_ptr<MappedFile> file, const std::string& path,
    const SnapshotShape& expected) {
  std::unique_ptr<SnapshotView> view(new SnapshotView());
  SnapshotView& v = *view;
  v.path_ = path;
  v.num_perm_ = expected.num_perm;
  const absl::string_view bytes = file->bytes();
  v.file_ = std::move(file);
  if (bytes.size() < kFileHeaderBytes + kSnapshotFooterBytes) {
    return v.Bad("file is truncated");
  }
  // Footer.
  const char* footer = bytes.data() + bytes.size() - kSnapshotFooterBytes;
  if (Checksum(absl::string_view(footer, 40)) != Load64(footer + 40)) {
    return v.Bad("footer checksum mismatch; the file is truncated or damaged");
  }
  const uint64_t n = Load64(footer);
  const uint32_t num_perm = Load32(footer + 8);
  const uint32_t bands = Load32(footer + 12);
  const uint32_t rows = Load32(footer + 16);
  const uint32_t section_count = Load32(footer + 20);
  const uint64_t dir_offset = Load64(footer + 24);
  if (num_perm != expected.num_perm || bands != expected.bands ||
      rows != expected.rows) {
    return v.Bad("band parameters differ from the index's meta file");
  }
  if (n > kMaxDocs) return v.Bad("too many documents");
  const std::vector<uint32_t> kinds =
      ExpectedKinds(bands, expected.containment);
  const uint64_t dir_end = bytes.size() - kSnapshotFooterBytes;
  if (section_count != kinds.size() || dir_offset % kSectionAlignment != 0 ||
      dir_offset > dir_end ||
      dir_end - dir_offset != uint64_t{section_count} * kSectionEntryBytes) {
    return v.Bad("bad section directory");
  }
  const absl::string_view directory =
      bytes.substr(dir_offset, dir_end - dir_offset);
  if (Checksum(directory) != Load64(footer + 32)) {
    return v.Bad("section directory checksum mismatch");
  }
  // Sections: in order, aligned, zero padding between them.
  std::vector<absl::string_view> sections;
  std::vector<uint64_t> checksums;
  uint64_t end = kFileHeaderBytes;
  for (uint32_t i = 0; i < section_count; ++i) {
    const char* e = directory.data() + i * kSectionEntryBytes;
    const uint32_t kind = Load32(e);
    const uint64_t offset = Load64(e + 8);
    const uint64_t size = Load64(e + 16);
    if (kind != kinds[i] || Load32(e + 4) != 0 ||
        offset % kSectionAlignment != 0 || offset < end ||
        offset > dir_offset || size > dir_offset - offset) {
      return v.Bad(absl::StrCat("bad directory entry ", i));
    }
    if (!AllZero(bytes.substr(end, offset - end))) {
      return v.Bad(absl::StrCat("padding before section ", i, " is not zero"));
    }
    sections.push_back(bytes.substr(offset, size));
    checksums.push_back(Load64(e + 24));
    end = offset + size;
  }
  if (!AllZero(bytes.substr(end, dir_offset - end))) {
    return v.Bad("padding before the directory is not zero");
  }
  const size_t kSigs = section_count - 2, kFps = section_count - 1;
  // Every section but the signatures and fingerprints is checked now; those
  // two are checked per document when read (PayloadOk).
  for (size_t i = 0; i < kSigs; ++i) {
    if (Checksum(sections[i]) != checksums[i]) {
      return v.Bad(absl::StrCat("checksum mismatch in section ", i));
    }
  }
  v.signatures_checksum_ = checksums[kSigs];
  v.fingerprints_checksum_ = checksums[kFps];

  // Sizes.
  const absl::string_view docs = sections[0], id_offsets = sections[1],
                          id_table = sections[3];
  if (docs.size() != n * sizeof(SnapshotDoc) ||
      id_offsets.size() != (n + 1) * sizeof(uint64_t) ||
      id_table.size() % 12 != 0 ||
      sections[kSigs].size() != n * num_perm * sizeof(uint32_t)) {
    return v.Bad("section sizes do not match the document count");
  }
  v.docs_ =
      absl::MakeConstSpan(reinterpret_cast<const SnapshotDoc*>(docs.data()), n);
  v.id_offsets_ = absl::MakeConstSpan(
      reinterpret_cast<const uint64_t*>(id_offsets.data()), n + 1);
  v.id_bytes_ = sections[2];
  v.signatures_ = absl::MakeConstSpan(
      reinterpret_cast<const uint32_t*>(sections[kSigs].data()), n * num_perm);
  v.fingerprints_ = sections[kFps];
  if (expected.containment) {
    const absl::string_view offsets = sections[5 + bands];
    if (offsets.size() != (n + 1) * sizeof(uint64_t)) {
      return v.Bad("section sizes do not match the document count");
    }
    v.containment_offsets_ = absl::MakeConstSpan(
        reinterpret_cast<const uint64_t*>(offsets.data()), n + 1);
    v.containment_ = sections[6 + bands];
    if (v.containment_offsets_[0] != 0 ||
        v.containment_offsets_[n] != v.containment_.size()) {
      return v.Bad("containment sketches do not cover their section");
    }
    for (uint64_t seq = 0; seq < n; ++seq) {
      if (v.containment_offsets_[seq + 1] < v.containment_offsets_[seq]) {
        return v.Bad(absl::StrCat("bad containment offset of document ", seq));
      }
    }
  }

  // Documents: roots name themselves, fingerprint sets tile their section.
  uint64_t fp_end = 0;
  for (uint64_t seq = 0; seq < n; ++seq) {
    const SnapshotDoc& d = v.docs_[seq];
    if (d.flags > (kDocAlive | kDocPresent) ||
        ((d.flags & kDocPresent) && !(d.flags & kDocAlive)) || d.root > seq ||
        v.docs_[d.root].root != d.root || d.fp_offset != fp_end ||
        d.fp_count > d.fp_bytes) {
      return v.Bad(absl::StrCat("bad entry for document ", seq));
    }
    fp_end += d.fp_bytes;
    const uint64_t id_begin = v.id_offsets_[seq],
                   id_end = v.id_offsets_[seq + 1];
    if (id_end <= id_begin || id_end - id_begin > kMaxIdBytes) {
      return v.Bad(absl::StrCat("bad id of document ", seq));
    }
  }
  if (fp_end != v.fingerprints_.size() || v.id_offsets_[0] != 0 ||
      v.id_offsets_[n] != v.id_bytes_.size()) {
    return v.Bad("documents do not cover their sections");
  }
  // Tables.
  const size_t ids = id_table.size() / 12;
  if (!v.ids_.Init(reinterpret_cast<const uint64_t*>(id_table.data()),
                   reinterpret_cast<const uint32_t*>(id_table.data() + 8 * ids),
                   ids, static_cast<uint32_t>(n))) {
    return v.Bad("id table is not sorted or names no document");
  }
  v.bands_.resize(bands);
  for (uint32_t b = 0; b < bands; ++b) {
    const absl::string_view t = sections[5 + b];
    const size_t m = t.size() / 12;
    if (t.size() % 12 != 0 ||
        !v.bands_[b].Init(reinterpret_cast<const uint64_t*>(t.data()),
                          reinterpret_cast<const uint32_t*>(t.data() + 8 * m),
                          m, static_cast<uint32_t>(n))) {
      return v.Bad(absl::StrCat("band table ", b,
                                " is not sorted or names no document"));
    }
  }
  // Names: varint count, then (varint root seq, string name), by seq.
  Reader r(sections[4]);
  uint64_t count = 0;
  if (!r.GetVarint(&count) || count > n) return v.Bad("bad cluster names");
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t seq = 0;
    absl::string_view name;
    if (!r.GetVarint(&seq) || !r.GetString(&name) || seq >= n || name.empty() ||
        v.docs_[seq].root != seq ||
        (!v.names_.empty() && seq <= v.names_.back().first)) {
      return v.Bad("bad cluster names");
    }
    v.names_.emplace_back(static_cast<uint32_t>(seq), name);
  }
  if (!r.done()) return v.Bad("bad cluster names");
  return view;
}

bool SnapshotView::PayloadOk(uint32_t seq) const {
  return PayloadChecksum(signature(seq), fingerprints(seq)) ==
         docs_[seq].checksum;
}

absl::Status SnapshotView::VerifyAll() const {
  auto as_bytes = [](absl::Span<const uint32_t> s) {
    return absl::string_view(reinterpret_cast<const char*>(s.data()),
                             s.size() * sizeof(uint32_t));
  };
  if (Checksum(as_bytes(signatures_)) != signatures_checksum_) {
    return Bad("checksum mismatch in the signatures");
  }
  if (Checksum(fingerprints_) != fingerprints_checksum_) {
    return Bad("checksum mismatch in the fingerprint sets");
  }
  for (uint32_t seq = 0; seq < doc_count(); ++seq) {
    if (!PayloadOk(seq)) {
      return Bad(absl::StrCat("document ", seq, " fails its checksum"));
    }
  }
  return absl::OkStatus();
}

// --- SnapshotWriter --------------------------------------------------------

struct SnapshotWriter::SectionHash {
  XXH3_state_t state;
};

SnapshotWriter::SnapshotWriter(int fd, std::string path, uint64_t generation,
                               const SnapshotShape& shape)
    : fd_(fd),
      path_(std::move(path)),
      shape_(shape),
      hash_(std::make_unique<SectionHash>()) {
  AppendFileHeader(
      {kSnapshotMagic,
       shape.containment ? kContainmentSnapshotVersion : kSnapshotFormatVersion,
       generation},
      &buffer_);
  offset_ = buffer_.size();
}

SnapshotWriter::~SnapshotWriter() = default;

void SnapshotWriter::Write(absl::string_view bytes) {
  buffer_.append(bytes.data(), bytes.size());
  offset_ += bytes.size();
  if (buffer_.size() >= (size_t{1} << 20)) Flush();
}

void SnapshotWriter::Flush() {
  absl::string_view data = buffer_;
  while (status_.ok() && !data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      status_ = IndexFileError(errno, "write failed", path_);
      break;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  buffer_.clear();
}

void SnapshotWriter::Pad() {
  static constexpr char kZeros[kSectionAlignment] = {};
  const size_t pad = AlignUp(offset_) - offset_;
  Write(absl::string_view(kZeros, pad));
}

void SnapshotWriter::BeginSection(SnapshotSection kind) {
  EndSection();
  Pad();
  current_ = {kind, offset_, 0, 0};
  XXH3_64bits_reset_withSeed(&hash_->state, kChecksumSeed);
  in_section_ = true;
}

void SnapshotWriter::Append(absl::string_view bytes) {
  XXH3_64bits_update(&hash_->state, bytes.data(), bytes.size());
  Write(bytes);
}

void SnapshotWriter::EndSection() {
  if (!in_section_) return;
  current_.size = offset_ - current_.offset;
  current_.checksum = XXH3_64bits_digest(&hash_->state);
  entries_.push_back(current_);
  in_section_ = false;
}

absl::Status SnapshotWriter::Finish() {
  EndSection();
  Pad();
  const uint64_t dir_offset = offset_;
  std::string directory;
  for (const Entry& e : entries_) {
    PutFixed32(e.kind, &directory);
    PutFixed32(0, &directory);
    PutFixed64(e.offset, &directory);
    PutFixed64(e.size, &directory);
    PutFixed64(e.checksum, &directory);
  }
  Write(directory);
  std::string footer;
  PutFixed64(shape_.doc_count, &footer);
  PutFixed32(shape_.num_perm, &footer);
  PutFixed32(shape_.bands, &footer);
  PutFixed32(shape_.rows, &footer);
  PutFixed32(static_cast<uint32_t>(entries_.size()), &footer);
  PutFixed64(dir_offset, &footer);
  PutFixed64(Checksum(directory), &footer);
  PutFixed64(Checksum(footer), &footer);
  Write(footer);
  Flush();
  return status_;
}

}  // namespace neardup::internal
