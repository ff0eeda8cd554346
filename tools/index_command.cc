// neardup index: create, add to, query, remove from, inspect and compact a
// persistent index directory.
#include <sys/stat.h>

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
#include "src/internal/json_writer.h"
#include "src/internal/parallel.h"
#include "tools/cli_common.h"
#include "tools/commands.h"

namespace neardup::cli {
namespace {

struct IndexFlags {
  std::string dir;
  // create
  double threshold = 0.8;
  int ngram = 5;
  int num_perm = 128;
  std::string normalize = "full";
  std::string algorithm = "oph";
  int bands = 0;
  int rows = 0;
  uint64_t seed = kDefaultSeed;
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

uint64_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

int RunCreate(const IndexFlags& f) {
  IndexOptions options;
  options.threshold = f.threshold;
  options.ngram = f.ngram;
  options.num_perm = f.num_perm;
  auto normalize = ParseNormalizeMode(f.normalize);
  if (!normalize.ok()) return ReportError("index create", normalize.status());
  options.normalize = *normalize;
  auto algorithm = ParseSketchAlgorithm(f.algorithm);
  if (!algorithm.ok()) return ReportError("index create", algorithm.status());
  options.algorithm = *algorithm;
  options.bands = f.bands;
  options.rows = f.rows;
  options.seed = f.seed;
  absl::Status created = Index::Create(f.dir, options);
  if (!created.ok()) return ReportError("index create", created);
  auto index = Index::Open(f.dir, {.read_only = true});
  if (!index.ok()) return ReportError("index create", index.status());
  const IndexOptions& o = (*index)->options();
  if (f.input.quiet) return kExitOk;
  std::fprintf(stderr,
               "neardup index create: %s: threshold %.2f, normalize %s, "
               "%d-grams, %d permutations (%s), %d bands x %d rows, format "
               "version %u\n",
               f.dir.c_str(), o.threshold,
               std::string(NormalizeModeName(o.normalize)).c_str(), o.ngram,
               o.num_perm,
               std::string(SketchAlgorithmName(o.algorithm)).c_str(), o.bands,
               o.rows, kIndexFormatVersion);
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
  const bool skip = f.input.on_error == "skip";
  std::string out;
  absl::Status failure;
  size_t added = 0, duplicates = 0, skipped = 0;
  // Texts are prepared in parallel a block at a time (the costly part) and
  // added in input order, so decisions do not depend on --threads.
  const size_t n = (*corpus)->size();
  const int threads = internal::ResolveThreads(f.input.threads);
  constexpr size_t kBlock = 512;
  std::vector<PreparedText> prepared(std::min(n, kBlock));
  std::vector<absl::Status> text_errors(prepared.size());
  std::vector<std::unique_ptr<TextScratch>> scratch(threads);
  for (auto& s : scratch) s = std::make_unique<TextScratch>();
  for (size_t block = 0; block < n && failure.ok(); block += kBlock) {
    const size_t count = std::min(kBlock, n - block);
    internal::ParallelFor(
        count, threads, 8, [&](size_t from, size_t to, int worker) {
          for (size_t j = from; j < to; ++j) {
            auto text = (*corpus)->Text(block + j, scratch[worker].get());
            text_errors[j] = text.status();
            if (text.ok()) {
              (*index)->Prepare(*text, &prepared[j]);
            }
          }
        });
    for (size_t j = 0; j < count; ++j) {
      const size_t i = block + j;
      absl::StatusOr<Decision> decision =
          text_errors[j].ok()
              ? (*index)->AddPrepared(
                    (*corpus)->Id(i), prepared[j],
                    {.max_matches = f.max_matches, .sync = false})
              : absl::StatusOr<Decision>(text_errors[j]);
      if (!decision.ok()) {
        absl::Status located(decision.status().code(),
                             absl::StrCat((*corpus)->Location(i), ": ",
                                          decision.status().message()));
        if (skip &&
            decision.status().code() == absl::StatusCode::kAlreadyExists) {
          ++skipped;
          std::fprintf(stderr, "neardup index add: skipped %s\n",
                       std::string(located.message()).c_str());
          continue;
        }
        failure = located;
        break;
      }
      added += decision->status != DecisionStatus::kExists;
      duplicates += decision->status == DecisionStatus::kDuplicate;
      internal::AppendDecisionJson(*decision, &out);
    }
    progress.Update("add", static_cast<double>(block + count) / n);
  }
  progress.Clear();
  // What was added before any failure is kept, made durable and reported.
  absl::Status synced = (*index)->Sync();
  if (!synced.ok()) return ReportError("index add", synced);
  if (int rc = WriteStdoutOrReport("index add", out); rc != kExitOk) {
    return rc;
  }
  if (!failure.ok()) return ReportError("index add", failure);
  absl::Status compacted =
      MaybeCompact(**index, f.compact_at_mb, "index add", f.input.quiet);
  if (!compacted.ok()) return ReportError("index add", compacted);
  if (!f.input.quiet) {
    std::fprintf(
        stderr,
        "neardup index add: %s documents added (%s duplicates)%s; "
        "index holds %s documents\n",
        Thousands(added).c_str(), Thousands(duplicates).c_str(),
        skipped ? absl::StrCat(", ", Thousands(skipped), " skipped").c_str()
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
  const size_t n = (*corpus)->size();
  std::vector<std::string> lines(n);
  std::vector<absl::Status> errors(n);
  const int threads = internal::ResolveThreads(f.input.threads);
  std::vector<std::unique_ptr<TextScratch>> scratch(threads);
  for (auto& s : scratch) s = std::make_unique<TextScratch>();
  internal::ParallelFor(n, threads, 16, [&](size_t begin, size_t end, int w) {
    for (size_t i = begin; i < end; ++i) {
      auto text = (*corpus)->Text(i, scratch[w].get());
      if (!text.ok()) {
        errors[i] = text.status();
        continue;
      }
      absl::StatusOr<Decision> decision =
          (*index)->Query((*corpus)->Id(i), *text, f.max_matches);
      if (!decision.ok()) {
        errors[i] = absl::Status(decision.status().code(),
                                 absl::StrCat((*corpus)->Location(i), ": ",
                                              decision.status().message()));
        continue;
      }
      internal::AppendDecisionJson(*decision, &lines[i]);
    }
  });
  // The same records fail, or are skipped, as `index add` would fail or
  // skip them.
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (!errors[i].ok()) {
      if (f.input.on_error == "skip" &&
          errors[i].code() == absl::StatusCode::kAlreadyExists) {
        std::fprintf(stderr, "neardup index query: skipped %s\n",
                     std::string(errors[i].message()).c_str());
        continue;
      }
      return ReportError("index query", errors[i]);
    }
    out += lines[i];
  }
  WarnIfDamagedReads(**index, "index query");
  if (int rc = WriteStdoutOrReport("index query", out); rc != kExitOk) {
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
  std::vector<std::string> ids;
  std::string line;
  size_t number = 0;
  while (std::getline(*in, line)) {
    ++number;
    absl::string_view id = absl::StripAsciiWhitespace(line);
    if (id.empty()) continue;
    if (!(*index)->Contains(id)) {
      return ReportError("index remove",
                         absl::NotFoundError(absl::StrCat(
                             f.ids_path, ":", number, ": id \"", id,
                             "\" is not in the index; nothing "
                             "was removed")));
    }
    ids.emplace_back(id);
  }
  uint64_t removed_count = 0;
  for (const std::string& id : ids) {
    absl::Status removed = (*index)->Remove(id);
    // A repeated id in the list: removed once is enough.
    if (!removed.ok() && removed.code() != absl::StatusCode::kNotFound) {
      return ReportError("index remove", removed);
    }
    removed_count += removed.ok();
  }
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
  const IndexStats s = (*index)->stats();
  const IndexOptions& o = (*index)->options();
  const uint64_t disk = FileSize(f.dir + "/meta") + FileSize(f.dir + "/log") +
                        FileSize(f.dir + "/snapshot");
  std::string out = "{\"directory\":";
  internal::AppendJsonString(f.dir, &out);
  absl::StrAppend(&out, ",\"format_version\":", s.format_version,
                  ",\"documents\":", s.documents, ",\"removed\":", s.removed,
                  ",\"clusters\":", s.clusters,
                  ",\"clusters_of_two_or_more\":", s.clusters_of_two_or_more,
                  ",\"bytes_on_disk\":", disk,
                  ",\"snapshot_bytes\":", s.snapshot_bytes,
                  ",\"log_bytes\":", s.log_bytes);
  absl::StrAppend(
      &out,
      absl::StrFormat(
          ",\"parameters\":{\"threshold\":%g,\"ngram\":%d,\"num_perm\":%d,"
          "\"normalize\":\"%s\",\"normalization_version\":%d,"
          "\"algorithm\":\"%s\",\"seed\":%u,\"bands\":%d,\"rows\":%d}}\n",
          o.threshold, o.ngram, o.num_perm, NormalizeModeName(o.normalize),
          kNormalizationVersion, SketchAlgorithmName(o.algorithm), o.seed,
          o.bands, o.rows));
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
      ->add_option("--threshold,-t", f->threshold,
                   "Documents match when their Jaccard similarity is at "
                   "least this (0 < t <= 1)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  create->add_option("--ngram,-n", f->ngram, "Shingle size in code points")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  create->add_option("--num-perm,-k", f->num_perm, "MinHash slots")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  create->add_option("--normalize", f->normalize, "none, ws or full")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "ws", "full"}));
  create->add_option("--algorithm", f->algorithm, "oph or classic")
      ->capture_default_str()
      ->check(CLI::IsMember({"oph", "classic"}));
  create->add_option("--bands,-b", f->bands, "LSH bands (with --rows)")
      ->check(WholeNumber(1, 4096));
  create->add_option("--rows,-r", f->rows, "LSH rows per band (with --bands)")
      ->check(WholeNumber(1, 4096));
  create->add_option("--seed", f->seed, "Seed for every hash")
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
