// Compressed test fixtures made in memory with the library's own
// dependencies (zlib, zstd), so tests never shell out to gzip or zstd.
// Free of GoogleTest so the fuzz targets (tests/fuzz/) use them too; a
// compressor that fails (it cannot, for in-memory data) aborts.
//
// Example:
//
//   WriteAll(dir / "in.jsonl.gz", neardup::testing::Gzip(records));
#ifndef NEARDUP_TESTS_SUPPORT_COMPRESS_H_
#define NEARDUP_TESTS_SUPPORT_COMPRESS_H_

#include <zlib.h>
#include <zstd.h>

#include <cstdlib>
#include <string>

namespace neardup::testing {

// One gzip member holding `data`.
inline std::string Gzip(const std::string& data) {
  z_stream stream{};
  if (deflateInit2(&stream, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    std::abort();
  }
  std::string out(deflateBound(&stream, data.size()) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// One zstd frame holding `data`, its size stated in the header.
inline std::string Zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t size =
      ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  if (ZSTD_isError(size)) std::abort();
  out.resize(size);
  return out;
}

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_SUPPORT_COMPRESS_H_
