// Reading whole inputs into memory, decompressing gzip and zstd on the way.
#ifndef NEARDUP_SRC_INTERNAL_READ_FILE_H_
#define NEARDUP_SRC_INTERNAL_READ_FILE_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"

namespace neardup::internal {

// Bytes of zero padding ReadInput() leaves after the data, so simdjson may
// read past the end of any line in place.
inline constexpr size_t kInputPadding = 64;

struct InputBytes {
  std::string data;  // data.size() == size + kInputPadding, padding zeroed.
  size_t size = 0;   // Bytes of content after decompression.
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
absl::StatusOr<InputBytes> ReadInput(const std::string& path);

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_READ_FILE_H_
