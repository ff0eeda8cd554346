// neardup index: create, add to, query, remove from, inspect and compact a
// persistent index directory.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "neardup/index.h"
#include "src/internal/index_json.h"
#include "src/internal/kill_point.h"
#include "src/internal/result_json.h"
#include "tools/cli_common.h"
#include "tools/commands.h"

namespace neardup::cli {
namespace {

struct IndexFlags {
  std::string dir;
  // create: IndexOptions' defaults.
  EngineFlags engine = EngineFlags::ForIndex();
  // add / query
  InputFlags input;
  size_t max_matches = 10;
  double compact_at_mb = kDefaultCompactAtMb;
  // remove
  std::string ids_path;
};

void PrintWarnings(absl::string_view command, const OpenReport& report) {
  for (const std::string& warning : report.warnings) {
    std::fprintf(stderr, "neardup index %.*s: warning: %s\n",
                 static_cast<int>(command.size()), command.data(),
                 warning.c_str());
  }
}

int RunCreate(const IndexFlags& f) {
  absl::StatusOr<IndexOptions> options = internal::MakeIndexOptions(f.engine);
  if (!options.ok()) return ReportError("index create", options.status());
  absl::Status created = Index::Create(f.dir, *options);
  if (!created.ok()) return ReportError("index create", created);
  auto index = Index::Open(f.dir, {.read_only = true});
  if (!index.ok()) return ReportError("index create", index.status());
  const IndexOptions& o = (*index)->options();
  if (f.input.quiet) return kExitOk;
  std::fprintf(
      stderr,
      "neardup index create: %s: threshold %.2f, containment %s, "
      "boilerplate %s, normalize %s, %d-grams, %d permutations (%s), %d "
      "bands x %d rows, format version %u\n",
      f.dir.c_str(), o.threshold,
      o.containment > 0 ? absl::StrFormat("%.2f", o.containment).c_str()
                        : "off",
      o.boilerplate_df > 0
          ? absl::StrFormat("df > %u, min weighted Jaccard %.2f",
                            o.boilerplate_df, o.min_weighted_jaccard)
                .c_str()
          : "off",
      std::string(NormalizeModeName(o.normalize)).c_str(), o.ngram, o.num_perm,
      std::string(SketchAlgorithmName(o.algorithm)).c_str(), o.bands, o.rows,
      (*index)->stats().format_version);
  return kExitOk;
}

int RunAdd(const IndexFlags& f) {
  OpenReport report;
  auto index = Index::Open(f.dir, {}, &report);
  if (!index.ok()) return ReportError("index add", index.status());
  PrintWarnings("add", report);
  Progress progress("index add", f.input.quiet);
  auto corpus = LoadInputs(f.input, &progress);
  if (!corpus.ok()) return ReportError("index add", corpus.status());
  internal::AddBatchResult batch = internal::AddCorpus(
      **index, **corpus,
      {.max_matches = f.max_matches,
       .threads = f.input.threads,
       .skip_existing = f.input.on_error == "skip",
       .on_skip =
           [](const absl::Status& skipped) {
             std::fprintf(stderr, "neardup index add: skipped %s\n",
                          std::string(skipped.message()).c_str());
           },
       .progress = [&progress](double done) { progress.Update("add", done); }});
  progress.Clear();
  // What was added before any failure is kept, made durable and reported.
  absl::Status synced = (*index)->Sync();
  if (!synced.ok()) {
    // A batch stopped by a failed log write (a full disk) already holds that
    // error, with where the add stopped; the sync only repeats it. Another
    // failure (a bad record) is reported too, but the exit status is the
    // sync's: no decision was made durable, so none is printed.
    if (!batch.failure.ok() && batch.failure.code() == synced.code()) {
      return ReportError("index add", batch.failure);
    }
    if (!batch.failure.ok()) ReportError("index add", batch.failure);
    return ReportError("index add", synced);
  }
  if (internal::KillPointReached("add-print")) {
    // A crash test's kill halfway through printing durable decisions.
    internal::WriteStdout(absl::string_view(batch.decisions)
                              .substr(0, batch.decisions.size() / 2));
    internal::KillNow();
  }
  if (int rc = WriteStdoutOrReport("index add", batch.decisions);
      rc != kExitOk) {
    return rc;
  }
  if (!batch.failure.ok()) {
    // As in `stream`: the index's message says to remove the old document
    // first; skipping is the other way.
    if (batch.failure.code() == absl::StatusCode::kAlreadyExists) {
      return ReportError("index add", absl::AlreadyExistsError(absl::StrCat(
                                          batch.failure.message(),
                                          ", or pass --on-error skip")));
    }
    return ReportError("index add", batch.failure);
  }
  // Once, after the batch: each document is then written to a snapshot
  // once, rather than at every doubling of the log.
  absl::Status compacted =
      MaybeCompact(**index, f.compact_at_mb, "index add", f.input.quiet);
  if (!compacted.ok()) return ReportError("index add", compacted);
  if (!f.input.quiet) {
    std::fprintf(
        stderr,
        "neardup index add: %s documents added (%s duplicates)%s; "
        "index holds %s documents\n",
        Thousands(batch.added).c_str(), Thousands(batch.duplicates).c_str(),
        batch.skipped
            ? absl::StrCat(", ", Thousands(batch.skipped), " skipped").c_str()
            : "",
        Thousands((*index)->stats().documents).c_str());
  }
  return kExitOk;
}

int RunQuery(const IndexFlags& f) {
  OpenReport report;
  auto index = Index::Open(f.dir, {.read_only = true}, &report);
  if (!index.ok()) return ReportError("index query", index.status());
  PrintWarnings("query", report);
  Progress progress("index query", f.input.quiet);
  auto corpus = LoadInputs(f.input, &progress);
  if (!corpus.ok()) return ReportError("index query", corpus.status());
  // The same records fail, or are skipped, as `index add` would fail or
  // skip them.
  internal::QueryBatchResult batch = internal::QueryCorpus(
      **index, **corpus,
      {.max_matches = f.max_matches,
       .threads = f.input.threads,
       .skip_existing = f.input.on_error == "skip",
       .on_skip =
           [](const absl::Status& skipped) {
             std::fprintf(stderr, "neardup index query: skipped %s\n",
                          std::string(skipped.message()).c_str());
           },
       .progress =
           [&progress](double done) { progress.Update("query", done); }});
  progress.Clear();
  if (!batch.failure.ok()) return ReportError("index query", batch.failure);
  WarnIfDamagedReads(**index, "index query");
  if (int rc = WriteStdoutOrReport("index query", batch.decisions);
      rc != kExitOk) {
    return rc;
  }
  return kExitOk;
}

int RunRemove(const IndexFlags& f) {
  OpenReport report;
  auto index = Index::Open(f.dir, {}, &report);
  if (!index.ok()) return ReportError("index remove", index.status());
  PrintWarnings("remove", report);
  std::ifstream file;
  std::istream* in = &std::cin;
  if (f.ids_path != "-") {
    file.open(f.ids_path);
    if (!file) {
      return ReportError("index remove",
                         absl::NotFoundError(absl::StrCat(
                             f.ids_path, ": cannot open the list of ids: ",
                             std::strerror(errno),
                             " (give a file with one id per line, or - for "
                             "standard input)")));
    }
    in = &file;
  }
  // Every id is checked first, so a typo removes nothing.
  std::vector<std::string> ids, locations;
  std::string line;
  size_t number = 0;
  while (std::getline(*in, line)) {
    ++number;
    absl::string_view id = absl::StripAsciiWhitespace(line);
    if (id.empty()) continue;
    ids.emplace_back(id);
    locations.push_back(absl::StrCat(f.ids_path, ":", number));
  }
  absl::StatusOr<uint64_t> removed =
      internal::RemoveIds(**index, ids, locations);
  if (!removed.ok()) return ReportError("index remove", removed.status());
  const uint64_t removed_count = *removed;
  absl::Status synced = (*index)->Sync();
  if (!synced.ok()) return ReportError("index remove", synced);
  if (f.input.quiet) return kExitOk;
  std::fprintf(stderr,
               "neardup index remove: %s %s removed; index holds %s "
               "documents\n",
               Thousands(removed_count).c_str(),
               removed_count == 1 ? "id" : "ids",
               Thousands((*index)->stats().documents).c_str());
  return kExitOk;
}

int RunStats(const IndexFlags& f) {
  OpenReport report;
  auto index = Index::Open(f.dir, {.read_only = true}, &report);
  if (!index.ok()) return ReportError("index stats", index.status());
  PrintWarnings("stats", report);
  std::string out;
  internal::AppendIndexStatsJson(**index, &out);
  if (int rc = WriteStdoutOrReport("index stats", out); rc != kExitOk) {
    return rc;
  }
  return kExitOk;
}

int RunVerify(const IndexFlags& f) {
  OpenReport report;
  auto index = Index::Open(f.dir, {.read_only = true}, &report);
  if (!index.ok()) return ReportError("index verify", index.status());
  PrintWarnings("verify", report);
  absl::Status verified = (*index)->Verify();
  if (!verified.ok()) return ReportError("index verify", verified);
  if (!f.input.quiet) {
    std::fprintf(stderr,
                 "neardup index verify: %s documents; every stored byte "
                 "matches its checksum\n",
                 Thousands((*index)->stats().documents).c_str());
  }
  return kExitOk;
}

int RunCompact(const IndexFlags& f) {
  OpenReport report;
  auto index = Index::Open(f.dir, {}, &report);
  if (!index.ok()) return ReportError("index compact", index.status());
  PrintWarnings("compact", report);
  absl::Status compacted = (*index)->Compact();
  if (!compacted.ok()) return ReportError("index compact", compacted);
  const IndexStats s = (*index)->stats();
  std::fprintf(
      stderr, "neardup index compact: %s documents; snapshot %s, log %s\n",
      Thousands(s.documents).c_str(), Megabytes(s.snapshot_bytes).c_str(),
      Megabytes(s.log_bytes).c_str());
  return kExitOk;
}

void AddDir(CLI::App* app, IndexFlags* f) {
  app->add_option("DIR", f->dir, "Index directory")->required();
}

void AddQuiet(CLI::App* app, IndexFlags* f) {
  app->add_flag("--quiet,-q", f->input.quiet,
                "Print nothing on stderr but errors and warnings");
}

}  // namespace

Command AddIndexCommand(CLI::App* root) {
  auto f = std::make_shared<IndexFlags>();
  CLI::App* app = root->add_subcommand(
      "index",
      "A persistent index of documents with stable cluster ids: create it, "
      "add to it, query it; see also `neardup stream`.");
  app->require_subcommand(1);

  CLI::App* create = app->add_subcommand(
      "create", "Make an index directory and fix its parameters");
  AddDir(create, f.get());
  create
      ->add_option("--threshold,-t", f->engine.threshold,
                   "Documents match when their Jaccard similarity is at "
                   "least this (0 < t <= 1)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  create
      ->add_option(
          "--containment", f->engine.containment,
          "Also match documents when this share of the smaller one's "
          "shingles is in the other (an abridged copy, a short item quoted "
          "whole), as `neardup cluster --containment` does. 0 turns it off: "
          "Jaccard links only, three times faster to add, far faster to "
          "reopen, "
          "in files neardup before format version 3 reads (docs/index.md)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  create
      ->add_option(
          "--boilerplate-df", f->engine.boilerplate_df,
          "Treat shingles held by more than this many indexed documents (the "
          "new one included) as boilerplate: matches get "
          "\"weighted_jaccard\", their Jaccard without them, as `neardup "
          "cluster --boilerplate-df` scores the same documents in the same "
          "order (0: off; about 16 bytes of memory per distinct shingle)")
      ->capture_default_str();
  create
      ->add_option("--min-weighted-jaccard", f->engine.min_weighted_jaccard,
                   "With --boilerplate-df, match only when the Jaccard "
                   "without boilerplate is at least this")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  create
      ->add_option("--ngram,-n", f->engine.ngram, "Shingle size in code points")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  create->add_option("--num-perm,-k", f->engine.num_perm, "MinHash slots")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  create->add_option("--normalize", f->engine.normalize, "none, ws or full")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "ws", "full"}));
  create->add_option("--algorithm", f->engine.algorithm, "oph or classic")
      ->capture_default_str()
      ->check(CLI::IsMember({"oph", "classic"}));
  create->add_option("--bands,-b", f->engine.bands, "LSH bands (with --rows)")
      ->check(WholeNumber(1, 4096));
  create
      ->add_option("--rows,-r", f->engine.rows,
                   "LSH rows per band (with --bands)")
      ->check(WholeNumber(1, 4096));
  create->add_option("--seed", f->engine.seed, "Seed for every hash")
      ->capture_default_str()
      ->check(SeedNumber());
  AddQuiet(create, f.get());

  CLI::App* add = app->add_subcommand(
      "add",
      "Add documents; prints one decision per document as JSON lines once "
      "they are durable");
  AddDir(add, f.get());
  AddInputFlags(add, &f->input);
  add->add_option("--max-matches", f->max_matches,
                  "Matches listed per decision")
      ->capture_default_str();
  AddCompactFlag(add, &f->compact_at_mb);

  CLI::App* query = app->add_subcommand(
      "query", "Print the decision for each document without adding it");
  AddDir(query, f.get());
  AddInputFlags(query, &f->input);
  query
      ->add_option("--max-matches", f->max_matches,
                   "Matches listed per decision")
      ->capture_default_str();

  CLI::App* remove = app->add_subcommand("remove", "Remove documents by id");
  AddDir(remove, f.get());
  remove
      ->add_option("--ids", f->ids_path,
                   "File with one id per line (- for standard input)")
      ->required();
  AddQuiet(remove, f.get());

  CLI::App* stats = app->add_subcommand(
      "stats",
      "Print documents, clusters, bytes on disk and parameters as JSON");
  AddDir(stats, f.get());

  CLI::App* verify = app->add_subcommand(
      "verify",
      "Read every stored byte and check it against its checksum (opening an "
      "index checks everything but the signatures and fingerprints, which "
      "are checked when read); exit status 0 when the index is intact");
  AddDir(verify, f.get());
  AddQuiet(verify, f.get());

  CLI::App* compact = app->add_subcommand(
      "compact",
      "Write a snapshot of the index and start an empty log (faster reopen, "
      "removed documents' data dropped)");
  AddDir(compact, f.get());
  AddQuiet(compact, f.get());

  app->footer(
      "Decisions: {\"id\":ID,\"status\":\"new\"|\"duplicate\"|\"exists\","
      "\"cluster\":ID,\"matches\":[{\"id\":ID,\"jaccard\":J,\"containment\":C}"
      ",...],\"merged\":[ID,...]}\n"
      "  (a match linked by containment alone adds \"link\":\"containment\";"
      " with --boilerplate-df each has \"weighted_jaccard\":W)\n"
      "Examples:\n"
      "  neardup index create news.ndx --threshold 0.8\n"
      "  neardup index add news.ndx today.jsonl.zst > decisions.jsonl\n"
      "  neardup index stats news.ndx\n"
      "  neardup index verify news.ndx");
  return {app, [f, create, add, query, remove, stats, verify, compact] {
            if (create->parsed()) return RunCreate(*f);
            if (add->parsed()) return RunAdd(*f);
            if (query->parsed()) return RunQuery(*f);
            if (remove->parsed()) return RunRemove(*f);
            if (stats->parsed()) return RunStats(*f);
            if (verify->parsed()) return RunVerify(*f);
            if (compact->parsed()) return RunCompact(*f);
            return kExitBadInput;
          }};
}

}  // namespace neardup::cli
