// neardup report: a syndication report people can read — who ran which
// story, when, and what they changed — as one HTML page and/or JSON. A thin
// front end over include/neardup/report.h; see docs/report.md.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "neardup/pipeline.h"
#include "neardup/report.h"
#include "src/internal/output_file.h"
#include "src/internal/status_macros.h"
#include "tools/cli_common.h"
#include "tools/commands.h"

namespace neardup::cli {
namespace {

struct ReportFlags {
  InputFlags input;
  EngineFlags engine;
  std::string html_path;
  std::string json_path;
  std::string clusters_path;
  std::string pairs_path;
  std::string source_field = "source";
  std::string date_field = "date";
  std::string title_field = "title";
  std::string title = "Syndication report";
  size_t detailed_stories = ReportPageOptions().max_detailed_clusters;
};

// The clusters: from an earlier run's file, or clustered afresh.
absl::StatusOr<std::vector<ClusterResult>> FindClusters(
    const ReportFlags& flags, const PipelineOptions& options,
    const Corpus& corpus, Progress* progress) {
  if (!flags.clusters_path.empty()) {
    return ReadClustersFile(corpus, flags.clusters_path);
  }
  if (!flags.pairs_path.empty()) {
    return ReadPairsFile(corpus, flags.pairs_path);
  }
  NEARDUP_ASSIGN_OR_RETURN(
      PipelineResult result,
      RunPipeline(corpus, options,
                  [progress](absl::string_view stage, double f) {
                    progress->Update(stage, f);
                  }));
  return std::move(result.clusters);
}

int RunReport(const ReportFlags& flags) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  if (flags.html_path.empty() && flags.json_path.empty()) {
    return ReportError(
        "report", absl::InvalidArgumentError(
                      "nothing to write: give --html FILE (the page) and/or "
                      "--json FILE (the figures)"));
  }
  if (!flags.clusters_path.empty() && !flags.pairs_path.empty()) {
    return ReportError(
        "report",
        absl::InvalidArgumentError("give --clusters or --pairs, not both: the "
                                   "clusters come from one of them"));
  }
  absl::StatusOr<PipelineOptions> options =
      MakePipelineOptions(flags.engine, flags.input.threads);
  if (options.ok()) {
    if (absl::Status valid = ValidatePipelineOptions(*options); !valid.ok()) {
      options = valid;
    }
  }
  if (!options.ok()) return ReportError("report", options.status());
  ReportOptions report_options;
  report_options.source_field = flags.source_field;
  report_options.date_field = flags.date_field;
  report_options.title_field = flags.title_field;
  report_options.normalize = options->normalize;
  report_options.ngram = options->ngram;
  report_options.seed = options->seed;
  report_options.threads = flags.input.threads;
  if (absl::Status valid = ValidateReportOptions(report_options); !valid.ok()) {
    return ReportError("report", valid);
  }
  std::vector<std::string> read_paths = flags.input.inputs;
  for (const std::string* path : {&flags.clusters_path, &flags.pairs_path}) {
    if (!path->empty()) read_paths.push_back(*path);
  }
  absl::Status paths = CheckOutputPaths(
      {{"--html", &flags.html_path}, {"--json", &flags.json_path}}, read_paths);
  if (!paths.ok()) return ReportError("report", paths);
  // Opened first so an unwritable path fails before the work; committed
  // last, so a failed run leaves neither file behind.
  auto html_out = OpenOutput(flags.html_path);
  if (!html_out.ok()) return ReportError("report", html_out.status());
  auto json_out = OpenOutput(flags.json_path);
  if (!json_out.ok()) return ReportError("report", json_out.status());

  Progress progress("report", flags.input.quiet);
  auto corpus = LoadInputs(flags.input, &progress);
  if (!corpus.ok()) return ReportError("report", corpus.status());
  absl::StatusOr<std::vector<ClusterResult>> clusters =
      FindClusters(flags, *options, **corpus, &progress);
  progress.Clear();
  if (!clusters.ok()) return ReportError("report", clusters.status());
  absl::StatusOr<Report> report =
      BuildReport(**corpus, *clusters, report_options);
  if (!report.ok()) return ReportError("report", report.status());

  std::string bytes;
  if (*html_out) {
    ReportPageOptions page;
    page.title = flags.title;
    page.max_detailed_clusters = flags.detailed_stories;
    page.subtitle = absl::StrCat(absl::StrJoin(flags.input.inputs, ", "), ": ",
                                 Thousands(report->documents), " documents");
    if (absl::Status s = AppendReportHtml(**corpus, *report, page, &bytes);
        !s.ok()) {
      return ReportError("report", s);
    }
    (*html_out)->Write(bytes);
  }
  const size_t html_bytes = bytes.size();
  if (*json_out) {
    bytes.clear();
    AppendReportJson(**corpus, *report, &bytes);
    (*json_out)->Write(bytes);
  }
  if (int code = CommitOutputs("report", {html_out->get(), json_out->get()});
      code != kExitOk) {
    return code;
  }
  if (!flags.input.quiet) {
    const ReportDateStats& d = report->dates;
    std::string text = absl::StrCat(
        "neardup report: ", Thousands(report->documents), " documents from ",
        Thousands(report->outlets.size()), " outlets; ",
        Thousands(report->clusters.size()), " stories run more than once, ",
        Thousands(report->copies), " copies (",
        absl::StrFormat("%.1f%%",
                        report->documents == 0
                            ? 0.0
                            : 100.0 * report->copies / report->documents),
        " of the documents)");
    if (d.missing + d.unparsable > 0) {
      absl::StrAppend(&text, "; dates: ", Thousands(d.missing), " missing, ",
                      Thousands(d.unparsable),
                      " not ISO 8601 (ordered last, no delay)");
    }
    if (report->records_without_source > 0) {
      absl::StrAppend(&text, "; ", Thousands(report->records_without_source),
                      " without a \"", flags.source_field, "\" field");
    }
    absl::StrAppend(&text, ". Wrote");
    if (*html_out) {
      absl::StrAppend(&text, " ", flags.html_path, " (", Megabytes(html_bytes),
                      ")");
    }
    if (*json_out) {
      absl::StrAppend(&text, *html_out ? " and " : " ",
                      flags.json_path == "-" ? "the figures to standard output"
                                             : flags.json_path);
    }
    absl::StrAppend(
        &text,
        absl::StrFormat(
            " in %.2f s.",
            std::chrono::duration<double>(Clock::now() - start).count()));
    std::fprintf(stderr, "%s\n", text.c_str());
    for (const std::string& example : d.unparsable_examples) {
      std::fprintf(stderr, "  date not read: %s\n", example.c_str());
    }
  }
  return kExitOk;
}

}  // namespace

Command AddReportCommand(CLI::App* root) {
  auto flags = std::make_shared<ReportFlags>();
  CLI::App* app = root->add_subcommand(
      "report",
      "Write a syndication report: for each story run by more than one "
      "outlet, who published it first, who reprinted it and when, how much "
      "each copy changed and where. One self-contained HTML page (--html) "
      "and/or the same figures as JSON (--json).");
  AddInputFlags(app, &flags->input);
  AddEngineFlags(app, &flags->engine, kAllEngineFlags,
                 "Link pairs whose exact Jaccard similarity is at least this "
                 "(when clustering afresh)");
  app->add_option("--html", flags->html_path,
                  "Write the report page here (one file: no network, no "
                  "external scripts or fonts; open it from disk)");
  app->add_option("--json", flags->json_path,
                  "Write the report's figures as JSON here (- is standard "
                  "output)");
  app->add_option("--clusters", flags->clusters_path,
                  "Report the clusters of an earlier `neardup cluster "
                  "--clusters` run over the same inputs instead of "
                  "clustering afresh");
  app->add_option("--pairs", flags->pairs_path,
                  "Report the clusters (connected components) of an earlier "
                  "`neardup cluster --pairs` file over the same inputs");
  app->add_option("--source-field", flags->source_field,
                  "JSON field naming the outlet that published a record")
      ->capture_default_str();
  app->add_option("--date-field", flags->date_field,
                  "JSON field holding the publication date: ISO 8601, a date "
                  "(2015-07-21) or a date-time (2015-07-21T02:51:32+03:00, "
                  "2015-07-21 02:51:32 is read as UTC)")
      ->capture_default_str();
  app->add_option("--title-field", flags->title_field,
                  "JSON field holding the headline")
      ->capture_default_str();
  app->add_option("--title", flags->title, "The page's heading")
      ->capture_default_str();
  app->add_option("--detailed-stories", flags->detailed_stories,
                  "Stories (largest first) whose timeline, original text and "
                  "changes the page carries; the rest show their members "
                  "table only. 0: every story")
      ->check(WholeNumber(0, 100000000))
      ->capture_default_str();
  app->footer(
      "Each story is a cluster of near-duplicates. Its original is the "
      "earliest-dated member (then input order); a record whose date is "
      "missing or not ISO 8601 is ordered last and counted in the page, "
      "never an error. For each copy the page gives its delay after the "
      "original, its exact Jaccard and containment with it, and what "
      "changed: the original's passages it shares (highlighted), those it "
      "dropped and those it added, quoted from the texts.\n"
      "Outputs are written to a temporary file and renamed when complete. A "
      "summary goes to stderr. Exit status: 0 done, 1 could not write, 2 "
      "bad flags or bad input (a --clusters file from other inputs names "
      "its line and the unknown id).\n"
      "Examples:\n"
      "  neardup report news.jsonl.zst --html report.html\n"
      "  neardup report news.jsonl.zst --html report.html --json "
      "report.json --threshold 0.8 --containment 0\n"
      "  neardup cluster news.jsonl --clusters clusters.jsonl\n"
      "  neardup report news.jsonl --clusters clusters.jsonl --html "
      "report.html --source-field outlet --date-field published");
  return {app, [flags] { return RunReport(*flags); }};
}

}  // namespace neardup::cli
