// Where the labelled SaudiNewsNet dev month lives: the corpus in
// ../shared/data (optional: tests using it skip when it is absent) and its
// labels, committed under tests/data/labels/. One place, so that the tests
// reading them agree on the files.
//
//   if (!fs::exists(neardup::testing::SaudiNewsNetDevPath())) GTEST_SKIP();
#ifndef NEARDUP_TESTS_SUPPORT_LABELLED_DATA_H_
#define NEARDUP_TESTS_SUPPORT_LABELLED_DATA_H_

#include <filesystem>

namespace neardup::testing {

inline std::filesystem::path SaudiNewsNetDevPath() {
  return std::filesystem::path(NEARDUP_SOURCE_DIR) /
         "../shared/data/saudinewsnet-dev.jsonl.zst";
}

// One line per labelled pair (the majority of its readings).
inline std::filesystem::path SaudiNewsNetDevLabelsPath() {
  return std::filesystem::path(NEARDUP_SOURCE_DIR) /
         "tests/data/labels/saudinewsnet-dev-labels.tsv";
}

// Every reading of every pair.
inline std::filesystem::path SaudiNewsNetDevReadingsPath() {
  return std::filesystem::path(NEARDUP_SOURCE_DIR) /
         "tests/data/labels/saudinewsnet-dev-readings.tsv";
}

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_SUPPORT_LABELLED_DATA_H_
