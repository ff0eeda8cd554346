// The report's figures as JSON: see include/neardup/report.h and
// docs/report.md.
#include <string>

#include "absl/strings/str_cat.h"
#include "neardup/report.h"
#include "src/internal/iso_date.h"
#include "src/internal/json_writer.h"

namespace neardup {
namespace {

using internal::AppendJsonString;
using internal::AppendSimilarity;
using internal::AppendUint;

void AppendKey(absl::string_view key, std::string* out) {
  AppendJsonString(key, out);
  out->push_back(':');
}

void AppendSpans(absl::Span<const PassageSpan> spans, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < spans.size(); ++i) {
    if (i > 0) out->push_back(',');
    absl::StrAppend(out, "[", spans[i].begin, ",", spans[i].end, "]");
  }
  out->push_back(']');
}

void AppendIndices(absl::Span<const uint32_t> indices, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < indices.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendUint(indices[i], out);
  }
  out->push_back(']');
}

// "id", "outlet", "title", "date" (as written, or null), "time" (ISO 8601
// UTC, or null) of one member.
void AppendMember(const Corpus& corpus, const Report& report, uint32_t document,
                  std::string* out) {
  const ReportRecord& r = report.records[document];
  AppendKey("id", out);
  AppendJsonString(corpus.Id(document), out);
  out->push_back(',');
  AppendKey("outlet", out);
  AppendJsonString(report.outlets[r.outlet].name, out);
  out->push_back(',');
  AppendKey("title", out);
  AppendJsonString(r.title, out);
  out->push_back(',');
  AppendKey("date", out);
  if (r.date_state == DateState::kMissing) {
    *out += "null";
  } else {
    AppendJsonString(r.date, out);
  }
  out->push_back(',');
  AppendKey("date_ok", out);
  *out += r.date_state == DateState::kOk ? "true" : "false";
}

}  // namespace

void AppendReportJson(const Corpus& corpus, const Report& report,
                      std::string* out) {
  *out += "{";
  absl::StrAppend(out, "\"documents\":", report.documents,
                  ",\"cluster_count\":", report.clusters.size(),
                  ",\"clustered_documents\":", report.clustered_documents,
                  ",\"copies\":", report.copies, ",\"copy_share\":");
  AppendSimilarity(report.documents == 0
                       ? 0
                       : static_cast<double>(report.copies) / report.documents,
                   out);
  absl::StrAppend(out, ",\"dates\":{\"ok\":", report.dates.ok,
                  ",\"date_only\":", report.dates.date_only,
                  ",\"missing\":", report.dates.missing,
                  ",\"unparsable\":", report.dates.unparsable, "}");
  absl::StrAppend(
      out, ",\"records_without_source\":", report.records_without_source);
  *out += ",\"outlets\":[";
  for (size_t o = 0; o < report.outlets.size(); ++o) {
    const ReportOutlet& outlet = report.outlets[o];
    if (o > 0) out->push_back(',');
    *out += "{";
    AppendKey("name", out);
    AppendJsonString(outlet.name, out);
    absl::StrAppend(out, ",\"documents\":", outlet.documents,
                    ",\"originated\":", outlet.originated,
                    ",\"reprinted\":", outlet.reprinted,
                    ",\"median_delay_seconds\":");
    if (outlet.median_delay_seconds) {
      absl::StrAppend(out, *outlet.median_delay_seconds);
    } else {
      *out += "null";
    }
    *out += ",\"median_jaccard\":";
    if (outlet.median_jaccard) {
      AppendSimilarity(*outlet.median_jaccard, out);
    } else {
      *out += "null";
    }
    *out += "}";
  }
  // Rows: the outlet that published first; columns: the outlet that ran a
  // copy; both in the order of "outlets".
  *out += "],\"matrix\":[";
  const size_t n = report.outlets.size();
  for (size_t r = 0; r < n; ++r) {
    if (r > 0) out->push_back(',');
    AppendIndices(absl::MakeConstSpan(report.matrix).subspan(r * n, n), out);
  }
  *out += "],\"clusters\":[";
  for (size_t c = 0; c < report.clusters.size(); ++c) {
    const ReportCluster& cluster = report.clusters[c];
    if (c > 0) out->push_back(',');
    absl::StrAppend(out, "\n{\"size\":", cluster.size(), ",\"original\":{");
    AppendMember(corpus, report, cluster.original, out);
    *out += ",\"passages\":";
    AppendSpans(cluster.original_passages, out);
    *out += ",\"shared_by\":";
    AppendIndices(cluster.shared_by, out);
    *out += "},\"copies\":[";
    for (size_t i = 0; i < cluster.copies.size(); ++i) {
      const ReportCopy& copy = cluster.copies[i];
      if (i > 0) out->push_back(',');
      *out += "{";
      AppendMember(corpus, report, copy.document, out);
      *out += ",\"delay_seconds\":";
      if (copy.delay_seconds) {
        absl::StrAppend(out, *copy.delay_seconds);
      } else {
        *out += "null";
      }
      *out += ",\"jaccard\":";
      AppendSimilarity(copy.jaccard, out);
      *out += ",\"containment\":";
      AppendSimilarity(copy.containment, out);
      *out += ",\"shared\":";
      AppendIndices(copy.shared, out);
      *out += ",\"dropped\":";
      AppendIndices(copy.dropped, out);
      *out += ",\"added\":";
      AppendSpans(copy.added, out);
      *out += "}";
    }
    *out += "]}";
  }
  *out += "\n]}\n";
}

}  // namespace neardup
