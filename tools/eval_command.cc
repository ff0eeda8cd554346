// neardup eval: how well the engine does on the user's own data. Runs the
// engine at the chosen threshold and over a sweep of thresholds, and measures
// it against exact pairs (--exact or --truth), human labels (--labels) and
// reference clusters (--truth-clusters). See docs/eval.md.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "neardup/eval.h"
#include "neardup/exact_search.h"
#include "neardup/pipeline.h"
#include "src/internal/json_writer.h"
#include "src/internal/output_file.h"
#include "src/internal/status_macros.h"
#include "src/internal/svg.h"
#include "tools/cli_common.h"
#include "tools/commands.h"

namespace neardup::cli {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct EvalFlags {
  InputFlags input;
  // Engine options: the same names and defaults as `neardup cluster`.
  EngineFlags engine;
  // What to measure against.
  bool exact = false;
  std::string truth_path;
  double truth_floor = -1;
  std::string labels_path;
  std::string clusters_path;
  std::vector<double> sweep = {0.5,  0.55, 0.6,  0.65, 0.7,
                               0.75, 0.8,  0.85, 0.9,  0.95};
  bool no_sweep = false;
  std::string plot_path;
  std::string write_truth_path;
  bool json = false;
};

absl::StatusOr<PipelineOptions> MakeOptions(const EvalFlags& flags) {
  return MakePipelineOptions(flags.engine, flags.input.threads);
}

// Missed pairs are counted in bins of this width over [0, 1].
constexpr int kBins = 20;

int BinOf(double jaccard) {
  return std::clamp(static_cast<int>(std::floor(jaccard * kBins + 1e-9)), 0,
                    kBins - 1);
}

// The engine run at one threshold, measured.
struct Run {
  double threshold = 0;
  BandParams bands;
  PipelineStats stats;
  std::vector<DocPair> pairs;  // Reported by the engine (every link).
  // Those linked by Jaccard: what the exact pairs measure, and what the
  // report counts as "reported".
  std::vector<DocPair> jaccard_pairs;
  std::vector<uint32_t> clusters;  // representative_of.
  std::optional<PrecisionRecall> vs_truth;
  uint64_t true_pairs = 0;
  std::vector<uint64_t> missed_bins;  // kBins counts.
  std::optional<PrecisionRecall> vs_labels;
};

struct LabelReport {
  std::vector<LabeledPair> pairs;
  std::vector<LabeledScore> scores;  // Exact Jaccard and label.
  uint64_t copies = 0;
  PrecisionRecall exact_at_threshold;
  ThresholdChoice best;
};

struct Report {
  size_t documents = 0;
  uint64_t input_bytes = 0;
  PipelineOptions options;
  // Pair truth, when there is one.
  bool have_truth = false;
  std::string truth_source;  // "exact" or the file.
  double floor = 0;
  std::vector<ScoredPair> truth;  // J >= floor, sorted.
  std::optional<ExactSearchStats> exact_stats;
  double exact_seconds = 0;
  std::vector<Run> runs;  // Sorted by threshold; one is the main run.
  size_t main_run = 0;
  std::vector<size_t> sweep_runs;
  std::optional<LabelReport> labels;
  std::optional<PrecisionRecall> cluster_pairs;
  double adjusted_rand = 0;
  double load_seconds = 0;
  double engine_seconds = 0;
  double total_seconds = 0;
};

void MeasureAgainstTruth(const Report& report, Run* run) {
  std::vector<DocPair> truth;
  for (const ScoredPair& p : report.truth) {
    if (p.jaccard >= run->threshold) truth.push_back({p.a, p.b});
  }
  run->true_pairs = truth.size();
  run->vs_truth = ComparePairs(run->jaccard_pairs, truth);
  run->missed_bins.assign(kBins, 0);
  // Both lists are sorted: walk them together for the misses.
  size_t j = 0;
  for (const ScoredPair& p : report.truth) {
    if (p.jaccard < run->threshold) continue;
    const DocPair want{p.a, p.b};
    const std::vector<DocPair>& found = run->jaccard_pairs;
    while (j < found.size() && found[j] < want) ++j;
    if (j < found.size() && found[j] == want) continue;
    ++run->missed_bins[BinOf(p.jaccard)];
  }
}

void MeasureAgainstLabels(const LabelReport& labels, Run* run) {
  uint64_t tp = 0, fp = 0, fn = 0;
  for (const LabeledPair& l : labels.pairs) {
    const bool reported = std::binary_search(
        run->pairs.begin(), run->pairs.end(), DocPair{l.a, l.b});
    tp += reported && l.copy;
    fp += reported && !l.copy;
    fn += !reported && l.copy;
  }
  run->vs_labels = MakePrecisionRecall(tp, fp, fn);
}

std::string Fixed(double v, int decimals) {
  return absl::StrFormat("%.*f", decimals, v);
}

void AppendMetrics(const PrecisionRecall& m, std::string* out) {
  absl::StrAppend(out, "{\"true_positives\":", m.true_positives,
                  ",\"false_positives\":", m.false_positives,
                  ",\"false_negatives\":", m.false_negatives,
                  ",\"precision\":");
  internal::AppendSimilarity(m.precision, out);
  *out += ",\"recall\":";
  internal::AppendSimilarity(m.recall, out);
  *out += ",\"f1\":";
  internal::AppendSimilarity(m.f1, out);
  *out += "}";
}

void AppendRunJson(const Run& run, std::string* out) {
  *out += "{\"threshold\":";
  internal::AppendSimilarity(run.threshold, out);
  absl::StrAppend(out, ",\"bands\":", run.bands.bands,
                  ",\"rows\":", run.bands.rows,
                  ",\"p_candidate_at_threshold\":");
  internal::AppendSimilarity(CandidateProbability(run.threshold, run.bands),
                             out);
  absl::StrAppend(out, ",\"candidates\":", run.stats.candidates.candidate_pairs,
                  ",\"reported_pairs\":", run.jaccard_pairs.size(),
                  ",\"clusters\":", run.stats.clusters);
  if (run.vs_truth) {
    absl::StrAppend(out, ",\"true_pairs\":", run.true_pairs, ",\"recall\":");
    internal::AppendSimilarity(run.vs_truth->recall, out);
    *out += ",\"precision\":";
    internal::AppendSimilarity(run.vs_truth->precision, out);
    absl::StrAppend(
        out, ",\"missed_pairs\":", run.vs_truth->false_negatives,
        ",\"false_pairs\":", run.vs_truth->false_positives,
        ",\"candidates_per_true_pair\":",
        run.true_pairs == 0
            ? std::string("null")
            : Fixed(static_cast<double>(run.stats.candidates.candidate_pairs) /
                        run.true_pairs,
                    3),
        ",\"missed_histogram\":[");
    bool first = true;
    for (int b = 0; b < kBins; ++b) {
      if (run.missed_bins[b] == 0) continue;
      if (!first) *out += ",";
      first = false;
      absl::StrAppend(out, "{\"from\":", Fixed(b / double{kBins}, 2),
                      ",\"to\":", Fixed((b + 1) / double{kBins}, 2),
                      ",\"count\":", run.missed_bins[b], "}");
    }
    *out += "]";
  }
  if (run.vs_labels) {
    *out += ",\"labels\":";
    AppendMetrics(*run.vs_labels, out);
  }
  const StageTimes& t = run.stats.times;
  absl::StrAppend(out, ",\"seconds\":{\"sketch\":", Fixed(t.sketch_seconds, 3),
                  ",\"candidates\":", Fixed(t.candidates_seconds, 3),
                  ",\"verify\":", Fixed(t.verify_seconds, 3),
                  ",\"cluster\":", Fixed(t.cluster_seconds, 3), "}}");
}

std::string RenderJson(const Report& r, const EvalFlags& flags) {
  std::string out = absl::StrCat(
      "{\"documents\":", r.documents, ",\"input_bytes\":", r.input_bytes,
      ",\"options\":{\"normalize\":\"", NormalizeModeName(r.options.normalize),
      "\",\"ngram\":", r.options.ngram, ",\"num_perm\":", r.options.num_perm,
      ",\"algorithm\":\"", SketchAlgorithmName(r.options.algorithm),
      "\",\"threshold\":");
  internal::AppendSimilarity(r.options.threshold, &out);
  out += ",\"containment\":";
  internal::AppendSimilarity(r.options.containment, &out);
  absl::StrAppend(&out, ",\"linkage\":\"",
                  LinkageName(r.options.cluster.linkage),
                  "\",\"seed\":", r.options.seed);
  if (r.options.boilerplate_df > 0) {
    absl::StrAppend(&out, ",\"boilerplate_df\":", r.options.boilerplate_df,
                    ",\"min_weighted_jaccard\":");
    internal::AppendSimilarity(r.options.min_weighted_jaccard, &out);
    absl::StrAppend(&out, ",\"boilerplate_whole_corpus\":",
                    r.options.boilerplate_whole_corpus ? "true" : "false");
  }
  out += "}";
  if (r.have_truth) {
    out += ",\"truth\":{\"source\":";
    internal::AppendJsonString(r.truth_source, &out);
    out += ",\"floor\":";
    internal::AppendSimilarity(r.floor, &out);
    absl::StrAppend(&out, ",\"pairs\":", r.truth.size());
    if (r.exact_stats) {
      const ExactSearchStats& s = *r.exact_stats;
      absl::StrAppend(&out, ",\"exact_search\":{\"documents\":", s.documents,
                      ",\"shingles\":", s.shingles,
                      ",\"distinct_shingles\":", s.distinct_shingles,
                      ",\"postings\":", s.postings,
                      ",\"verified_candidates\":", s.candidates,
                      ",\"seconds\":{\"shingle\":", Fixed(s.shingle_seconds, 3),
                      ",\"order\":", Fixed(s.order_seconds, 3),
                      ",\"search\":", Fixed(s.search_seconds, 3),
                      ",\"total\":", Fixed(r.exact_seconds, 3), "}}");
    }
    out += "}";
  }
  out += ",\"result\":";
  AppendRunJson(r.runs[r.main_run], &out);
  out += ",\"sweep\":[";
  for (size_t i = 0; i < r.sweep_runs.size(); ++i) {
    if (i > 0) out += ",";
    AppendRunJson(r.runs[r.sweep_runs[i]], &out);
  }
  out += "]";
  if (r.labels) {
    out += ",\"labels\":{\"path\":";
    internal::AppendJsonString(flags.labels_path, &out);
    absl::StrAppend(&out, ",\"pairs\":", r.labels->pairs.size(),
                    ",\"copies\":", r.labels->copies, ",\"containment\":");
    internal::AppendSimilarity(r.options.containment, &out);
    out += ",\"engine\":";
    AppendMetrics(*r.runs[r.main_run].vs_labels, &out);
    out += ",\"exact_at_threshold\":";
    AppendMetrics(r.labels->exact_at_threshold, &out);
    out += ",\"best_threshold\":{\"threshold\":";
    internal::AppendSimilarity(r.labels->best.threshold, &out);
    out += ",\"open_below\":";
    internal::AppendSimilarity(r.labels->best.open_below, &out);
    out += ",\"metrics\":";
    AppendMetrics(r.labels->best.metrics, &out);
    out += "}}";
  }
  if (r.cluster_pairs) {
    out += ",\"clusters\":{\"path\":";
    internal::AppendJsonString(flags.clusters_path, &out);
    out += ",\"pairwise\":";
    AppendMetrics(*r.cluster_pairs, &out);
    absl::StrAppend(
        &out, ",\"adjusted_rand_index\":", Fixed(r.adjusted_rand, 6), "}");
  }
  absl::StrAppend(&out, ",\"seconds\":{\"load\":", Fixed(r.load_seconds, 3),
                  ",\"exact\":", Fixed(r.exact_seconds, 3),
                  ",\"engine\":", Fixed(r.engine_seconds, 3),
                  ",\"total\":", Fixed(r.total_seconds, 3), "}}\n");
  return out;
}

std::string MetricsText(const PrecisionRecall& m) {
  return absl::StrFormat(
      "precision %.4f, recall %.4f, F1 %.4f (%s true, %s false, %s missed)",
      m.precision, m.recall, m.f1, Thousands(m.true_positives),
      Thousands(m.false_positives), Thousands(m.false_negatives));
}

std::string RenderText(const Report& r, const EvalFlags& flags) {
  std::string out = absl::StrFormat(
      "neardup eval: %s documents (%s); normalize %s, %d-grams, %d "
      "permutations (%s)\n",
      Thousands(r.documents), Megabytes(r.input_bytes),
      NormalizeModeName(r.options.normalize), r.options.ngram,
      r.options.num_perm, SketchAlgorithmName(r.options.algorithm));
  if (r.have_truth) {
    absl::StrAppend(&out, "Truth: ", r.truth_source, ", ",
                    Thousands(r.truth.size()),
                    absl::StrFormat(" pairs with J >= %.2f", r.floor));
    if (r.exact_stats) {
      const ExactSearchStats& s = *r.exact_stats;
      absl::StrAppend(
          &out,
          absl::StrFormat(" (exact search %.2f s: shingle %.2f, order %.2f, "
                          "search %.2f; %s pairs verified)",
                          r.exact_seconds, s.shingle_seconds, s.order_seconds,
                          s.search_seconds, Thousands(s.candidates)));
    }
    out += "\n";
  }
  out += "\n";
  const bool labels = r.labels.has_value();
  std::string header = " threshold  bands x rows   P(t)  candidates  reported";
  if (r.have_truth) header += "  true pairs  recall  precision  cand/true";
  if (labels) header += "  label P  label R  label F1";
  header += "  engine s\n";
  out += header;
  auto row = [&](const Run& run, bool main) {
    std::string line =
        absl::StrFormat("%s%9s  %12s  %5.3f  %10s  %8s", main ? "*" : " ",
                        Fixed(run.threshold, 2),
                        absl::StrCat(run.bands.bands, " x ", run.bands.rows),
                        CandidateProbability(run.threshold, run.bands),
                        Thousands(run.stats.candidates.candidate_pairs),
                        Thousands(run.jaccard_pairs.size()));
    if (run.vs_truth) {
      absl::StrAppend(
          &line, absl::StrFormat(
                     "  %10s  %.4f  %9.4f  %9s", Thousands(run.true_pairs),
                     run.vs_truth->recall, run.vs_truth->precision,
                     run.true_pairs == 0
                         ? std::string("-")
                         : Fixed(static_cast<double>(
                                     run.stats.candidates.candidate_pairs) /
                                     run.true_pairs,
                                 1)));
    }
    if (run.vs_labels) {
      absl::StrAppend(
          &line,
          absl::StrFormat("  %7.4f  %7.4f  %8.4f", run.vs_labels->precision,
                          run.vs_labels->recall, run.vs_labels->f1));
    }
    const StageTimes& t = run.stats.times;
    absl::StrAppend(
        &line,
        absl::StrFormat("  %8.2f\n", t.sketch_seconds + t.candidates_seconds +
                                         t.verify_seconds + t.cluster_seconds));
    return line;
  };
  for (size_t i = 0; i < r.runs.size(); ++i) {
    out += row(r.runs[i], i == r.main_run);
  }
  const Run& main = r.runs[r.main_run];
  const StageTimes& t = main.stats.times;
  absl::StrAppend(
      &out,
      absl::StrFormat("* the run's threshold %.2f: sketch %.2f s, candidates "
                      "%.2f s, verify %.2f s, cluster %.2f s\n",
                      main.threshold, t.sketch_seconds, t.candidates_seconds,
                      t.verify_seconds, t.cluster_seconds));
  if (main.vs_truth) {
    absl::StrAppend(&out, "\nAt ", Fixed(main.threshold, 2), ": ",
                    MetricsText(*main.vs_truth), "\n");
    if (main.vs_truth->false_negatives > 0) {
      out += "Similarity of the missed pairs:\n";
      for (int b = 0; b < kBins; ++b) {
        if (main.missed_bins[b] == 0) continue;
        absl::StrAppend(
            &out,
            absl::StrFormat("  [%.2f, %.2f%s  %s\n", b / double{kBins},
                            (b + 1) / double{kBins}, b + 1 == kBins ? "]" : ")",
                            Thousands(main.missed_bins[b])));
      }
    }
  }
  if (labels) {
    const LabelReport& l = *r.labels;
    absl::StrAppend(
        &out, "\nLabels (", flags.labels_path, "): ", Thousands(l.pairs.size()),
        " pairs, ", Thousands(l.copies), " copies\n",
        absl::StrFormat("  %-19s", absl::StrCat("engine at ",
                                                Fixed(main.threshold, 2), ":")),
        MetricsText(*main.vs_labels), "\n",
        absl::StrFormat("  %-19s", absl::StrCat("exact J >= ",
                                                Fixed(main.threshold, 2), ":")),
        MetricsText(l.exact_at_threshold),
        r.options.containment > 0
            ? absl::StrFormat(" (or C >= %.2f, as --containment links)",
                              r.options.containment)
            : std::string(),
        "\n",
        absl::StrFormat("  best F1 threshold: %.4f (any in (%.4f, %.4f] "
                        "decides the same): ",
                        l.best.threshold, l.best.open_below, l.best.threshold),
        MetricsText(l.best.metrics), "\n");
  }
  if (r.cluster_pairs) {
    absl::StrAppend(
        &out, "\nClusters (", flags.clusters_path, ") at ",
        Fixed(main.threshold, 2), ": pairwise ", MetricsText(*r.cluster_pairs),
        absl::StrFormat("; adjusted Rand index %.4f\n", r.adjusted_rand));
  }
  absl::StrAppend(
      &out,
      absl::StrFormat("\nTime: load %.2f s, exact truth %.2f s, engine runs "
                      "%.2f s; total %.2f s.\n",
                      r.load_seconds, r.exact_seconds, r.engine_seconds,
                      r.total_seconds));
  return out;
}

std::string RenderPlot(const Report& r) {
  internal::LinePlot plot;
  plot.title = "neardup against ground truth";
  plot.x_label = "Jaccard threshold";
  plot.y_label = "share";
  internal::PlotSeries recall, precision, label_f1, label_best;
  recall.label = "recall (exact pairs)";
  recall.dots = true;
  precision.label = "precision (exact pairs)";
  precision.dashed = true;
  label_f1.label = "F1 (labels, engine)";
  label_f1.dots = true;
  label_best.label = "F1 (labels, exact J)";
  label_best.dashed = true;
  double lo = 1, x_min = 1, x_max = 0;
  for (const Run& run : r.runs) {
    x_min = std::min(x_min, run.threshold);
    x_max = std::max(x_max, run.threshold);
    if (run.vs_truth) {
      recall.points.push_back({run.threshold, run.vs_truth->recall});
      precision.points.push_back({run.threshold, run.vs_truth->precision});
      lo = std::min({lo, run.vs_truth->recall, run.vs_truth->precision});
    }
    if (run.vs_labels) {
      label_f1.points.push_back({run.threshold, run.vs_labels->f1});
      lo = std::min(lo, run.vs_labels->f1);
    }
  }
  if (r.labels) {
    // Exact-Jaccard decisions cost nothing to recompute, so their curve is
    // drawn on a fine grid down to the lowest labelled score: the best
    // threshold often lies below the sweep.
    double lowest = 1;
    for (const LabeledScore& l : r.labels->scores) {
      lowest = std::min(lowest, l.score);
    }
    const double from = std::min(x_min, std::floor(lowest * 10) / 10);
    for (int step = 0;; ++step) {
      const double t = from + 0.01 * step;
      if (t > std::max(x_max, r.labels->best.threshold) + 1e-9) break;
      const double f1 = ClassifyAtThreshold(r.labels->scores, t).f1;
      label_best.points.push_back({t, f1});
      lo = std::min(lo, f1);
    }
    x_min = std::min(x_min, from);
    x_max = std::max(x_max, r.labels->best.threshold);
  }
  for (auto* s : {&recall, &precision, &label_f1, &label_best}) {
    if (!s->points.empty()) plot.series.push_back(*s);
  }
  plot.x_min = x_min < x_max ? x_min : x_min - 0.05;
  plot.x_max = x_min < x_max ? x_max : x_max + 0.05;
  plot.y_min = std::min(0.9, std::floor(lo * 10) / 10);
  plot.y_max = 1;
  plot.markers.push_back(
      {r.options.threshold, absl::StrFormat("t = %.2f", r.options.threshold)});
  if (r.labels) {
    plot.markers.push_back(
        {r.labels->best.threshold,
         absl::StrFormat("best F1 %.2f", r.labels->best.threshold)});
  }
  return internal::RenderLinePlot(plot);
}

absl::Status Evaluate(const EvalFlags& flags, const Corpus& corpus,
                      const PipelineOptions& options, Progress* progress,
                      Report* r) {
  r->documents = corpus.size();
  r->input_bytes = corpus.stats().input_bytes;
  r->options = options;
  auto update = [progress](absl::string_view stage, double f) {
    progress->Update(stage, f);
  };

  // Thresholds: the run's, and the sweep's at or above the truth's floor.
  std::vector<double> thresholds;
  if (!flags.no_sweep) {
    for (double t : flags.sweep) {
      if (!(t > 0 && t <= 1)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--sweep thresholds must be greater than 0 and at most 1, got ",
            t));
      }
      thresholds.push_back(t);
    }
  }

  // Pair truth.
  if (flags.exact) {
    r->have_truth = true;
    r->truth_source = "exact search";
    r->floor = options.threshold;
    for (double t : thresholds) r->floor = std::min(r->floor, t);
    ExactSearchOptions exact;
    exact.normalize = options.normalize;
    exact.ngram = options.ngram;
    exact.seed = options.seed;
    exact.threshold = r->floor;
    exact.threads = options.threads;
    const auto start = Clock::now();
    NEARDUP_ASSIGN_OR_RETURN(ExactSearchResult result,
                             FindSimilarDocuments(corpus, exact, update));
    r->exact_seconds = SecondsSince(start);
    r->truth = std::move(result.pairs);
    r->exact_stats = result.stats;
  } else if (!flags.truth_path.empty()) {
    r->have_truth = true;
    r->truth_source = flags.truth_path;
    NEARDUP_ASSIGN_OR_RETURN(TruthPairs truth,
                             ReadTruthPairs(flags.truth_path, corpus));
    r->truth = std::move(truth.pairs);
    if (flags.truth_floor >= 0) {
      r->floor = flags.truth_floor;
    } else if (truth.floor) {
      r->floor = *truth.floor;
    } else {
      double lowest = 1;
      for (const ScoredPair& p : r->truth) lowest = std::min(lowest, p.jaccard);
      // Files list every pair above a round floor ("j05": 0.5), and the
      // lowest pair sits just above it.
      r->floor = std::floor(lowest * 100 + 1e-9) / 100;
    }
    if (options.threshold < r->floor) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "--threshold %.2f is below the truth's floor %.2f (%s lists only "
          "pairs at or above it; set --truth-floor if that is wrong)",
          options.threshold, r->floor, flags.truth_path));
    }
    std::erase_if(r->truth,
                  [&](const ScoredPair& p) { return p.jaccard < r->floor; });
  }
  if (r->have_truth) {
    std::erase_if(thresholds, [&](double t) { return t < r->floor - 1e-12; });
  }

  // Labels, scored exactly.
  if (!flags.labels_path.empty()) {
    LabelReport labels;
    NEARDUP_ASSIGN_OR_RETURN(labels.pairs,
                             ReadLabels(flags.labels_path, corpus));
    std::vector<DocPair> pairs;
    for (const LabeledPair& l : labels.pairs) pairs.push_back({l.a, l.b});
    ExactSearchOptions exact;
    exact.normalize = options.normalize;
    exact.ngram = options.ngram;
    exact.seed = options.seed;
    exact.threads = options.threads;
    NEARDUP_ASSIGN_OR_RETURN(std::vector<SetSimilarity> scores,
                             ScoreDocumentPairs(corpus, pairs, exact));
    for (size_t i = 0; i < pairs.size(); ++i) {
      // With containment linking a pair contained enough is a copy at any
      // threshold, so the threshold choice is for "J >= t or C >= c".
      const bool contained = options.containment > 0 &&
                             scores[i].containment >= options.containment;
      labels.scores.push_back(
          {contained ? 1.0 : scores[i].jaccard, labels.pairs[i].copy});
      labels.copies += labels.pairs[i].copy;
    }
    labels.exact_at_threshold =
        ClassifyAtThreshold(labels.scores, options.threshold);
    labels.best = BestF1Threshold(labels.scores);
    r->labels = std::move(labels);
  }

  // Engine runs, one per distinct threshold.
  thresholds.push_back(options.threshold);
  std::sort(thresholds.begin(), thresholds.end());
  thresholds.erase(
      std::unique(thresholds.begin(), thresholds.end(),
                  [](double a, double b) { return std::abs(a - b) < 1e-9; }),
      thresholds.end());
  const auto engine_start = Clock::now();
  for (double t : thresholds) {
    PipelineOptions run_options = options;
    run_options.threshold = t;
    const std::string stage = absl::StrFormat("t=%.2f", t);
    NEARDUP_ASSIGN_OR_RETURN(
        PipelineResult result,
        RunPipeline(corpus, run_options, [&](absl::string_view s, double f) {
          progress->Update(absl::StrCat(stage, " ", s), f);
        }));
    Run run;
    run.threshold = t;
    run.bands = result.stats.bands;
    run.stats = result.stats;
    // Exact pairs are a Jaccard truth, so they are measured against the
    // Jaccard links; the labels judge copies, so against every link
    // (containment included).
    for (size_t i = 0; i < result.pairs.size(); ++i) {
      const ScoredPair& p = result.pairs[i];
      run.pairs.push_back({p.a, p.b});
      if (result.pair_links.empty() ||
          result.pair_links[i] == PairLink::kJaccard) {
        run.jaccard_pairs.push_back({p.a, p.b});
      }
    }
    run.clusters = std::move(result.representative_of);
    if (r->have_truth) MeasureAgainstTruth(*r, &run);
    if (r->labels) MeasureAgainstLabels(*r->labels, &run);
    const bool main = std::abs(t - options.threshold) < 1e-9;
    if (!main) std::vector<uint32_t>().swap(run.clusters);
    r->runs.push_back(std::move(run));
    if (main) r->main_run = r->runs.size() - 1;
    if (!flags.no_sweep) {
      for (double s : flags.sweep) {
        if (std::abs(s - t) < 1e-9) {
          r->sweep_runs.push_back(r->runs.size() - 1);
          break;
        }
      }
    }
  }
  r->engine_seconds = SecondsSince(engine_start);

  if (!flags.clusters_path.empty()) {
    NEARDUP_ASSIGN_OR_RETURN(std::vector<uint32_t> truth,
                             ReadTruthClusters(flags.clusters_path, corpus));
    const std::vector<uint32_t>& engine = r->runs[r->main_run].clusters;
    r->cluster_pairs = ComparePairClusterings(engine, truth);
    r->adjusted_rand = AdjustedRandIndex(engine, truth);
  }
  return absl::OkStatus();
}

int RunEval(const EvalFlags& flags) {
  const auto start = Clock::now();
  absl::StatusOr<PipelineOptions> options = MakeOptions(flags);
  if (!options.ok()) return ReportError("eval", options.status());
  if (!flags.exact && flags.truth_path.empty() && flags.labels_path.empty() &&
      flags.clusters_path.empty()) {
    return ReportError(
        "eval", absl::InvalidArgumentError(
                    "nothing to measure against: give --exact, --truth FILE, "
                    "--labels FILE or --truth-clusters FILE"));
  }
  if (!flags.write_truth_path.empty() && !flags.exact) {
    return ReportError(
        "eval", absl::InvalidArgumentError("--write-truth needs --exact"));
  }
  // The report always goes to standard output; a plot or pairs mixed into it
  // would spoil both (and --json's one object).
  for (const auto& [flag, path] :
       {std::pair{"--plot", &flags.plot_path},
        std::pair{"--write-truth", &flags.write_truth_path}}) {
    if (*path == "-") {
      return ReportError(
          "eval", absl::InvalidArgumentError(absl::StrCat(
                      flag,
                      " -: the report is written to standard output; name a "
                      "file for ",
                      flag)));
    }
  }
  // The truth files are inputs too: `--plot truth.tsv` must not replace one.
  std::vector<std::string> inputs = flags.input.inputs;
  for (const std::string* path :
       {&flags.truth_path, &flags.labels_path, &flags.clusters_path}) {
    if (!path->empty()) inputs.push_back(*path);
  }
  absl::Status paths =
      CheckOutputPaths({{"--plot", &flags.plot_path},
                        {"--write-truth", &flags.write_truth_path}},
                       inputs);
  if (!paths.ok()) return ReportError("eval", paths);
  std::unique_ptr<internal::OutputFile> plot, truth_out;
  if (!flags.plot_path.empty()) {
    auto created = internal::OutputFile::Create(flags.plot_path);
    if (!created.ok()) return ReportError("eval", created.status());
    plot = std::move(*created);
  }
  if (!flags.write_truth_path.empty()) {
    auto created = internal::OutputFile::Create(flags.write_truth_path);
    if (!created.ok()) return ReportError("eval", created.status());
    truth_out = std::move(*created);
  }
  Progress progress("eval", flags.input.quiet);
  auto corpus = LoadInputs(flags.input, &progress);
  if (!corpus.ok()) return ReportError("eval", corpus.status());
  Report report;
  report.load_seconds = SecondsSince(start);
  absl::Status status = Evaluate(flags, **corpus, *options, &progress, &report);
  progress.Clear();
  if (!status.ok()) return ReportError("eval", status);
  report.total_seconds = SecondsSince(start);

  const std::string rendered =
      flags.json ? RenderJson(report, flags) : RenderText(report, flags);
  std::fwrite(rendered.data(), 1, rendered.size(), stdout);
  if (std::fflush(stdout) != 0) {
    ReportError("eval", absl::InternalError("cannot write standard output"));
    return kExitFailure;
  }
  if (truth_out) {
    // The floor goes first, so that --truth knows how far down the file is
    // complete instead of guessing from its lowest pair. to_chars writes the
    // shortest text that reads back as the same double: a floor rounded down
    // would claim pairs the file does not hold.
    char floor[32];
    const auto end =
        std::to_chars(floor, floor + sizeof(floor), report.floor).ptr;
    truth_out->Write(absl::StrCat(
        kTruthFloorComment, absl::string_view(floor, end - floor),
        " (normalize ", NormalizeModeName(report.options.normalize), ", ",
        report.options.ngram, "-grams; every pair at or above it)\n"));
    std::string line;
    for (const ScoredPair& p : report.truth) {
      line.clear();
      absl::StrAppend(&line, (*corpus)->Id(p.a), "\t", (*corpus)->Id(p.b), "\t",
                      absl::StrFormat("%.4f", p.jaccard), "\n");
      truth_out->Write(line);
    }
  }
  for (auto* out : {&plot, &truth_out}) {
    if (!*out) continue;
    if (out == &plot) (*out)->Write(RenderPlot(report));
    absl::Status committed = (*out)->Commit();
    if (!committed.ok()) {
      ReportError("eval", committed);
      return kExitFailure;
    }
  }
  return kExitOk;
}

}  // namespace

Command AddEvalCommand(CLI::App* root) {
  auto flags = std::make_shared<EvalFlags>();
  CLI::App* app = root->add_subcommand(
      "eval",
      "Measure the engine on your data: recall and precision against exact "
      "pairs, over a sweep of thresholds; precision, recall and F1 against "
      "labelled pairs; agreement with reference clusters.");
  AddInputFlags(app, &flags->input);
  AddEngineFlags(app, &flags->engine, kAllEngineFlags | kBoilerplateFlags,
                 "The engine's threshold: pairs with exact Jaccard >= t are "
                 "reported and linked");
  CLI::Option* exact = app->add_flag(
      "--exact", flags->exact,
      "Find the true pairs with an exact all-pairs search (no sketching), "
      "down to the lowest threshold evaluated");
  CLI::Option* truth =
      app->add_option("--truth", flags->truth_path,
                      "True pairs as TSV lines idA<TAB>idB<TAB>jaccard "
                      "(every pair at or above some floor)");
  exact->excludes(truth);
  app->add_option("--truth-floor", flags->truth_floor,
                  "The lowest Jaccard the --truth file is complete for "
                  "(default: its lowest value, rounded down to 0.01)")
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--labels", flags->labels_path,
                  "Human judgements as TSV lines idA<TAB>idB<TAB>copy|"
                  "distinct");
  app->add_option("--truth-clusters", flags->clusters_path,
                  "Reference clusters as JSON lines {\"id\":...,"
                  "\"cluster\":...}; unlisted documents are singletons");
  CLI::Option* sweep =
      app->add_option("--sweep", flags->sweep,
                      "Thresholds to run the engine at besides --threshold, "
                      "comma-separated (those below the truth's floor are "
                      "skipped)")
          ->delimiter(',')
          ->capture_default_str();
  app->add_flag("--no-sweep", flags->no_sweep,
                "Run the engine at --threshold only")
      ->excludes(sweep);
  app->add_option("--plot", flags->plot_path,
                  "Write recall and precision (and label F1) against "
                  "threshold as SVG to this file");
  app->add_option("--write-truth", flags->write_truth_path,
                  "With --exact: also write the exact pairs to this file as "
                  "TSV idA<TAB>idB<TAB>jaccard (4 decimals) after a comment "
                  "line that records the floor, the format --truth reads");
  app->add_flag("--json", flags->json,
                "Print one JSON object instead of a table");
  app->footer(
      "Exit status: 0 done, 1 could not write, 2 bad flags or bad input "
      "(an unknown id in a truth file names the file and line).\n"
      "Examples:\n"
      "  neardup eval --exact news.jsonl.zst\n"
      "  neardup eval --exact --normalize none --ngram 5 --threshold 0.8 "
      "news.jsonl.zst --plot recall.svg\n"
      "  neardup eval --truth pairs.tsv --labels labels.tsv --json "
      "news.jsonl.zst");
  return {app, [flags] { return RunEval(*flags); }};
}

}  // namespace neardup::cli
