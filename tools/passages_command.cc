// neardup passages: repeated paragraphs inside documents and passages shared
// across documents, with byte spans, and cleaned copies of the records.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "neardup/passage.h"
#include "src/internal/output_file.h"
#include "src/internal/result_json.h"
#include "src/internal/status_macros.h"
#include "tools/cli_common.h"
#include "tools/commands.h"

namespace neardup::cli {
namespace {

struct PassagesFlags {
  InputFlags input;
  // Only the shingle group, with passages' defaults: passages have no
  // clusters.
  EngineFlags engine = EngineFlags::ForPassages();
  int min_chars = kDefaultPassageMinChars;
  int max_chars = kDefaultPassageMaxChars;
  std::string output_path = "-";
  std::string strip_path;
  bool strip_shared = false;
};

absl::StatusOr<PassageOptions> MakeOptions(const PassagesFlags& flags) {
  return internal::MakePassageOptions(flags.engine, flags.min_chars,
                                      flags.max_chars, flags.input.threads);
}

// Refuses output paths that would clobber an input or each other.
absl::Status CheckPassageOutputs(const PassagesFlags& flags) {
  if (flags.strip_shared && flags.strip_path.empty()) {
    return absl::InvalidArgumentError(
        "--strip-shared needs --strip FILE to say where the records go");
  }
  return cli::CheckOutputPaths(
      {{"--output", &flags.output_path}, {"--strip", &flags.strip_path}},
      flags.input.inputs);
}

void WriteRepeats(const Corpus& corpus, const PassageResult& result,
                  internal::OutputFile* out) {
  std::string line;
  for (const RepeatedPassage& r : result.repeats) {
    line.clear();
    internal::AppendRepeatJson(corpus, r, &line);
    out->Write(line);
  }
}

absl::Status WriteStripped(const Corpus& corpus, const PassageResult& result,
                           bool include_shared, internal::OutputFile* out) {
  TextScratch scratch;
  for (size_t i = 0; i < corpus.size(); ++i) {
    std::vector<PassageSpan> spans = RemovableSpans(
        result.repeats, static_cast<uint32_t>(i), include_shared);
    if (spans.empty()) {
      out->Write(corpus.Raw(i));  // Untouched, byte for byte.
    } else {
      NEARDUP_ASSIGN_OR_RETURN(absl::string_view text,
                               corpus.Text(i, &scratch));
      NEARDUP_ASSIGN_OR_RETURN(
          std::string record,
          corpus.RawWithText(i, RemovePassages(text, spans)));
      out->Write(record);
    }
    out->Write("\n");
  }
  return absl::OkStatus();
}

void PrintSummary(const Corpus& corpus, const PassageOptions& options,
                  const PassageResult& result, double load_seconds,
                  double write_seconds, double total_seconds) {
  const PassageStats& s = result.stats;
  const LoadStats& load = corpus.stats();
  std::string text =
      absl::StrCat("neardup passages: ", Thousands(s.documents), " documents (",
                   Megabytes(load.input_bytes), ")");
  if (load.skipped > 0) {
    absl::StrAppend(&text, ", ", Thousands(load.skipped),
                    " bad records skipped");
  }
  if (load.invalid_utf8_records > 0) {
    absl::StrAppend(&text, "; ", Thousands(load.invalid_utf8_records),
                    " with invalid UTF-8 (replaced by U+FFFD)");
  }
  absl::StrAppend(
      &text, "; ", Thousands(s.passages), " passages, ",
      Thousands(s.short_passages),
      absl::StrFormat(" shorter than %d code points not matched. ",
                      options.min_chars),
      absl::StrFormat("Normalize %s, %d-grams, %d permutations, %d bands x %d "
                      "rows: P(candidate | J = %.2f) = %.3f. ",
                      NormalizeModeName(options.normalize), options.ngram,
                      options.num_perm, s.bands.bands, s.bands.rows,
                      options.threshold,
                      CandidateProbability(options.threshold, s.bands)),
      Thousands(s.candidates.candidate_pairs), " candidate pairs, ",
      Thousands(s.verified_pairs),
      absl::StrFormat(" verified with exact Jaccard >= %.2f. ",
                      options.threshold),
      Thousands(s.repeated), " repeated passages in ", Thousands(s.groups),
      " groups: ", Thousands(s.internal), " internal, ", Thousands(s.shared),
      " shared with an earlier document. Removable: ",
      Thousands(s.removable_bytes), " bytes with --strip, ",
      Thousands(s.removable_shared_bytes), " more with --strip-shared.");
  absl::StrAppend(
      &text,
      absl::StrFormat(" Time: read %.2f s, sketch %.2f s, candidates %.2f s, "
                      "verify %.2f s, write %.2f s; total %.2f s.",
                      load_seconds, s.sketch_seconds, s.candidates_seconds,
                      s.verify_seconds, write_seconds, total_seconds));
  std::fprintf(stderr, "%s\n", text.c_str());
  for (const std::string& example : load.skipped_examples) {
    std::fprintf(stderr, "  skipped: %s\n", example.c_str());
  }
}

int RunPassages(const PassagesFlags& flags) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto seconds_since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  absl::StatusOr<PassageOptions> options = MakeOptions(flags);
  if (!options.ok()) return ReportError("passages", options.status());
  absl::Status paths = CheckPassageOutputs(flags);
  if (!paths.ok()) return ReportError("passages", paths);

  // Outputs are opened first so an unwritable path fails before the work,
  // and committed last so a failed run leaves none of them behind.
  auto repeats_out = OpenOutput(flags.output_path);
  if (!repeats_out.ok()) return ReportError("passages", repeats_out.status());
  auto strip_out = OpenOutput(flags.strip_path);
  if (!strip_out.ok()) return ReportError("passages", strip_out.status());

  Progress progress("passages", flags.input.quiet);
  auto corpus = LoadInputs(flags.input, &progress);
  if (!corpus.ok()) return ReportError("passages", corpus.status());
  const double load_seconds = seconds_since(start);

  absl::StatusOr<PassageResult> result = FindRepeatedPassages(
      **corpus, *options, [&progress](absl::string_view stage, double f) {
        progress.Update(stage, f);
      });
  progress.Clear();
  if (!result.ok()) return ReportError("passages", result.status());

  const auto write_start = Clock::now();
  if (*repeats_out) WriteRepeats(**corpus, *result, repeats_out->get());
  if (*strip_out) {
    absl::Status status =
        WriteStripped(**corpus, *result, flags.strip_shared, strip_out->get());
    if (!status.ok()) return ReportError("passages", status);
  }
  if (int code =
          CommitOutputs("passages", {repeats_out->get(), strip_out->get()});
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

Command AddPassagesCommand(CLI::App* root) {
  auto flags = std::make_shared<PassagesFlags>();
  CLI::App* app = root->add_subcommand(
      "passages",
      "Find passages (paragraphs, or sentence windows of long paragraphs) "
      "that repeat inside a document or across documents, with their byte "
      "spans; optionally write the records with the repeats removed.");
  AddInputFlags(app, &flags->input);
  AddEngineFlags(app, &flags->engine, kShingleFlags,
                 "Passages match when the exact Jaccard similarity of their "
                 "shingle sets is at least this");
  app->add_option("--min-chars", flags->min_chars,
                  "Passages shorter than this many code points after "
                  "normalisation (bylines, datelines) are not matched")
      ->capture_default_str()
      ->check(WholeNumber(1, 1 << 30));
  app->add_option("--max-chars", flags->max_chars,
                  "Paragraphs longer than this many code points are cut into "
                  "windows of whole sentences of about this length")
      ->capture_default_str()
      ->check(WholeNumber(1, 1 << 30));
  app->add_option("--output,-o", flags->output_path,
                  "Write one JSON line per repeated passage here (- is "
                  "standard output, '' writes none)")
      ->capture_default_str();
  app->add_option("--strip", flags->strip_path,
                  "Write the input records here with every passage that "
                  "repeats an earlier passage of its own document removed; "
                  "all other bytes untouched");
  app->add_flag("--strip-shared", flags->strip_shared,
                "With --strip, also remove passages whose original is in an "
                "earlier document");
  app->footer(
      "Output: one JSON line per repeated passage, in input order:\n"
      "  {\"id\":ID,\"start\":S,\"end\":E,\"original\":{\"id\":ID,\"start\":S0,"
      "\"end\":E0},\"jaccard\":J,\"internal\":true|false}\n"
      "Spans are byte offsets [start, end) into the record's text (as "
      "unescaped from JSON). The original is the first passage of the group "
      "in input order; internal means it is in the same document.\n"
      "A summary goes to stderr. Exit status: 0 done, 1 could not write, 2 "
      "bad flags or bad input.\n"
      "Examples:\n"
      "  neardup passages news.jsonl.zst > repeats.jsonl\n"
      "  neardup passages news.jsonl --strip clean.jsonl --output ''\n"
      "  neardup passages feed/ --strip clean.jsonl --strip-shared");
  return {app, [flags] { return RunPassages(*flags); }};
}

}  // namespace neardup::cli
