// Damaging an index directory at random and checking what Index::Open makes
// of it. Shared by tests/index_fuzz_test.cc (a fixed number of seeded
// rounds in the default test run) and tests/fuzz/index_open_fuzzer.cc (a
// libFuzzer target, NEARDUP_FUZZ=ON).
//
// The checks use the public API only, so they hold for every format version:
// a damaged index either fails to open with a one-line message, or opens and
// is self-consistent: it holds only documents that were added, answers every
// lookup and query, and takes new documents that survive a compaction and a
// reopen.
//
//   neardup::testing::FuzzSeed seed = BuildFuzzSeed(dir).value();
//   CopyDirectory(dir, work);
//   MutateIndexFiles(work, rng);
//   std::vector<std::string> problems = CheckDamagedIndex(work, seed);
#ifndef NEARDUP_TESTS_SUPPORT_INDEX_FUZZ_H_
#define NEARDUP_TESTS_SUPPORT_INDEX_FUZZ_H_

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "neardup/index.h"
#include "tests/support/generator.h"

namespace neardup::testing {

// The documents of a seed index, by id, as they were added (removed ones
// included: a damaged index must not bring them back silently, but it may
// hold any of them).
struct FuzzSeed {
  std::vector<std::pair<std::string, std::string>> documents;
};

inline std::string ReadWholeFileForFuzz(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void WriteWholeFileForFuzz(const std::filesystem::path& path,
                                  const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// The regular files of `dir`, sorted by name (directory order is not
// deterministic).
inline std::vector<std::filesystem::path> IndexFiles(
    const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

inline void CopyDirectory(const std::filesystem::path& from,
                          const std::filesystem::path& to) {
  std::filesystem::remove_all(to);
  std::filesystem::create_directories(to);
  for (const auto& file : IndexFiles(from)) {
    std::filesystem::copy_file(file, to / file.filename());
  }
}

// Builds an index in the empty or absent directory `dir` that has every kind
// of state: clusters of copies, a removal before and after a compaction (so
// both the snapshot and the log hold records), and a document re-added after
// its removal. `options` are the index's (the defaults, or for instance
// boilerplate scoring, whose meta file is another version).
inline absl::StatusOr<FuzzSeed> BuildFuzzSeed(
    const std::string& dir, const IndexOptions& options = {}) {
  absl::Status created = Index::Create(dir, options);
  if (!created.ok()) return created;
  auto index = Index::Open(dir, {});
  if (!index.ok()) return index.status();
  Rng rng(20261121);
  FuzzSeed seed;
  auto add = [&](const std::string& id, const std::string& text) {
    seed.documents.emplace_back(id, text);
    return (*index)->Add(id, text, {}).status();
  };
  std::vector<std::string> stories;
  for (int i = 0; i < 4; ++i) {
    stories.push_back(GenerateArticle(
        rng, i % 2 ? Language::kArabic : Language::kEnglish, 2));
  }
  const std::vector<std::pair<std::string, std::string>> before = {
      {"a0", stories[0]}, {"a1", stories[0] + " Reprinted."},
      {"b0", stories[1]}, {"b1", "\u0639\u0627\u062c\u0644: " + stories[1]},
      {"c0", stories[2]},
  };
  for (const auto& [id, text] : before) {
    if (absl::Status s = add(id, text); !s.ok()) return s;
  }
  if (absl::Status s = (*index)->Remove("c0"); !s.ok()) return s;
  if (absl::Status s = (*index)->Compact(); !s.ok()) return s;
  const std::vector<std::pair<std::string, std::string>> after = {
      {"c0", stories[2] + " Updated."},
      {"a2", "Agencies: " + stories[0]},
      {"d0", stories[3]},
  };
  for (const auto& [id, text] : after) {
    if (absl::Status s = add(id, text); !s.ok()) return s;
  }
  if (absl::Status s = (*index)->Remove("b0"); !s.ok()) return s;
  if (absl::Status s = (*index)->Sync(); !s.ok()) return s;
  return seed;
}

// Applies one to three random kinds of damage to the files of `dir`: bit
// flips, truncation, random or zeroed ranges, inserted or duplicated bytes,
// extreme 32-bit values at aligned offsets (where lengths and counts live),
// an emptied or deleted file, or two files' contents swapped.
inline void MutateIndexFiles(const std::filesystem::path& dir, Rng& rng) {
  std::vector<std::filesystem::path> files = IndexFiles(dir);
  if (files.empty()) return;
  const int rounds = static_cast<int>(rng.UniformInt(1, 3));
  for (int round = 0; round < rounds; ++round) {
    const std::filesystem::path& path = files[rng.Uniform(files.size())];
    std::string bytes = ReadWholeFileForFuzz(path);
    const size_t size = bytes.size();
    auto offset = [&] { return static_cast<size_t>(rng.Uniform(size + 1)); };
    const uint64_t kind = rng.Uniform(9);
    switch (kind) {
      case 0:  // Bit flips.
        for (int i = rng.UniformInt(1, 8); i > 0 && size > 0; --i) {
          bytes[rng.Uniform(size)] ^= static_cast<char>(1 << rng.Uniform(8));
        }
        break;
      case 1:  // Truncation.
        bytes.resize(offset());
        break;
      case 2:    // Random bytes over a range.
      case 3: {  // Zeros over a range.
        const bool zero = kind == 3;
        const size_t begin = offset();
        const size_t end = std::min(size, begin + rng.UniformInt(1, 64));
        for (size_t i = begin; i < end; ++i) {
          bytes[i] = zero ? '\0' : static_cast<char>(rng.Next());
        }
        break;
      }
      case 4: {  // Inserted bytes.
        std::string junk(rng.UniformInt(1, 16), '\0');
        for (char& c : junk) c = static_cast<char>(rng.Next());
        bytes.insert(offset(), junk);
        break;
      }
      case 5: {  // A range copied elsewhere (a record twice, say).
        const size_t begin = offset();
        const size_t end = std::min(size, begin + rng.UniformInt(1, 4096));
        bytes.insert(offset(), bytes.substr(begin, end - begin));
        break;
      }
      case 6: {  // An extreme 32-bit value at an aligned offset.
        if (size < 4) break;
        static constexpr uint32_t kValues[] = {0, 1, 0x7FFFFFFF, 0x80000000,
                                               0xFFFFFFFF};
        uint32_t value = kValues[rng.Uniform(std::size(kValues))];
        if (rng.Uniform(2) == 0) value = static_cast<uint32_t>(size + 1);
        const size_t at = rng.Uniform(size / 4) * 4;
        for (int i = 0; i < 4; ++i)
          bytes[at + i] = static_cast<char>(value >> (8 * i));
        break;
      }
      case 7:  // Emptied, or gone.
        if (rng.Uniform(2) == 0) {
          std::filesystem::remove(path);
          continue;
        }
        bytes.clear();
        break;
      case 8: {  // Two files swap contents.
        const std::filesystem::path& other = files[rng.Uniform(files.size())];
        if (other == path) break;
        std::string other_bytes = ReadWholeFileForFuzz(other);
        WriteWholeFileForFuzz(other, bytes);
        bytes = std::move(other_bytes);
        break;
      }
    }
    WriteWholeFileForFuzz(path, bytes);
    files = IndexFiles(dir);
    if (files.empty()) return;
  }
}

// Opens the (possibly damaged) index in `dir` and returns every broken
// promise it finds; empty means the index behaved. May change `dir` (a
// read-write open truncates a torn tail, and the check adds a document).
inline std::vector<std::string> CheckDamagedIndex(const std::string& dir,
                                                  const FuzzSeed& seed) {
  std::vector<std::string> problems;
  auto problem = [&](auto&&... parts) {
    problems.push_back(absl::StrCat(parts...));
  };
  auto check_refusal = [&](const absl::Status& status, const char* how) {
    if (status.message().empty()) problem(how, ": refused without a message");
    if (status.message().find('\n') != absl::string_view::npos) {
      problem(how, ": message spans lines: ", status.message());
    }
  };

  auto read_only = Index::Open(dir, {.read_only = true});
  if (!read_only.ok()) {
    check_refusal(read_only.status(), "read-only open");
    auto writer = Index::Open(dir, {});
    if (writer.ok())
      problem("read-write open accepts what read-only refused");
    else
      check_refusal(writer.status(), "read-write open");
    return problems;
  }
  const Index& index = **read_only;
  const IndexStats stats = index.stats();
  // Ids in the seed may repeat (a removed id added again); count each once.
  std::vector<std::string> ids;
  for (const auto& document : seed.documents) ids.push_back(document.first);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  uint64_t known_live = 0;
  for (const std::string& id : ids) {
    const bool contains = index.Contains(id);
    known_live += contains;
    if (contains != index.ClusterOf(id).ok()) {
      problem("Contains and ClusterOf disagree on ", id);
    }
  }
  for (const auto& document : seed.documents) {
    // "probe" is no id of the seed, so the query cannot fail on its id.
    const absl::StatusOr<Decision> decision =
        index.Query("probe", document.second, 5);
    if (!decision.ok()) {
      problem("query failed: ", decision.status().message());
      continue;
    }
    for (const IndexMatch& match : decision->matches) {
      if (!index.Contains(match.id)) {
        problem("query matched ", match.id, ", which the index does not hold");
      }
      if (!(match.jaccard >= 0 && match.jaccard <= 1 &&
            match.containment >= 0 && match.containment <= 1 &&
            match.jaccard <= match.containment + 1e-9)) {
        problem("impossible scores for ", match.id, ": J ", match.jaccard,
                ", C ", match.containment);
      }
    }
  }
  if (stats.documents != known_live) {
    problem("stats say ", stats.documents, " documents, but ", known_live,
            " of the added ids are present");
  }
  read_only->reset();

  auto writer = Index::Open(dir, {});
  if (!writer.ok()) {
    problem("read-write open refuses what read-only accepted: ",
            writer.status().message());
    return problems;
  }
  const std::string fresh =
      "A document written after the damage, to check the index still takes "
      "new ones and keeps them across a compaction and a reopen.";
  // Damage that Open does not check eagerly (a document's own checksum is
  // checked when the document is read) may surface here instead; then it
  // must be reported as data loss, on one line, and not be written over.
  auto late_damage = [&](const absl::Status& status, const char* how) {
    if (status.code() != absl::StatusCode::kDataLoss) {
      problem(how, " failed: ", status.message());
    } else {
      check_refusal(status, how);
    }
  };
  if (absl::Status s = (*writer)->Add("fuzz-new", fresh, {}).status();
      !s.ok()) {
    late_damage(s, "add after open");
    return problems;
  }
  if (absl::Status s = (*writer)->Compact(); !s.ok()) {
    late_damage(s, "compact");
    return problems;
  }
  writer->reset();
  auto reopened = Index::Open(dir, {.read_only = true});
  if (!reopened.ok()) {
    problem("reopen after compact failed: ", reopened.status().message());
    return problems;
  }
  if ((*reopened)->stats().documents != stats.documents + 1 ||
      !(*reopened)->Contains("fuzz-new")) {
    problem("after add and compact: ", (*reopened)->stats().documents,
            " documents, expected ", stats.documents + 1);
  }
  return problems;
}

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_SUPPORT_INDEX_FUZZ_H_
