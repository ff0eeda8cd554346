#include "src/internal/index_format.h"

#include <algorithm>
#include <bit>
#include <cstring>

#define XXH_INLINE_ALL
#include "xxhash.h"

namespace neardup::internal {
namespace {

uint32_t LoadFixed32(const char* p) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint32_t>(b[0]) | static_cast<uint32_t>(b[1]) << 8 |
         static_cast<uint32_t>(b[2]) << 16 | static_cast<uint32_t>(b[3]) << 24;
}

uint64_t LoadFixed64(const char* p) {
  return static_cast<uint64_t>(LoadFixed32(p)) |
         static_cast<uint64_t>(LoadFixed32(p + 4)) << 32;
}

}  // namespace

uint64_t Checksum(absl::string_view bytes) {
  return XXH3_64bits_withSeed(bytes.data(), bytes.size(), kChecksumSeed);
}

void PutFixed32(uint32_t v, std::string* out) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 4);
}

void PutFixed64(uint64_t v, std::string* out) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 8);
}

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutString(absl::string_view s, std::string* out) {
  PutVarint(s.size(), out);
  out->append(s.data(), s.size());
}

void AppendFileHeader(const FileHeader& header, std::string* out) {
  const size_t start = out->size();
  out->append(header.magic.data(), header.magic.size());
  PutFixed32(header.version, out);
  PutFixed32(0, out);
  PutFixed64(header.generation, out);
  PutFixed64(Checksum(absl::string_view(*out).substr(start, 24)), out);
}

HeaderCheck ParseFileHeader(absl::string_view bytes, absl::string_view magic,
                            uint32_t max_version, FileHeader* header) {
  if (bytes.size() < kFileHeaderBytes) {
    // A short file that does not even start with the magic is foreign.
    if (bytes.size() < magic.size() || bytes.substr(0, magic.size()) != magic) {
      return bytes.empty() ? HeaderCheck::kShort : HeaderCheck::kWrongMagic;
    }
    return HeaderCheck::kShort;
  }
  if (bytes.substr(0, 8) != magic) return HeaderCheck::kWrongMagic;
  if (Checksum(bytes.substr(0, 24)) != LoadFixed64(bytes.data() + 24)) {
    return HeaderCheck::kBadChecksum;
  }
  header->magic = magic;
  header->version = LoadFixed32(bytes.data() + 8);
  header->generation = LoadFixed64(bytes.data() + 16);
  if (header->version > max_version) return HeaderCheck::kNewer;
  return HeaderCheck::kOk;
}

void AppendRecord(absl::string_view payload, std::string* out) {
  const size_t start = out->size();
  PutFixed32(static_cast<uint32_t>(payload.size()), out);
  out->append(payload.data(), payload.size());
  PutFixed64(Checksum(absl::string_view(*out).substr(start)), out);
}

RecordCheck ReadRecord(absl::string_view bytes, size_t* offset,
                       absl::string_view* payload) {
  const size_t at = *offset;
  if (at == bytes.size()) return RecordCheck::kEnd;
  if (bytes.size() - at < 4) return RecordCheck::kTruncated;
  const uint32_t length = LoadFixed32(bytes.data() + at);
  if (length > kMaxRecordBytes) return RecordCheck::kTooLarge;
  if (bytes.size() - at < kRecordOverhead + length) {
    return RecordCheck::kTruncated;
  }
  const absl::string_view framed = bytes.substr(at, 4 + length);
  if (Checksum(framed) != LoadFixed64(bytes.data() + at + 4 + length)) {
    return RecordCheck::kBadChecksum;
  }
  *payload = framed.substr(4);
  *offset = at + kRecordOverhead + length;
  return RecordCheck::kOk;
}

bool Reader::GetByte(uint8_t* v) {
  if (pos_ >= bytes_.size()) return Fail();
  *v = static_cast<uint8_t>(bytes_[pos_++]);
  return true;
}

bool Reader::GetFixed32(uint32_t* v) {
  if (remaining() < 4) return Fail();
  *v = LoadFixed32(bytes_.data() + pos_);
  pos_ += 4;
  return true;
}

bool Reader::GetFixed64(uint64_t* v) {
  if (remaining() < 8) return Fail();
  *v = LoadFixed64(bytes_.data() + pos_);
  pos_ += 8;
  return true;
}

bool Reader::GetVarint(uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= bytes_.size()) return Fail();
    const uint8_t b = static_cast<uint8_t>(bytes_[pos_++]);
    if (shift == 63 && b > 1) return Fail();
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (b < 0x80) {
      *v = result;
      return true;
    }
  }
  return Fail();
}

bool Reader::GetBytes(size_t n, absl::string_view* s) {
  if (remaining() < n) return Fail();
  *s = bytes_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool Reader::GetString(absl::string_view* s) {
  uint64_t n = 0;
  if (!GetVarint(&n)) return false;
  return GetBytes(n, s);
}

bool Reader::Fail() {
  bytes_ = absl::string_view();
  pos_ = 0;
  failed_ = true;
  return false;
}

void EncodeFingerprints(absl::Span<const uint64_t> sorted, std::string* out) {
  // Written through a pointer into room for the longest varints, then cut
  // back: pushing byte by byte was a tenth of an index add's CPU time.
  constexpr size_t kMaxVarintBytes = 10;
  const size_t start = out->size();
  out->resize(start + kMaxVarintBytes * sorted.size());
  char* p = out->data() + start;
  uint64_t previous = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    uint64_t v = sorted[i] - previous;
    previous = sorted[i];
    if constexpr (std::endian::native == std::endian::little) {
      // A gap of 32-bit fingerprints takes 3 or 4 bytes about equally often,
      // so a loop over its bytes mispredicts its exit for many gaps; spread
      // into 7-bit groups, with the continuation bits set below the last,
      // it is one 8-byte store (room for it: 10 bytes a value).
      if (v < (uint64_t{1} << 35)) {
        const int length =
            std::max(1, static_cast<int>(std::bit_width(v) + 6) / 7);
        uint64_t word = (v & 0x7f) | ((v << 1) & 0x7f00) |
                        ((v << 2) & 0x7f0000) | ((v << 3) & 0x7f000000) |
                        ((v << 4) & 0x7f00000000);
        word |= 0x8080808080 & ((uint64_t{1} << (8 * (length - 1))) - 1);
        std::memcpy(p, &word, sizeof(word));
        p += length;
        continue;
      }
    }
    while (v >= 0x80) {
      *p++ = static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    *p++ = static_cast<char>(v);
  }
  out->resize(static_cast<size_t>(p - out->data()));
}

bool DecodeFingerprints(absl::string_view bytes, uint64_t count,
                        std::vector<uint64_t>* out) {
  out->clear();
  if (count > bytes.size()) return false;  // At least a byte each.
  out->reserve(count);
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  uint64_t value = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t gap = 0;
    int shift = 0;
    for (;;) {
      if (p == end || shift > 28) return false;
      const unsigned char b = *p++;
      gap |= static_cast<uint64_t>(b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) break;
    }
    if (i > 0 && gap == 0) return false;
    value += gap;
    if (value > 0xffffffffu) return false;
    out->push_back(value);
  }
  return p == end;
}

bool HasVarintCount(absl::string_view bytes, uint64_t count) {
  if (bytes.empty()) return count == 0;
  if (static_cast<unsigned char>(bytes.back()) & 0x80) return false;
  // Continuation bytes are counted eight at a time: this runs over every
  // stored set when an index replays its log, where a byte loop cost a tenth
  // of the time.
  const char* p = bytes.data();
  const size_t n = bytes.size();
  uint64_t continuations = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    // One 0/1 per byte, summed into the top byte by the multiply (no
    // popcount instruction is assumed: the baseline x86-64 target has none).
    continuations +=
        (((word & 0x8080808080808080ULL) >> 7) * 0x0101010101010101ULL) >> 56;
  }
  for (; i < n; ++i) continuations += static_cast<unsigned char>(p[i]) >> 7;
  return n - continuations == count;
}

}  // namespace neardup::internal
