// One line per index decision, for tests that compare whole sequences of
// decisions (status, cluster, every match with its scores, merges).
#ifndef NEARDUP_TESTS_SUPPORT_DESCRIBE_DECISION_H_
#define NEARDUP_TESTS_SUPPORT_DESCRIBE_DECISION_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "neardup/index.h"

namespace neardup::testing {

inline std::string DescribeDecision(const Decision& d) {
  std::string out = absl::StrCat(d.id, " ", DecisionStatusName(d.status), " ",
                                 d.cluster, " [");
  for (const IndexMatch& m : d.matches) {
    absl::StrAppend(&out, m.id, ":", m.jaccard, ":", m.containment, " ");
  }
  absl::StrAppend(&out, "] merged");
  for (const std::string& m : d.merged) absl::StrAppend(&out, " ", m);
  return out;
}

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_SUPPORT_DESCRIBE_DECISION_H_
