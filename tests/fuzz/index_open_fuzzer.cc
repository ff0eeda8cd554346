// libFuzzer target: Index::Open on arbitrary file contents. Built three
// times: index_open_fuzzer patches any file of the index,
// index_log_fuzzer only the log and index_snapshot_fuzzer only the snapshot.
//
// An input is a patch to one file of a small valid index (built once, see
// tests/support/index_fuzz.h), so that every input starts from real bytes:
//   byte 0      which file (modulo the number of files);
//   bytes 1-4   an offset, little-endian (modulo the file's size + 1);
//   byte 5      how: 0 overwrite from the offset, 1 insert at the offset,
//               2 cut the file at the offset and append, 3 replace the file;
//   the rest    the bytes to write.
// The index is then opened and checked with CheckDamagedIndex, and any
// broken promise aborts, so libFuzzer keeps the input. tools/fuzz.sh builds
// and runs it (docs/testing.md); by hand, with clang and NEARDUP_FUZZ=ON:
//
//   cmake --build build/fuzz --target index_open_fuzzer
//   NEARDUP_FUZZ_WRITE_SEEDS=corpus build/fuzz/tests/index_open_fuzzer -runs=0
//   build/fuzz/tests/index_open_fuzzer corpus -max_total_time=600
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/index_fuzz.h"

namespace {

namespace fs = std::filesystem;
using neardup::testing::FuzzSeed;

struct Fixture {
  fs::path seed_dir;
  fs::path work_dir;
  FuzzSeed seed;
  std::vector<std::string> names;  // File names of the seed index, sorted.
};

const Fixture& GetFixture() {
  static const Fixture* fixture = [] {
    auto* f = new Fixture;
    const fs::path root = fs::temp_directory_path() /
                          absl::StrCat("neardup_index_fuzzer_", getpid());
    fs::remove_all(root);
    f->seed_dir = root / "seed";
    f->work_dir = root / "work";
    absl::StatusOr<FuzzSeed> seed =
        neardup::testing::BuildFuzzSeed(f->seed_dir.string());
    if (!seed.ok()) {
      std::fprintf(stderr, "cannot build the seed index: %s\n",
                   std::string(seed.status().message()).c_str());
      std::abort();
    }
    f->seed = *std::move(seed);
    for (const fs::path& file : neardup::testing::IndexFiles(f->seed_dir)) {
#ifdef NEARDUP_INDEX_FUZZ_FILE
      // index_log_fuzzer and index_snapshot_fuzzer: one file only, so all
      // of the target's time goes to that file's format (byte 0 is then
      // ignored).
      if (file.filename() != NEARDUP_INDEX_FUZZ_FILE) continue;
#endif
      f->names.push_back(file.filename().string());
    }
    if (f->names.empty()) {
      std::fprintf(stderr, "the seed index has no file to fuzz\n");
      std::abort();
    }
    // A starting corpus: for each file, a one-byte overwrite at a few
    // offsets (header, early record, middle, end) and a cut at each.
    if (const char* out = std::getenv("NEARDUP_FUZZ_WRITE_SEEDS")) {
      fs::create_directories(out);
      for (size_t i = 0; i < f->names.size(); ++i) {
        const auto size =
            static_cast<uint32_t>(fs::file_size(f->seed_dir / f->names[i]));
        const uint32_t offsets[] = {0, 8, 24, size / 2,
                                    size > 0 ? size - 1 : 0};
        int n = 0;
        for (uint32_t offset : offsets) {
          for (char mode : {'\0', '\2'}) {
            std::string input(1, static_cast<char>(i));
            for (int b = 0; b < 4; ++b) {
              input += static_cast<char>(offset >> (8 * b));
            }
            input += mode;
            input += 'Z';
            neardup::testing::WriteWholeFileForFuzz(
                fs::path(out) / absl::StrCat("seed-", f->names[i], "-", n++),
                input);
          }
        }
      }
    }
    return f;
  }();
  return *fixture;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Fixture& fixture = GetFixture();
  if (size < 6 || fixture.names.empty()) return 0;
  neardup::testing::CopyDirectory(fixture.seed_dir, fixture.work_dir);
  const std::string& name = fixture.names[data[0] % fixture.names.size()];
  const fs::path path = fixture.work_dir / name;
  std::string bytes = neardup::testing::ReadWholeFileForFuzz(path);
  const uint32_t raw_offset = uint32_t{data[1]} | uint32_t{data[2]} << 8 |
                              uint32_t{data[3]} << 16 | uint32_t{data[4]} << 24;
  const size_t offset = raw_offset % (bytes.size() + 1);
  const std::string patch(reinterpret_cast<const char*>(data) + 6, size - 6);
  switch (data[5] % 4) {
    case 0:
      bytes.replace(offset, std::min(patch.size(), bytes.size() - offset),
                    patch);
      break;
    case 1:
      bytes.insert(offset, patch);
      break;
    case 2:
      bytes.resize(offset);
      bytes += patch;
      break;
    case 3:
      bytes = patch;
      break;
  }
  neardup::testing::WriteWholeFileForFuzz(path, bytes);
  const std::vector<std::string> problems = neardup::testing::CheckDamagedIndex(
      fixture.work_dir.string(), fixture.seed);
  if (!problems.empty()) {
    for (const std::string& problem : problems) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), problem.c_str());
    }
    std::abort();
  }
  return 0;
}
