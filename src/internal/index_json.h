// JSON rendering of index decisions, shared by `neardup index` and
// `neardup stream`.
#ifndef NEARDUP_SRC_INTERNAL_INDEX_JSON_H_
#define NEARDUP_SRC_INTERNAL_INDEX_JSON_H_

#include <cstdio>
#include <string>

#include "absl/strings/string_view.h"
#include "neardup/index.h"
#include "src/internal/json_writer.h"

namespace neardup::internal {

// {"id":..,"status":..,"cluster":..,"matches":[{"id","jaccard",
// "containment"}...]} plus "merged":[...] when the document absorbed
// clusters; one line with its newline. A match linked by containment alone
// adds "link":"containment", and with boilerplate scoring each match has
// "weighted_jaccard".
inline void AppendDecisionJson(const Decision& d, std::string* out) {
  out->append("{\"id\":");
  AppendJsonString(d.id, out);
  out->append(",\"status\":\"");
  out->append(DecisionStatusName(d.status).data(),
              DecisionStatusName(d.status).size());
  out->append("\",\"cluster\":");
  AppendJsonString(d.cluster, out);
  out->append(",\"matches\":[");
  for (size_t i = 0; i < d.matches.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append("{\"id\":");
    AppendJsonString(d.matches[i].id, out);
    out->append(",\"jaccard\":");
    AppendSimilarity(d.matches[i].jaccard, out);
    out->append(",\"containment\":");
    AppendSimilarity(d.matches[i].containment, out);
    if (d.matches[i].containment_link) {
      out->append(",\"link\":\"containment\"");
    }
    if (d.matches[i].weighted_jaccard >= 0) {
      out->append(",\"weighted_jaccard\":");
      AppendSimilarity(d.matches[i].weighted_jaccard, out);
    }
    out->push_back('}');
  }
  out->push_back(']');
  if (!d.merged.empty()) {
    out->append(",\"merged\":[");
    for (size_t i = 0; i < d.merged.size(); ++i) {
      if (i > 0) out->push_back(',');
      AppendJsonString(d.merged[i], out);
    }
    out->push_back(']');
  }
  out->append("}\n");
}

// Writes `text` to stdout and flushes; false when stdout is gone.
inline bool WriteStdout(absl::string_view text) {
  if (!text.empty() &&
      std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) {
    return false;
  }
  return std::fflush(stdout) == 0;
}

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_INDEX_JSON_H_
