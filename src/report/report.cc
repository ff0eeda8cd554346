// The syndication report's model: see include/neardup/report.h.
#include "neardup/report.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "neardup/cluster.h"
#include "neardup/verify.h"
#include "simdjson.h"
#include "src/internal/iso_date.h"
#include "src/internal/parallel.h"
#include "src/internal/read_file.h"
#include "src/internal/record_fields.h"
#include "src/internal/status_macros.h"
#include "src/internal/utf8_repair.h"

namespace neardup {
namespace {

// A field's value as text: a string as is, a number or other value as its
// JSON. Returns false when the field is absent or null.
bool FieldText(const simdjson::dom::object& object, const std::string& name,
               std::string* text, bool* is_string) {
  simdjson::dom::element value;
  if (object.at_key(name).get(value) != simdjson::SUCCESS || value.is_null()) {
    return false;
  }
  *is_string = value.is_string();
  if (*is_string) {
    const std::string_view s = value.get_string().value_unsafe();
    text->assign(s.data(), s.size());
  } else {
    *text = simdjson::minify(value);
  }
  return true;
}

struct RecordFieldsRead {
  bool has_source = false;
  std::string source;
  ReportRecord record;
};

// Reads one record's outlet, title and date from its raw bytes.
void ReadRecord(absl::string_view raw, const ReportOptions& options,
                simdjson::dom::parser* parser, std::string* copy,
                RecordFieldsRead* out) {
  simdjson::dom::element root;
  simdjson::error_code error =
      parser->parse(raw.data(), raw.size(), true).get(root);
  if (error == simdjson::UTF8_ERROR) {
    // The corpus served this record repaired; read its fields the same way.
    copy->clear();
    internal::AppendSanitizedUtf8(raw, copy);
    error = parser->parse(*copy).get(root);
  }
  simdjson::dom::object object;
  if (error != simdjson::SUCCESS || root.get(object) != simdjson::SUCCESS) {
    return;  // Every field missing: gaps the page marks.
  }
  bool is_string = false;
  out->has_source =
      FieldText(object, options.source_field, &out->source, &is_string) &&
      !out->source.empty();
  ReportRecord& record = out->record;
  FieldText(object, options.title_field, &record.title, &is_string);
  if (!FieldText(object, options.date_field, &record.date, &is_string) ||
      (is_string && record.date.empty())) {
    record.date_state = DateState::kMissing;
    return;
  }
  internal::IsoDate date;
  if (is_string && internal::ParseIsoDate(record.date, &date)) {
    record.date_state = DateState::kOk;
    record.time = date.unix_seconds;
    record.date_only = date.date_only;
  } else {
    record.date_state = DateState::kUnparsable;
  }
}

// The sorted, unique shingle set of `text`.
void ShingleSet(const Normalizer& normalizer, const ShingleOptions& shingles,
                absl::string_view text, NormalizedText* normalized,
                std::vector<uint64_t>* set) {
  set->clear();
  normalizer.Normalize(text, normalized);
  HashShingles(normalized->code_points, shingles, set);
  SortUnique(set);
}

// Share of `part`'s elements that are in `whole` (both sorted); 1 for an
// empty `part`. Gallops through `whole`: a passage's shingles are a few
// hundred of a text's thousands.
double ContainedShare(const std::vector<uint64_t>& part,
                      const std::vector<uint64_t>& whole) {
  if (part.empty()) return 1;
  size_t found = 0;
  auto from = whole.begin();
  for (uint64_t h : part) {
    size_t step = 1;
    auto to = from;
    while (to != whole.end() && *to < h) {
      from = to + 1;
      to = static_cast<size_t>(whole.end() - from) > step ? from + step
                                                          : whole.end();
      step *= 2;
    }
    from = std::lower_bound(from, to, h);
    if (from == whole.end()) break;
    if (*from == h) ++found;
  }
  return static_cast<double>(found) / part.size();
}

struct Worker {
  TextScratch original_text;
  TextScratch copy_text;
  NormalizedText normalized;
  std::vector<uint64_t> copy_set;
  std::vector<uint64_t> passage_set;
  std::vector<PassageSpan> spans;
};

// Fills one cluster: passages, scores and changes of every copy.
absl::Status AnalyseCluster(const Corpus& corpus, const ReportOptions& options,
                            const Normalizer& normalizer, Worker* w,
                            ReportCluster* cluster) {
  const ShingleOptions shingles{.ngram = options.ngram, .seed = options.seed};
  const SegmentOptions segment{.max_chars = options.passage_max_chars};
  NEARDUP_ASSIGN_OR_RETURN(absl::string_view original,
                           corpus.Text(cluster->original, &w->original_text));
  std::vector<uint64_t> original_set;
  ShingleSet(normalizer, shingles, original, &w->normalized, &original_set);
  Segment(original, segment, &cluster->original_passages);
  std::vector<std::vector<uint64_t>> passage_sets(
      cluster->original_passages.size());
  for (size_t p = 0; p < passage_sets.size(); ++p) {
    const PassageSpan span = cluster->original_passages[p];
    ShingleSet(normalizer, shingles,
               original.substr(span.begin, span.end - span.begin),
               &w->normalized, &passage_sets[p]);
  }
  cluster->shared_by.assign(passage_sets.size(), 0);
  for (ReportCopy& copy : cluster->copies) {
    NEARDUP_ASSIGN_OR_RETURN(absl::string_view text,
                             corpus.Text(copy.document, &w->copy_text));
    ShingleSet(normalizer, shingles, text, &w->normalized, &w->copy_set);
    const SetSimilarity similarity =
        CompareSortedSets(original_set, w->copy_set);
    copy.jaccard = similarity.jaccard;
    copy.containment = similarity.containment;
    for (uint32_t p = 0; p < passage_sets.size(); ++p) {
      if (ContainedShare(passage_sets[p], w->copy_set) >=
          options.passage_shared) {
        copy.shared.push_back(p);
        ++cluster->shared_by[p];
      } else {
        copy.dropped.push_back(p);
      }
    }
    w->spans.clear();
    Segment(text, segment, &w->spans);
    for (const PassageSpan& span : w->spans) {
      ShingleSet(normalizer, shingles,
                 text.substr(span.begin, span.end - span.begin), &w->normalized,
                 &w->passage_set);
      if (ContainedShare(w->passage_set, original_set) <
          options.passage_shared) {
        copy.added.push_back(span);
      }
    }
  }
  return absl::OkStatus();
}

std::optional<double> Median(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + mid, values.end());
  const double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + mid);
  return (lower + upper) / 2;
}

// The corpus's ids, for files that name documents by id.
absl::flat_hash_map<absl::string_view, uint32_t> IdIndex(const Corpus& corpus) {
  absl::flat_hash_map<absl::string_view, uint32_t> index;
  index.reserve(corpus.size());
  for (size_t i = 0; i < corpus.size(); ++i) {
    index.emplace(corpus.Id(i), static_cast<uint32_t>(i));
  }
  return index;
}

// Calls `line_fn(line_number, object)` for every non-blank line of `path`,
// each parsed as a JSON object; a line that is not one is InvalidArgument
// naming the file, the line and `expected`.
template <typename LineFn>
absl::Status ForEachJsonLine(const std::string& path,
                             absl::string_view expected, LineFn line_fn) {
  NEARDUP_ASSIGN_OR_RETURN(internal::InputBytes input,
                           internal::ReadInput(path));
  const absl::string_view content = input.padded().substr(0, input.size);
  simdjson::dom::parser parser;
  size_t line_number = 0;
  for (absl::string_view line : absl::StrSplit(content, '\n')) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == absl::string_view::npos) continue;
    simdjson::dom::element root;
    simdjson::dom::object object;
    const simdjson::error_code error =
        parser.parse(line.data(), line.size(), true).get(root);
    if (error != simdjson::SUCCESS || root.get(object) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ":", line_number, ": not a line of ", expected,
          error != simdjson::SUCCESS
              ? absl::StrCat(" (", internal::InvalidJsonMessage(error, line),
                             ")")
              : ""));
    }
    NEARDUP_RETURN_IF_ERROR(line_fn(line_number, object));
  }
  return absl::OkStatus();
}

// Looks `value` (a string or an integer id) up in the corpus.
absl::StatusOr<uint32_t> LookUpId(
    const absl::flat_hash_map<absl::string_view, uint32_t>& ids,
    simdjson::dom::element value, const std::string& path, size_t line,
    absl::string_view what) {
  std::string id;
  if (value.is_string()) {
    id = std::string(value.get_string().value_unsafe());
  } else if (value.is_int64() || value.is_uint64()) {
    id = simdjson::minify(value);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ":", line, ": ", what,
                     " must be a document id (a string or an "
                     "integer), got ",
                     internal::JsonTypeName(value.type())));
  }
  auto it = ids.find(id);
  if (it == ids.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ":", line, ": id ", internal::QuoteForMessage(id),
        " is not in the input; was this file made from another corpus, or "
        "with another --id-field? Run the report over the inputs the file "
        "was made from, or leave the file out to cluster afresh"));
  }
  return it->second;
}

}  // namespace

absl::Status ValidateReportOptions(const ReportOptions& options) {
  if (options.ngram < 1 || options.ngram > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("--ngram must be 1 to 64, got ", options.ngram));
  }
  if (options.passage_max_chars < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("passage max_chars must be at least 1, got ",
                     options.passage_max_chars));
  }
  if (!(options.passage_shared > 0 && options.passage_shared <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "passage_shared must be in (0, 1], got ", options.passage_shared));
  }
  if (options.source_field.empty() || options.date_field.empty() ||
      options.title_field.empty()) {
    return absl::InvalidArgumentError(
        "--source-field, --date-field and --title-field must not be empty");
  }
  return absl::OkStatus();
}

absl::StatusOr<Report> BuildReport(const Corpus& corpus,
                                   absl::Span<const ClusterResult> clusters,
                                   const ReportOptions& options) {
  NEARDUP_RETURN_IF_ERROR(ValidateReportOptions(options));
  const int threads = internal::ResolveThreads(options.threads);
  Report report;
  report.options = options;
  report.documents = corpus.size();

  // Every record's fields, in parallel.
  std::vector<RecordFieldsRead> fields(corpus.size());
  internal::ParallelFor(
      corpus.size(), threads, 256, [&](size_t begin, size_t end, int) {
        simdjson::dom::parser parser;
        std::string copy;
        for (size_t i = begin; i < end; ++i) {
          ReadRecord(corpus.Raw(i), options, &parser, &copy, &fields[i]);
        }
      });

  // Outlets: most documents first, then by name.
  absl::flat_hash_map<std::string, uint32_t> outlet_ids;
  std::vector<ReportOutlet> outlets;
  report.records.resize(corpus.size());
  for (size_t i = 0; i < corpus.size(); ++i) {
    RecordFieldsRead& f = fields[i];
    const std::string name = f.has_source ? std::move(f.source) : "";
    auto [it, inserted] =
        outlet_ids.try_emplace(name, static_cast<uint32_t>(outlets.size()));
    if (inserted) {
      outlets.emplace_back();
      outlets.back().name = name;
    }
    ++outlets[it->second].documents;
    report.records[i] = std::move(f.record);
    report.records[i].outlet = it->second;
    if (!f.has_source) ++report.records_without_source;
    if (report.records[i].title.empty()) ++report.records_without_title;
    switch (report.records[i].date_state) {
      case DateState::kOk:
        ++report.dates.ok;
        if (report.records[i].date_only) ++report.dates.date_only;
        break;
      case DateState::kMissing:
        ++report.dates.missing;
        break;
      case DateState::kUnparsable:
        ++report.dates.unparsable;
        if (report.dates.unparsable_examples.size() < 5) {
          report.dates.unparsable_examples.push_back(
              absl::StrCat(corpus.Location(i), ": ",
                           internal::QuoteForMessage(report.records[i].date)));
        }
        break;
    }
  }
  fields.clear();
  fields.shrink_to_fit();
  std::vector<uint32_t> order(outlets.size());
  for (uint32_t o = 0; o < order.size(); ++o) order[o] = o;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return std::tie(outlets[b].documents, outlets[a].name) <
           std::tie(outlets[a].documents, outlets[b].name);
  });
  std::vector<uint32_t> rank(outlets.size());
  for (uint32_t r = 0; r < order.size(); ++r) {
    rank[order[r]] = r;
    report.outlets.push_back(std::move(outlets[order[r]]));
  }
  for (ReportRecord& record : report.records)
    record.outlet = rank[record.outlet];

  // Clusters: members in publication order; the first is the original.
  const auto published_before = [&](uint32_t a, uint32_t b) {
    const ReportRecord& ra = report.records[a];
    const ReportRecord& rb = report.records[b];
    const bool a_dated = ra.date_state == DateState::kOk;
    const bool b_dated = rb.date_state == DateState::kOk;
    if (a_dated != b_dated) return a_dated;
    if (a_dated && ra.time != rb.time) return ra.time < rb.time;
    return a < b;
  };
  std::vector<uint32_t> members;
  for (const ClusterResult& input : clusters) {
    members.clear();
    for (const ClusterMember& m : input.members) {
      if (m.document >= corpus.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("cluster member ", m.document,
                         " is out of range: the corpus holds ", corpus.size(),
                         " documents"));
      }
      members.push_back(m.document);
    }
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    if (members.size() < 2) continue;
    std::sort(members.begin(), members.end(), published_before);
    ReportCluster& cluster = report.clusters.emplace_back();
    cluster.original = members[0];
    const ReportRecord& original = report.records[members[0]];
    for (size_t m = 1; m < members.size(); ++m) {
      ReportCopy& copy = cluster.copies.emplace_back();
      copy.document = members[m];
      const ReportRecord& record = report.records[members[m]];
      if (record.date_state == DateState::kOk &&
          original.date_state == DateState::kOk) {
        copy.delay_seconds = record.time - original.time;
      }
    }
    report.clustered_documents += members.size();
  }
  report.copies = report.clustered_documents - report.clusters.size();
  std::stable_sort(report.clusters.begin(), report.clusters.end(),
                   [](const ReportCluster& a, const ReportCluster& b) {
                     if (a.size() != b.size()) return a.size() > b.size();
                     return a.original < b.original;
                   });

  // Scores and changes, in parallel over clusters.
  NEARDUP_ASSIGN_OR_RETURN(
      Normalizer normalizer,
      Normalizer::Create({.mode = options.normalize, .record_offsets = false}));
  std::vector<absl::Status> errors(report.clusters.size());
  std::vector<Worker> workers(threads);
  internal::ParallelFor(report.clusters.size(), threads, 4,
                        [&](size_t begin, size_t end, int worker) {
                          for (size_t c = begin; c < end; ++c) {
                            errors[c] = AnalyseCluster(
                                corpus, options, normalizer, &workers[worker],
                                &report.clusters[c]);
                          }
                        });
  for (const absl::Status& error : errors) NEARDUP_RETURN_IF_ERROR(error);

  // Outlet figures and the matrix.
  const size_t n = report.outlets.size();
  report.matrix.assign(n * n, 0);
  std::vector<std::vector<double>> delays(n);
  std::vector<std::vector<double>> jaccards(n);
  for (const ReportCluster& cluster : report.clusters) {
    const uint32_t from = report.records[cluster.original].outlet;
    ++report.outlets[from].originated;
    for (const ReportCopy& copy : cluster.copies) {
      const uint32_t by = report.records[copy.document].outlet;
      ++report.outlets[by].reprinted;
      ++report.matrix[from * n + by];
      jaccards[by].push_back(copy.jaccard);
      if (copy.delay_seconds) {
        delays[by].push_back(static_cast<double>(*copy.delay_seconds));
      }
    }
  }
  for (size_t o = 0; o < n; ++o) {
    report.outlets[o].median_delay_seconds = Median(std::move(delays[o]));
    report.outlets[o].median_jaccard = Median(std::move(jaccards[o]));
  }
  return report;
}

absl::StatusOr<std::vector<ClusterResult>> ReadClustersFile(
    const Corpus& corpus, const std::string& path) {
  const auto ids = IdIndex(corpus);
  std::vector<int64_t> cluster_of(corpus.size(), -1);
  std::vector<size_t> line_of;
  std::vector<ClusterResult> clusters;
  constexpr absl::string_view kExpected =
      "`neardup cluster --clusters` ({\"cluster\":ID,\"size\":N,\"members\":"
      "[{\"id\":ID,...},...]})";
  NEARDUP_RETURN_IF_ERROR(ForEachJsonLine(
      path, kExpected,
      [&](size_t line, simdjson::dom::object object) -> absl::Status {
        simdjson::dom::array members;
        if (object.at_key("members").get(members) != simdjson::SUCCESS) {
          return absl::InvalidArgumentError(
              absl::StrCat(path, ":", line, ": not a line of ", kExpected,
                           ": no \"members\" array"));
        }
        ClusterResult cluster;
        for (simdjson::dom::element member : members) {
          simdjson::dom::element id;
          if (member.at_key("id").get(id) != simdjson::SUCCESS) {
            return absl::InvalidArgumentError(absl::StrCat(
                path, ":", line, ": a member without an \"id\"; expected ",
                kExpected));
          }
          NEARDUP_ASSIGN_OR_RETURN(uint32_t document,
                                   LookUpId(ids, id, path, line, "a member"));
          if (cluster_of[document] >= 0 &&
              cluster_of[document] != static_cast<int64_t>(clusters.size())) {
            return absl::InvalidArgumentError(
                absl::StrCat(path, ":", line, ": id ",
                             internal::QuoteForMessage(corpus.Id(document)),
                             " is already in the cluster of line ",
                             line_of[cluster_of[document]],
                             "; a document belongs to one cluster"));
          }
          cluster_of[document] = static_cast<int64_t>(clusters.size());
          cluster.members.push_back({.document = document});
        }
        if (cluster.members.size() < 2) {
          for (const ClusterMember& m : cluster.members) {
            cluster_of[m.document] = -1;
          }
          return absl::OkStatus();
        }
        cluster.representative = cluster.members[0].document;
        clusters.push_back(std::move(cluster));
        line_of.push_back(line);
        return absl::OkStatus();
      }));
  return clusters;
}

absl::StatusOr<std::vector<ClusterResult>> ReadPairsFile(
    const Corpus& corpus, const std::string& path) {
  const auto ids = IdIndex(corpus);
  std::vector<ScoredPair> pairs;
  constexpr absl::string_view kExpected =
      "`neardup cluster --pairs` ({\"a\":ID,\"b\":ID,\"jaccard\":J,...})";
  NEARDUP_RETURN_IF_ERROR(ForEachJsonLine(
      path, kExpected,
      [&](size_t line, simdjson::dom::object object) -> absl::Status {
        simdjson::dom::element a, b;
        if (object.at_key("a").get(a) != simdjson::SUCCESS ||
            object.at_key("b").get(b) != simdjson::SUCCESS) {
          return absl::InvalidArgumentError(
              absl::StrCat(path, ":", line, ": not a line of ", kExpected,
                           ": no \"a\" and \"b\""));
        }
        NEARDUP_ASSIGN_OR_RETURN(uint32_t da,
                                 LookUpId(ids, a, path, line, "\"a\""));
        NEARDUP_ASSIGN_OR_RETURN(uint32_t db,
                                 LookUpId(ids, b, path, line, "\"b\""));
        if (da != db) {
          pairs.push_back({.a = std::min(da, db), .b = std::max(da, db)});
        }
        return absl::OkStatus();
      }));
  const std::vector<uint64_t> lengths(corpus.size(), 1);
  std::vector<ClusterResult> clusters;
  for (const Cluster& c :
       BuildClusters(pairs, lengths, {.linkage = Linkage::kSingle})) {
    ClusterResult& cluster = clusters.emplace_back();
    cluster.representative = c.representative;
    for (uint32_t m : c.members) cluster.members.push_back({.document = m});
  }
  return clusters;
}

}  // namespace neardup
