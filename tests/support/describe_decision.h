// One line per index decision, for tests that compare whole sequences of
// decisions (status, cluster, every match with its scores, merges).
#ifndef NEARDUP_TESTS_SUPPORT_DESCRIBE_DECISION_H_
#define NEARDUP_TESTS_SUPPORT_DESCRIBE_DECISION_H_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "neardup/corpus.h"
#include "neardup/index.h"
#include "src/internal/index_batch.h"

namespace neardup::testing {

inline std::string DescribeDecision(const Decision& d) {
  std::string out = absl::StrCat(d.id, " ", DecisionStatusName(d.status), " ",
                                 d.cluster, " [");
  for (const IndexMatch& m : d.matches) {
    absl::StrAppend(&out, m.id, ":", m.jaccard, ":", m.containment);
    if (m.weighted_jaccard >= 0) absl::StrAppend(&out, ":", m.weighted_jaccard);
    absl::StrAppend(&out, " ");
  }
  absl::StrAppend(&out, "] merged");
  for (const std::string& m : d.merged) absl::StrAppend(&out, " ", m);
  return out;
}

// The (match, document) id pairs of decision lines as AppendDecisionJson
// writes them ({"id":ID,...,"matches":[{"id":ID,...},...]}), for ids without
// quotes or backslashes.
inline std::vector<std::pair<std::string, std::string>> DecisionPairs(
    absl::string_view json_lines) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (absl::string_view line :
       absl::StrSplit(json_lines, '\n', absl::SkipEmpty())) {
    std::vector<std::string> ids;
    for (size_t at = line.find("\"id\":\""); at != line.npos;
         at = line.find("\"id\":\"", at + 1)) {
      const size_t begin = at + 6;
      ids.emplace_back(line.substr(begin, line.find('"', begin) - begin));
    }
    for (size_t i = 1; i < ids.size(); ++i) pairs.emplace_back(ids[i], ids[0]);
  }
  return pairs;
}

// Like DecisionPairs, with each match's "weighted_jaccard" (-1 where the
// match has none).
struct WeightedPair {
  std::string older, newer;
  double weighted;
};
inline std::vector<WeightedPair> DecisionWeightedPairs(
    absl::string_view json_lines) {
  std::vector<WeightedPair> out;
  constexpr absl::string_view kId = "{\"id\":\"";
  constexpr absl::string_view kWeighted = "\"weighted_jaccard\":";
  for (absl::string_view line :
       absl::StrSplit(json_lines, '\n', absl::SkipEmpty())) {
    const size_t id_begin = kId.size();
    const std::string newer(
        line.substr(id_begin, line.find('"', id_begin) - id_begin));
    for (size_t at = line.find(kId, 1); at != line.npos;
         at = line.find(kId, at + 1)) {
      const size_t begin = at + kId.size();
      WeightedPair pair{
          std::string(line.substr(begin, line.find('"', begin) - begin)), newer,
          -1};
      const size_t end = line.find('}', begin);
      const size_t w = line.find(kWeighted, begin);
      if (w != line.npos && w < end) {
        const size_t value = w + kWeighted.size();
        (void)absl::SimpleAtod(line.substr(value, end - value), &pair.weighted);
      }
      out.push_back(std::move(pair));
    }
  }
  return out;
}

// Adds the first `count` documents as one batch (internal::AddCorpus on two
// threads: blocks of 512 prepared and prescreened while the one before is
// added) and returns its decision lines; a failure is a test failure.
inline std::string AddFirstAsBatch(
    Index& index,
    const std::vector<std::pair<std::string, std::string>>& documents,
    size_t count) {
  std::vector<std::pair<std::string, std::string>> first(
      documents.begin(),
      documents.begin() + static_cast<std::ptrdiff_t>(count));
  auto part = Corpus::FromDocuments(first);
  EXPECT_TRUE(part.ok()) << part.status();
  if (!part.ok()) return "";
  internal::BatchOptions batch_add;
  batch_add.max_matches = 100000;
  batch_add.threads = 2;
  internal::AddBatchResult added =
      internal::AddCorpus(index, **part, batch_add);
  EXPECT_TRUE(added.failure.ok()) << added.failure;
  return added.decisions;
}

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_SUPPORT_DESCRIBE_DECISION_H_
