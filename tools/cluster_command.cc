// neardup cluster: batch clustering of a corpus into groups of copies.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "neardup/pipeline.h"
#include "src/internal/output_file.h"
#include "src/internal/result_json.h"
#include "src/internal/status_macros.h"
#include "tools/cli_common.h"
#include "tools/commands.h"

namespace neardup::cli {
namespace {

struct ClusterFlags {
  InputFlags input;
  EngineFlags engine;
  std::string clusters_path = "-";
  std::string pairs_path;
  std::string dedup_path;
};

absl::StatusOr<PipelineOptions> MakeOptions(const ClusterFlags& flags) {
  return MakePipelineOptions(flags.engine, flags.input.threads);
}

void WriteClusters(const Corpus& corpus, const PipelineResult& result,
                   internal::OutputFile* out) {
  std::string line;
  for (const ClusterResult& cluster : result.clusters) {
    line.clear();
    internal::AppendClusterJson(corpus, cluster, &line);
    out->Write(line);
  }
}

void WritePairs(const Corpus& corpus, const PipelineResult& result,
                internal::OutputFile* out) {
  std::string line;
  for (size_t i = 0; i < result.pairs.size(); ++i) {
    line.clear();
    internal::AppendPairJson(
        corpus, result.pairs[i], result.pair_links[i], &line,
        result.weighted_jaccard.empty() ? -1 : result.weighted_jaccard[i]);
    out->Write(line);
  }
}

void WriteDedup(const Corpus& corpus, const PipelineResult& result,
                internal::OutputFile* out) {
  for (size_t i = 0; i < corpus.size(); ++i) {
    if (result.representative_of[i] != i) continue;
    out->Write(corpus.Raw(i));
    out->Write("\n");
  }
}

void PrintSummary(const Corpus& corpus, const PipelineOptions& options,
                  const PipelineResult& result, double load_seconds,
                  double write_seconds, double total_seconds) {
  const PipelineStats& s = result.stats;
  const LoadStats& load = corpus.stats();
  std::string text =
      absl::StrCat("neardup cluster: ", Thousands(s.documents), " documents (",
                   Megabytes(load.input_bytes), ")");
  if (load.skipped > 0) {
    absl::StrAppend(&text, ", ", Thousands(load.skipped),
                    " bad records skipped");
  }
  absl::StrAppend(&text, "; ", Thousands(s.empty_documents),
                  " empty after normalisation");
  // The corpus repairs invalid UTF-8 as it loads, so that is where it is
  // counted; the normaliser catches any that reaches it another way.
  const size_t invalid =
      std::max<size_t>(load.invalid_utf8_records, s.invalid_utf8_documents);
  if (invalid > 0) {
    absl::StrAppend(&text, "; ", Thousands(invalid),
                    " with invalid UTF-8 (replaced by U+FFFD)");
  }
  const double band_jaccard = BandJaccard(options);
  absl::StrAppend(
      &text,
      absl::StrFormat(". Normalize %s, %d-grams, %d permutations (%s), %d "
                      "bands x %d rows: P(candidate | J = %.2f) = %.3f%s. ",
                      NormalizeModeName(options.normalize), options.ngram,
                      options.num_perm, SketchAlgorithmName(options.algorithm),
                      s.bands.bands, s.bands.rows, band_jaccard,
                      CandidateProbability(band_jaccard, s.bands),
                      // Why the bands are not those `tune` shows for t.
                      band_jaccard < options.threshold && options.bands == 0
                          ? " (bands for containment; see --containment)"
                          : ""));
  absl::StrAppend(&text, Thousands(s.candidates.candidate_pairs),
                  " candidate pairs (from ",
                  Thousands(s.candidates.band_collisions), " band collisions");
  if (s.sketch_screened > 0) {
    absl::StrAppend(&text, "; ", Thousands(s.sketch_screened),
                    " proposed pairs ruled out by their sketches");
  }
  absl::StrAppend(&text, "), ", Thousands(s.verified_pairs),
                  absl::StrFormat(" verified with exact Jaccard >= %.2f; ",
                                  options.threshold),
                  Thousands(s.clusters), " clusters (",
                  LinkageName(options.cluster.linkage), " linkage) holding ",
                  Thousands(s.clustered_documents), " documents.");
  if (options.containment > 0) {
    absl::StrAppend(
        &text, " Containment: ", Thousands(s.containment_candidates),
        " document pairs share a passage (by passage LSH), ",
        Thousands(s.sample_candidates),
        " hold most of each other's rare sampled shingles, ",
        Thousands(s.containment_pairs),
        absl::StrFormat(" more pairs linked with containment >= %.2f "
                        "(passages and samples %.2f s, of which samples "
                        "%.2f s).",
                        options.containment, s.times.passages_seconds,
                        s.times.sample_seconds));
  }
  if (s.candidates.capped_buckets > 0) {
    absl::StrAppend(&text, " ", Thousands(s.candidates.capped_buckets),
                    " oversized LSH buckets were linked to their first "
                    "document only.");
  }
  absl::StrAppend(
      &text,
      absl::StrFormat(" Time: read %.2f s, sketch %.2f s, candidates %.2f s, "
                      "verify %.2f s, cluster %.2f s, write %.2f s; total "
                      "%.2f s.",
                      load_seconds, s.times.sketch_seconds,
                      s.times.candidates_seconds, s.times.verify_seconds,
                      s.times.cluster_seconds, write_seconds, total_seconds));
  std::fprintf(stderr, "%s\n", text.c_str());
  for (const std::string& example : load.skipped_examples) {
    std::fprintf(stderr, "  skipped: %s\n", example.c_str());
  }
}

int RunCluster(const ClusterFlags& flags) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto seconds_since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  absl::StatusOr<PipelineOptions> options = MakeOptions(flags);
  if (!options.ok()) return ReportError("cluster", options.status());
  absl::Status paths = CheckOutputPaths({{"--clusters", &flags.clusters_path},
                                         {"--pairs", &flags.pairs_path},
                                         {"--dedup", &flags.dedup_path}},
                                        flags.input.inputs);
  if (!paths.ok()) return ReportError("cluster", paths);

  // Outputs are opened first so an unwritable path fails before the work,
  // and committed last so a failed run leaves none of them behind.
  auto clusters_out = OpenOutput(flags.clusters_path);
  if (!clusters_out.ok()) return ReportError("cluster", clusters_out.status());
  auto pairs_out = OpenOutput(flags.pairs_path);
  if (!pairs_out.ok()) return ReportError("cluster", pairs_out.status());
  auto dedup_out = OpenOutput(flags.dedup_path);
  if (!dedup_out.ok()) return ReportError("cluster", dedup_out.status());

  Progress progress("cluster", flags.input.quiet);
  auto corpus = LoadInputs(flags.input, &progress);
  if (!corpus.ok()) return ReportError("cluster", corpus.status());
  const double load_seconds = seconds_since(start);

  absl::StatusOr<PipelineResult> result = RunPipeline(
      **corpus, *options, [&progress](absl::string_view stage, double f) {
        progress.Update(stage, f);
      });
  progress.Clear();
  if (!result.ok()) return ReportError("cluster", result.status());

  const auto write_start = Clock::now();
  if (*clusters_out) WriteClusters(**corpus, *result, clusters_out->get());
  if (*pairs_out) WritePairs(**corpus, *result, pairs_out->get());
  if (*dedup_out) WriteDedup(**corpus, *result, dedup_out->get());
  if (int code = CommitOutputs(
          "cluster", {clusters_out->get(), pairs_out->get(), dedup_out->get()});
      code != kExitOk) {
    return code;
  }
  if (!flags.input.quiet) {
    PrintSummary(**corpus, *options, *result, load_seconds,
                 seconds_since(write_start), seconds_since(start));
  }
  return kExitOk;
}

}  // namespace

Command AddClusterCommand(CLI::App* root) {
  auto flags = std::make_shared<ClusterFlags>();
  CLI::App* app = root->add_subcommand(
      "cluster",
      "Group documents into clusters of near-duplicates. Every reported pair "
      "is verified with its exact Jaccard similarity over character n-gram "
      "shingles; LSH only proposes candidates.");
  AddInputFlags(app, &flags->input);
  AddEngineFlags(app, &flags->engine, kAllEngineFlags | kBoilerplateFlags,
                 "Report and link pairs whose exact Jaccard similarity is at "
                 "least this");
  app->add_option("--clusters", flags->clusters_path,
                  "Write clusters of two or more as JSON lines here (- is "
                  "standard output)")
      ->capture_default_str();
  app->add_option("--pairs", flags->pairs_path,
                  "Write every verified pair as JSON lines here");
  app->add_option("--dedup", flags->dedup_path,
                  "Write the input records minus non-representative cluster "
                  "members here, bytes untouched");
  app->footer(
      "Outputs are JSON lines, written to a temporary file and renamed when "
      "complete:\n"
      "  clusters: {\"cluster\":ID,\"size\":N,\"members\":[{\"id\":ID,"
      "\"jaccard\":J,\"containment\":C},...]}\n"
      "  pairs:    {\"a\":ID,\"b\":ID,\"jaccard\":J,\"containment\":C}\n"
      "            (plus \"link\":\"containment\" for a pair linked by "
      "--containment alone)\n"
      "A summary goes to stderr. Exit status: 0 done, 1 could not write, 2 "
      "bad flags or bad input.\n"
      "Examples:\n"
      "  neardup cluster news.jsonl.zst > clusters.jsonl\n"
      "  neardup cluster articles/ --threshold 0.9 --pairs pairs.jsonl "
      "--dedup unique.jsonl --clusters clusters.jsonl\n"
      "  zcat feed.jsonl.gz | neardup cluster - --text-field body");
  return {app, [flags] { return RunCluster(*flags); }};
}

}  // namespace neardup::cli
