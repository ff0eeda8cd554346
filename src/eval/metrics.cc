#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "neardup/eval.h"
#include "simdjson.h"
#include "src/internal/read_file.h"
#include "src/internal/record_fields.h"  // QuoteForMessage
#include "src/internal/status_macros.h"

namespace neardup {
namespace {

uint64_t Pairs(uint64_t n) { return n < 2 ? 0 : n * (n - 1) / 2; }

// Cluster sizes of each labelling and of their intersections.
struct Contingency {
  uint64_t same_in_both = 0;  // Sum over cells of C(n_ij, 2).
  uint64_t same_in_a = 0;     // Sum over a's clusters of C(a_i, 2).
  uint64_t same_in_b = 0;
};

Contingency Count(absl::Span<const uint32_t> a, absl::Span<const uint32_t> b) {
  absl::flat_hash_map<uint32_t, uint64_t> size_a, size_b;
  absl::flat_hash_map<std::pair<uint32_t, uint32_t>, uint64_t> cells;
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    ++size_a[a[i]];
    ++size_b[b[i]];
    ++cells[{a[i], b[i]}];
  }
  Contingency c;
  for (const auto& [label, size] : size_a) c.same_in_a += Pairs(size);
  for (const auto& [label, size] : size_b) c.same_in_b += Pairs(size);
  for (const auto& [cell, size] : cells) c.same_in_both += Pairs(size);
  return c;
}

// Id -> corpus index, and the line-by-line walk every reader shares.
class TruthFile {
 public:
  static absl::StatusOr<TruthFile> Open(const std::string& path,
                                        const Corpus& corpus) {
    NEARDUP_ASSIGN_OR_RETURN(internal::InputBytes bytes,
                             internal::ReadInput(path));
    TruthFile file(path);
    file.bytes_ = std::move(bytes);
    file.ids_.reserve(corpus.size());
    for (size_t i = 0; i < corpus.size(); ++i) {
      file.ids_.emplace(corpus.Id(i), static_cast<uint32_t>(i));
    }
    return file;
  }

  // Calls fn(line, line_number) for every line that is not blank or a
  // comment, stopping at the first error.
  template <typename Fn>
  absl::Status ForEachLine(Fn&& fn) const {
    absl::string_view data(bytes_.data.data(), bytes_.size);
    size_t line_number = 0;
    for (absl::string_view line : absl::StrSplit(data, '\n')) {
      ++line_number;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (absl::StripAsciiWhitespace(line).empty() || line[0] == '#') {
        continue;
      }
      NEARDUP_RETURN_IF_ERROR(fn(line, line_number));
    }
    return absl::OkStatus();
  }

  // The file's first line, without its line ending.
  absl::string_view FirstLine() const {
    absl::string_view data(bytes_.data.data(), bytes_.size);
    absl::string_view line = data.substr(0, data.find('\n'));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  }

  absl::Status Error(size_t line, absl::string_view message) const {
    return absl::InvalidArgumentError(
        absl::StrCat(path_, ":", line, ": ", message));
  }

  absl::StatusOr<uint32_t> Find(absl::string_view id, size_t line) const {
    auto it = ids_.find(id);
    if (it == ids_.end()) {
      return Error(line,
                   absl::StrCat("unknown id ", internal::QuoteForMessage(id),
                                ": no such document in the input "
                                "(is this truth for other data?)"));
    }
    return it->second;
  }

  // "idA<TAB>idB<TAB>value" as two document indices (a < b) and the value.
  absl::StatusOr<std::pair<DocPair, absl::string_view>> SplitPair(
      absl::string_view line, size_t line_number,
      absl::string_view third) const {
    std::vector<absl::string_view> fields = absl::StrSplit(line, '\t');
    if (fields.size() != 3) {
      return Error(line_number,
                   absl::StrCat("expected 3 tab-separated fields (idA, idB, ",
                                third, "), found ", fields.size()));
    }
    NEARDUP_ASSIGN_OR_RETURN(uint32_t a, Find(fields[0], line_number));
    NEARDUP_ASSIGN_OR_RETURN(uint32_t b, Find(fields[1], line_number));
    if (a == b) {
      return Error(line_number,
                   absl::StrCat("a document paired with itself (",
                                internal::QuoteForMessage(fields[0]), ")"));
    }
    if (a > b) std::swap(a, b);
    return std::make_pair(DocPair{a, b}, absl::StripAsciiWhitespace(fields[2]));
  }

 private:
  explicit TruthFile(const std::string& path) : path_(path) {}

  std::string path_;
  internal::InputBytes bytes_;
  absl::flat_hash_map<absl::string_view, uint32_t> ids_;
};

// A JSON string or integer as text.
bool ScalarText(simdjson::dom::element value, std::string* out) {
  std::string_view s;
  if (value.get_string().get(s) == simdjson::SUCCESS) {
    out->assign(s.data(), s.size());
    return true;
  }
  int64_t i;
  if (value.get_int64().get(i) == simdjson::SUCCESS) {
    *out = absl::StrCat(i);
    return true;
  }
  uint64_t u;
  if (value.get_uint64().get(u) == simdjson::SUCCESS) {
    *out = absl::StrCat(u);
    return true;
  }
  return false;
}

}  // namespace

PrecisionRecall MakePrecisionRecall(uint64_t true_positives,
                                    uint64_t false_positives,
                                    uint64_t false_negatives) {
  PrecisionRecall r;
  r.true_positives = true_positives;
  r.false_positives = false_positives;
  r.false_negatives = false_negatives;
  const uint64_t predicted = true_positives + false_positives;
  const uint64_t actual = true_positives + false_negatives;
  r.precision = predicted == 0 ? 1.0
                               : static_cast<double>(true_positives) /
                                     static_cast<double>(predicted);
  r.recall = actual == 0 ? 1.0
                         : static_cast<double>(true_positives) /
                               static_cast<double>(actual);
  r.f1 = r.precision + r.recall == 0
             ? 0.0
             : 2 * r.precision * r.recall / (r.precision + r.recall);
  return r;
}

PrecisionRecall ComparePairs(absl::Span<const DocPair> predicted,
                             absl::Span<const DocPair> truth) {
  std::vector<DocPair> p(predicted.begin(), predicted.end());
  std::vector<DocPair> t(truth.begin(), truth.end());
  for (auto* v : {&p, &t}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  uint64_t common = 0;
  size_t i = 0, j = 0;
  while (i < p.size() && j < t.size()) {
    if (p[i] < t[j]) {
      ++i;
    } else if (t[j] < p[i]) {
      ++j;
    } else {
      ++common;
      ++i;
      ++j;
    }
  }
  return MakePrecisionRecall(common, p.size() - common, t.size() - common);
}

PrecisionRecall ComparePairClusterings(absl::Span<const uint32_t> predicted,
                                       absl::Span<const uint32_t> truth) {
  Contingency c = Count(predicted, truth);
  return MakePrecisionRecall(c.same_in_both, c.same_in_a - c.same_in_both,
                             c.same_in_b - c.same_in_both);
}

double AdjustedRandIndex(absl::Span<const uint32_t> a,
                         absl::Span<const uint32_t> b) {
  const uint64_t n = std::min(a.size(), b.size());
  if (n < 2) return 1.0;
  Contingency c = Count(a, b);
  // Long double: the products reach n^4 / 4, beyond uint64 for a few
  // hundred thousand elements.
  const long double all = Pairs(n);
  const long double index = c.same_in_both;
  const long double expected =
      static_cast<long double>(c.same_in_a) * c.same_in_b / all;
  const long double maximum = (static_cast<long double>(c.same_in_a) +
                               static_cast<long double>(c.same_in_b)) /
                              2;
  if (maximum == expected) return 1.0;
  return static_cast<double>((index - expected) / (maximum - expected));
}

PrecisionRecall ClassifyAtThreshold(absl::Span<const LabeledScore> scores,
                                    double threshold) {
  uint64_t tp = 0, fp = 0, fn = 0;
  for (const LabeledScore& s : scores) {
    const bool predicted = s.score >= threshold;
    tp += predicted && s.positive;
    fp += predicted && !s.positive;
    fn += !predicted && s.positive;
  }
  return MakePrecisionRecall(tp, fp, fn);
}

ThresholdChoice BestF1Threshold(absl::Span<const LabeledScore> scores) {
  ThresholdChoice best;
  if (scores.empty()) {
    best.metrics = MakePrecisionRecall(0, 0, 0);
    return best;
  }
  std::vector<LabeledScore> sorted(scores.begin(), scores.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const LabeledScore& x, const LabeledScore& y) {
              return x.score > y.score;
            });
  uint64_t positives = 0;
  for (const LabeledScore& s : sorted) positives += s.positive;
  // Lower the threshold one distinct score at a time; everything at or
  // above it is called a copy.
  uint64_t tp = 0, fp = 0;
  bool have_best = false;
  for (size_t i = 0; i < sorted.size();) {
    const double threshold = sorted[i].score;
    size_t j = i;
    for (; j < sorted.size() && sorted[j].score == threshold; ++j) {
      tp += sorted[j].positive;
      fp += !sorted[j].positive;
    }
    PrecisionRecall m = MakePrecisionRecall(tp, fp, positives - tp);
    if (!have_best || m.f1 > best.metrics.f1) {
      have_best = true;
      best.threshold = threshold;
      best.open_below = j < sorted.size() ? sorted[j].score : 0.0;
      best.metrics = m;
    }
    i = j;
  }
  return best;
}

absl::StatusOr<TruthPairs> ReadTruthPairs(const std::string& path,
                                          const Corpus& corpus) {
  NEARDUP_ASSIGN_OR_RETURN(TruthFile file, TruthFile::Open(path, corpus));
  TruthPairs truth;
  absl::string_view first = file.FirstLine();
  if (absl::ConsumePrefix(&first, kTruthFloorComment)) {
    const absl::string_view number =
        first.substr(0, first.find_first_of(" \t"));
    double floor = 0;
    if (!absl::SimpleAtod(number, &floor) || !(floor >= 0) || floor > 1) {
      return file.Error(
          1, absl::StrCat("floor ", internal::QuoteForMessage(number),
                          " is not a number in [0, 1]"));
    }
    truth.floor = floor;
  }
  std::vector<ScoredPair>& pairs = truth.pairs;
  NEARDUP_RETURN_IF_ERROR(file.ForEachLine(
      [&](absl::string_view line, size_t number) -> absl::Status {
        NEARDUP_ASSIGN_OR_RETURN(auto fields,
                                 file.SplitPair(line, number, "jaccard"));
        double jaccard = 0;
        if (!absl::SimpleAtod(fields.second, &jaccard) || !(jaccard >= 0) ||
            jaccard > 1) {
          return file.Error(
              number,
              absl::StrCat("jaccard ", internal::QuoteForMessage(fields.second),
                           " is not a number in [0, 1]"));
        }
        pairs.push_back({fields.first.a, fields.first.b, jaccard, 0});
        return absl::OkStatus();
      }));
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const ScoredPair& p, const ScoredPair& q) {
                     return p.a != q.a ? p.a < q.a : p.b < q.b;
                   });
  pairs.erase(std::unique(pairs.begin(), pairs.end(),
                          [](const ScoredPair& p, const ScoredPair& q) {
                            return p.a == q.a && p.b == q.b;
                          }),
              pairs.end());
  return truth;
}

absl::StatusOr<std::vector<LabeledPair>> ReadLabels(const std::string& path,
                                                    const Corpus& corpus) {
  NEARDUP_ASSIGN_OR_RETURN(TruthFile file, TruthFile::Open(path, corpus));
  std::vector<LabeledPair> labels;
  absl::flat_hash_map<uint64_t, size_t> line_of;
  NEARDUP_RETURN_IF_ERROR(file.ForEachLine(
      [&](absl::string_view line, size_t number) -> absl::Status {
        NEARDUP_ASSIGN_OR_RETURN(auto fields,
                                 file.SplitPair(line, number, "label"));
        bool copy;
        if (fields.second == "copy") {
          copy = true;
        } else if (fields.second == "distinct") {
          copy = false;
        } else {
          return file.Error(
              number,
              absl::StrCat("label ", internal::QuoteForMessage(fields.second),
                           " is neither copy nor "
                           "distinct"));
        }
        auto [it, inserted] = line_of.emplace(
            uint64_t{fields.first.a} << 32 | fields.first.b, number);
        if (!inserted) {
          return file.Error(number, absl::StrCat("pair already labelled on "
                                                 "line ",
                                                 it->second));
        }
        labels.push_back({fields.first.a, fields.first.b, copy});
        return absl::OkStatus();
      }));
  return labels;
}

absl::StatusOr<std::vector<uint32_t>> ReadTruthClusters(const std::string& path,
                                                        const Corpus& corpus) {
  NEARDUP_ASSIGN_OR_RETURN(TruthFile file, TruthFile::Open(path, corpus));
  constexpr uint32_t kUnlisted = UINT32_MAX;
  std::vector<uint32_t> labels(corpus.size(), kUnlisted);
  std::vector<size_t> listed_on(corpus.size(), 0);
  absl::flat_hash_map<std::string, uint32_t> cluster_label;
  simdjson::dom::parser parser;
  std::string id, cluster;
  NEARDUP_RETURN_IF_ERROR(file.ForEachLine([&](absl::string_view line,
                                               size_t number) -> absl::Status {
    simdjson::dom::element record;
    if (parser.parse(line.data(), line.size()).get(record) !=
        simdjson::SUCCESS) {
      return file.Error(number, "not a JSON object");
    }
    simdjson::dom::element id_value, cluster_value;
    if (record["id"].get(id_value) != simdjson::SUCCESS ||
        !ScalarText(id_value, &id)) {
      return file.Error(number, "missing \"id\" (a string or an integer)");
    }
    if (record["cluster"].get(cluster_value) != simdjson::SUCCESS ||
        !ScalarText(cluster_value, &cluster)) {
      return file.Error(number, "missing \"cluster\" (a string or an integer)");
    }
    NEARDUP_ASSIGN_OR_RETURN(uint32_t doc, file.Find(id, number));
    if (listed_on[doc] != 0) {
      return file.Error(number,
                        absl::StrCat("id ", internal::QuoteForMessage(id),
                                     " already listed on "
                                     "line ",
                                     listed_on[doc]));
    }
    listed_on[doc] = number;
    auto [it, inserted] = cluster_label.emplace(
        cluster, static_cast<uint32_t>(cluster_label.size()));
    labels[doc] = it->second;
    return absl::OkStatus();
  }));
  // Unlisted documents: each its own label, after the listed clusters'.
  uint32_t next = static_cast<uint32_t>(cluster_label.size());
  for (uint32_t& label : labels) {
    if (label == kUnlisted) label = next++;
  }
  return labels;
}

}  // namespace neardup
