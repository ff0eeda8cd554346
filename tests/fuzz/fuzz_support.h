// Helpers shared by the libFuzzer targets in tests/fuzz/: a check that
// aborts (so libFuzzer keeps the input) with a message saying which promise
// broke, a scratch directory per process, and UTF-8 boundary helpers.
//
// Run the targets with tools/fuzz.sh; docs/testing.md has the long campaign.
#ifndef NEARDUP_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define NEARDUP_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "src/internal/utf8_repair.h"
#include "tests/support/compress.h"

// Aborts with the condition and a message when `condition` is false.
#define NEARDUP_FUZZ_CHECK(condition, ...)                                \
  do {                                                                    \
    if (!(condition)) {                                                   \
      std::fprintf(stderr, "%s:%d: broken promise: %s\n  %s\n", __FILE__, \
                   __LINE__, #condition,                                  \
                   ::neardup::fuzz::Message(__VA_ARGS__).c_str());        \
      std::abort();                                                       \
    }                                                                     \
  } while (0)

namespace neardup::fuzz {

// The message of NEARDUP_FUZZ_CHECK: its arguments, StrCat'ed.
inline std::string Message() { return ""; }
template <typename... Parts>
std::string Message(const Parts&... parts) {
  return absl::StrCat(parts...);
}

// A directory of this process's own, made on first use (removed by nobody:
// it lives in the temporary directory and holds a few small files).
inline const std::filesystem::path& ScratchDir(absl::string_view target) {
  static const std::filesystem::path* dir = [target] {
    auto* path = new std::filesystem::path(
        std::filesystem::temp_directory_path() /
        absl::StrCat("neardup_", target, "_", getpid()));
    std::filesystem::create_directories(*path);
    return path;
  }();
  return *dir;
}

inline void WriteFile(const std::filesystem::path& path,
                      absl::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  NEARDUP_FUZZ_CHECK(out.good(), "cannot write ", path.string());
}

// `payload` as a file holds it: 0 as is, 1 gzip, 2 zstd.
inline std::string Frame(absl::string_view payload, int framing) {
  const std::string bytes(payload);
  switch (framing) {
    case 1:
      return testing::Gzip(bytes);
    case 2:
      return testing::Zstd(bytes);
    default:
      return bytes;
  }
}

// The positions at which a code point (or the maximal subpart of an invalid
// sequence, decoded as one U+FFFD) starts, and text.size(): where a span of
// the text may begin or end without splitting a UTF-8 sequence.
inline std::vector<bool> Utf8Boundaries(absl::string_view text) {
  std::vector<bool> boundary(text.size() + 1, false);
  size_t pos = 0;
  while (pos < text.size()) {
    boundary[pos] = true;
    size_t invalid_length = 0;
    const size_t length =
        internal::Utf8SequenceLength(text, pos, &invalid_length);
    pos += length != 0 ? length : invalid_length;
  }
  boundary[text.size()] = true;
  return boundary;
}

inline bool IsValidUtf8(absl::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t invalid_length = 0;
    const size_t length =
        internal::Utf8SequenceLength(text, pos, &invalid_length);
    if (length == 0) return false;
    pos += length;
  }
  return true;
}

}  // namespace neardup::fuzz

#endif  // NEARDUP_TESTS_FUZZ_FUZZ_SUPPORT_H_
