// neardup tune: which LSH bands and rows a threshold and a number of
// permutations give, and how likely a pair of each similarity is to become a
// candidate. Reads no documents; see docs/eval.md and docs/bands.md.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "neardup/lsh.h"
#include "neardup/pipeline.h"
#include "src/internal/json_writer.h"
#include "src/internal/output_file.h"
#include "src/internal/status_macros.h"
#include "src/internal/svg.h"
#include "tools/cli_common.h"
#include "tools/commands.h"

namespace neardup::cli {
namespace {

struct TuneFlags {
  double threshold = 0.8;
  int num_perm = 128;
  double min_recall = 0.99;
  int bands = 0;
  int rows = 0;
  std::string plot_path;
  bool json = false;
};

// Expected share of pairs below the threshold that become candidates, if
// their similarities are spread evenly over [0, t]: the mean of P over
// [0, t] (midpoint rule, 400 steps, as ChooseBands measures it).
double MeanBelow(double threshold, BandParams bands) {
  constexpr int kSteps = 400;
  double sum = 0;
  for (int i = 0; i < kSteps; ++i) {
    sum += CandidateProbability((i + 0.5) * threshold / kSteps, bands);
  }
  return sum / kSteps;
}

// Similarities around the threshold for the table: steps of 0.05 from 0.3
// below to 0.15 above, and the threshold itself.
std::vector<double> TableSimilarities(double threshold) {
  std::vector<double> s;
  for (int k = -6; k <= 3; ++k) {
    const double v = std::round((threshold + 0.05 * k) * 1000) / 1000;
    if (v > 0 && v <= 1) s.push_back(v);
  }
  s.push_back(threshold);
  std::sort(s.begin(), s.end());
  s.erase(
      std::unique(s.begin(), s.end(),
                  [](double a, double b) { return std::abs(a - b) < 1e-9; }),
      s.end());
  return s;
}

std::string RenderCurve(const TuneFlags& flags, BandParams bands) {
  internal::LinePlot plot;
  plot.title =
      absl::StrFormat("P(candidate): %d bands x %d rows, %d permutations",
                      bands.bands, bands.rows, flags.num_perm);
  plot.x_label = "Jaccard similarity of a pair";
  plot.y_label = "P(candidate)";
  internal::PlotSeries curve;
  curve.label = absl::StrFormat("%d x %d", bands.bands, bands.rows);
  for (int i = 0; i <= 200; ++i) {
    const double s = i / 200.0;
    curve.points.push_back({s, CandidateProbability(s, bands)});
  }
  internal::PlotSeries floor;
  floor.label = absl::StrFormat("recall %.3f", flags.min_recall);
  floor.dashed = true;
  floor.color = "#999999";
  floor.points = {{0, flags.min_recall}, {1, flags.min_recall}};
  plot.series = {curve, floor};
  plot.markers.push_back(
      {flags.threshold, absl::StrFormat("t = %.2f", flags.threshold)});
  return internal::RenderLinePlot(plot);
}

int RunTune(const TuneFlags& flags) {
  if ((flags.bands == 0) != (flags.rows == 0)) {
    return ReportError("tune", absl::InvalidArgumentError(
                                   "--bands and --rows go together: give "
                                   "both, or neither to have them chosen"));
  }
  BandParams bands{flags.bands, flags.rows};
  if (bands.bands == 0) {
    absl::StatusOr<BandParams> chosen =
        ChooseBands(flags.threshold, flags.num_perm, flags.min_recall);
    if (!chosen.ok()) return ReportError("tune", chosen.status());
    bands = *chosen;
  } else {
    absl::Status valid = ValidateBandParams(bands, flags.num_perm);
    if (!valid.ok()) return ReportError("tune", valid);
  }
  std::unique_ptr<internal::OutputFile> plot;
  if (!flags.plot_path.empty()) {
    auto created = internal::OutputFile::Create(flags.plot_path);
    if (!created.ok()) return ReportError("tune", created.status());
    plot = std::move(*created);
  }

  const double at_threshold = CandidateProbability(flags.threshold, bands);
  const double mean_below = MeanBelow(flags.threshold, bands);
  const std::vector<double> similarities = TableSimilarities(flags.threshold);
  std::string out;
  if (flags.json) {
    out = "{\"threshold\":";
    internal::AppendSimilarity(flags.threshold, &out);
    absl::StrAppend(&out, ",\"num_perm\":", flags.num_perm, ",\"min_recall\":");
    internal::AppendSimilarity(flags.min_recall, &out);
    absl::StrAppend(&out, ",\"bands\":", bands.bands, ",\"rows\":", bands.rows,
                    ",\"slots_used\":", bands.bands * bands.rows,
                    ",\"chosen\":", flags.bands == 0 ? "true" : "false",
                    ",\"p_at_threshold\":");
    internal::AppendSimilarity(at_threshold, &out);
    out += ",\"mean_p_below_threshold\":";
    internal::AppendSimilarity(mean_below, &out);
    out += ",\"curve\":[";
    for (size_t i = 0; i < similarities.size(); ++i) {
      if (i > 0) out += ",";
      out += "{\"jaccard\":";
      internal::AppendSimilarity(similarities[i], &out);
      out += ",\"p_candidate\":";
      internal::AppendSimilarity(CandidateProbability(similarities[i], bands),
                                 &out);
      out += "}";
    }
    out += "]}\n";
  } else {
    absl::StrAppend(
        &out,
        absl::StrFormat(
            "threshold %.2f, %d permutations: %d bands x %d rows (%d of %d "
            "slots used)%s\n",
            flags.threshold, flags.num_perm, bands.bands, bands.rows,
            bands.bands * bands.rows, flags.num_perm,
            flags.bands == 0
                ? absl::StrFormat(", chosen for recall >= %.3f at the "
                                  "threshold, then fewest candidates",
                                  flags.min_recall)
                : ", as given"),
        absl::StrFormat("P(candidate | J = %.2f) = %.4f%s\n", flags.threshold,
                        at_threshold,
                        at_threshold < flags.min_recall
                            ? absl::StrFormat("  (below %.3f: pairs at the "
                                              "threshold will be missed)",
                                              flags.min_recall)
                            : ""),
        absl::StrFormat(
            "Mean P(candidate) below the threshold: %.3f (the share of pairs "
            "with J < %.2f that are verified, if spread evenly)\n\n",
            mean_below, flags.threshold),
        "  Jaccard  P(candidate)  expected misses per 1,000 pairs\n");
    for (double s : similarities) {
      const double p = CandidateProbability(s, bands);
      absl::StrAppend(
          &out,
          absl::StrFormat(
              "  %7.3f  %12.4f  %8.1f%s\n", s, p, 1000 * (1 - p),
              std::abs(s - flags.threshold) < 1e-9 ? "  <- threshold" : ""));
    }
    if (flags.bands == 0 && flags.threshold > kContainmentBandJaccard) {
      // What a user comparing with `neardup cluster`'s summary needs.
      absl::StrAppend(
          &out, absl::StrFormat(
                    "\n(neardup cluster with --containment on, its default, "
                    "takes the bands for J = %.2f instead: run tune -t %.2f "
                    "to see them)\n",
                    kContainmentBandJaccard, kContainmentBandJaccard));
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (std::fflush(stdout) != 0) {
    return ReportError("tune", absl::InternalError("cannot write output"));
  }
  if (plot) {
    plot->Write(RenderCurve(flags, bands));
    absl::Status status = plot->Commit();
    if (!status.ok()) {
      ReportError("tune", status);
      return kExitFailure;
    }
  }
  return kExitOk;
}

}  // namespace

Command AddTuneCommand(CLI::App* root) {
  auto flags = std::make_shared<TuneFlags>();
  CLI::App* app = root->add_subcommand(
      "tune",
      "Show the LSH bands and rows chosen for a threshold and a number of "
      "permutations, and the probability that a pair of each similarity "
      "becomes a candidate. Reads no documents.");
  app->add_option("--threshold,-t", flags->threshold,
                  "Jaccard threshold the engine will run at (0 < t <= 1)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--num-perm,-k", flags->num_perm,
                  "MinHash slots per signature")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  app->add_option("--min-recall", flags->min_recall,
                  "Smallest acceptable P(candidate) at the threshold; bands "
                  "are chosen to reach it with the fewest candidates")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--bands,-b", flags->bands,
                  "Show this many bands instead of the chosen ones (with "
                  "--rows)")
      ->check(WholeNumber(1, 4096));
  app->add_option("--rows,-r", flags->rows, "Rows per band; see --bands")
      ->check(WholeNumber(1, 4096));
  app->add_option("--plot", flags->plot_path,
                  "Write the curve P(candidate) against similarity, with the "
                  "threshold marked, as SVG here");
  app->add_flag("--json", flags->json, "Print JSON instead of a table");
  app->footer(
      "P(candidate | J = s) = 1 - (1 - s^rows)^bands. Exit status: 0 done, 1 "
      "could not write, 2 bad flags or no setting reaches --min-recall.\n"
      "Examples:\n"
      "  neardup tune --threshold 0.8 --num-perm 128\n"
      "  neardup tune -t 0.9 -k 256 --plot curve.svg\n"
      "  neardup tune -t 0.8 -k 128 --bands 9 --rows 13");
  return {app, [flags] { return RunTune(*flags); }};
}

}  // namespace neardup::cli
