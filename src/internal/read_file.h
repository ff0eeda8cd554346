// Reading whole inputs into memory, decompressing gzip and zstd on the way.
#ifndef NEARDUP_SRC_INTERNAL_READ_FILE_H_
#define NEARDUP_SRC_INTERNAL_READ_FILE_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace neardup::internal {

// Bytes of zero padding ReadInput() leaves after the data, so simdjson may
// read past the end of any line in place.
inline constexpr size_t kInputPadding = 64;

struct InputBytes {
  // data.size() == size + kInputPadding, padding zeroed; empty when the
  // bytes are mapped instead (see ReadOptions::map_plain_files).
  std::string data;
  size_t size = 0;  // Bytes of content after decompression.
  // A read-only mapping of a plain file and kInputPadding zero bytes after
  // it; null unless mapped. Shared so that whoever keeps pointers into the
  // bytes can keep the mapping alive.
  std::shared_ptr<const char> mapping;

  // The content followed by kInputPadding zero bytes, wherever it lives.
  absl::string_view padded() const {
    return mapping != nullptr
               ? absl::string_view(mapping.get(), size + kInputPadding)
               : absl::string_view(data);
  }
  enum class Compression {
    kNone,
    kGzip,
    kZstd
  } compression = Compression::kNone;
};

// Reads `path` ("-" for standard input) whole. gzip and zstd data (also
// concatenated frames) are recognised by their magic bytes and decompressed.
// Errors: NotFound / PermissionDenied / InvalidArgument (corrupt or truncated
// compressed data), each naming the path and what to do.
struct ReadOptions {
  // Plain (uncompressed) regular files are mapped instead of read: no copy,
  // no zero-filled buffer, and pages the kernel can drop and re-read from
  // the page cache. Only for readers that never write to the bytes.
  bool map_plain_files = false;
};
absl::StatusOr<InputBytes> ReadInput(const std::string& path,
                                     const ReadOptions& options = {});

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_READ_FILE_H_
