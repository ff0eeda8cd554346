// Where things are in a version-2 snapshot file, for tests that damage one
// section on purpose (docs/file-format.md lays the file out).
//
//   std::string bytes = ReadFile(dir / internal::kSnapshotFile);
//   auto [offset, size] = SnapshotSection(bytes, SnapshotSectionCount(bytes) -
//   1); bytes[offset + 10] ^= 0x04;  // A bit of the first fingerprint set.
#ifndef NEARDUP_TESTS_SUPPORT_SNAPSHOT_LAYOUT_H_
#define NEARDUP_TESTS_SUPPORT_SNAPSHOT_LAYOUT_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "src/internal/snapshot.h"

namespace neardup::testing {

inline uint64_t LoadLittle64(const std::string& bytes, size_t at) {
  uint64_t v;
  std::memcpy(&v, bytes.data() + at, 8);
  return v;
}

// The number of sections in the footer's directory. Precondition: `bytes`
// is a whole version-2 snapshot.
inline uint32_t SnapshotSectionCount(const std::string& bytes) {
  uint32_t sections = 0;
  std::memcpy(&sections,
              bytes.data() + bytes.size() - internal::kSnapshotFooterBytes + 20,
              4);
  return sections;
}

// The byte range (offset, size) of section `i`: directory entry `i`. The
// last section holds the fingerprint sets, first document first.
inline std::pair<size_t, size_t> SnapshotSection(const std::string& bytes,
                                                 size_t i) {
  const size_t footer = bytes.size() - internal::kSnapshotFooterBytes;
  const size_t dir = LoadLittle64(bytes, footer + 24);
  const size_t entry = dir + i * internal::kSectionEntryBytes;
  return {LoadLittle64(bytes, entry + 8), LoadLittle64(bytes, entry + 16)};
}

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_SUPPORT_SNAPSHOT_LAYOUT_H_
