// neardup stream: one decision per JSON-lines record on stdin, durable
// before it is printed.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "neardup/index.h"
#include "src/internal/index_json.h"
#include "src/internal/kill_point.h"
#include "src/internal/parallel.h"
#include "tools/cli_common.h"
#include "tools/commands.h"

namespace neardup::cli {
namespace {

struct StreamFlags {
  std::string dir;
  bool no_insert = false;
  size_t max_matches = 10;
  std::string id_field = "id";
  std::string text_field = "text";
  std::string on_error = "fail";
  bool quiet = false;
  int threads = 0;
  double compact_at_mb = kDefaultCompactAtMb;
};

int RunStream(const StreamFlags& flags) {
  OpenReport report;
  auto index = Index::Open(flags.dir, {.read_only = flags.no_insert}, &report);
  if (!index.ok()) return ReportError("stream", index.status());
  for (const std::string& warning : report.warnings) {
    std::fprintf(stderr, "neardup stream: warning: %s\n", warning.c_str());
  }
  InputOptions input;
  input.id_field = flags.id_field;
  input.text_field = flags.text_field;
  RecordParser parser(input);
  const bool skip = flags.on_error == "skip";

  std::string buffer;  // Unprocessed bytes: at most one partial line.
  std::string out;     // Decisions of the current read, not yet printed.
  // One read's records; `pool` keeps their buffers for the next read.
  struct Pending {
    uint64_t line = 0;
    absl::Status status;
    std::string id, text;
    PreparedText prepared;
    Decision decision;
  };
  std::deque<Pending> pool;
  std::vector<Pending*> records_in_read;
  const int threads = internal::ResolveThreads(flags.threads);
  std::vector<char> chunk(size_t{1} << 20);
  uint64_t line_number = 0, records = 0, skipped = 0, duplicates = 0;
  absl::Status failure;
  bool eof = false;
  // Decisions are printed only after the index made them durable: each read
  // from stdin is processed, synced once, then printed and flushed.
  auto publish = [&]() -> int {
    if (!flags.no_insert) {
      absl::Status synced = (*index)->Sync();
      if (!synced.ok()) {
        // When a failed log write stopped the read, that error (with its
        // line) is the one to show; the sync only repeats it.
        const bool same = !failure.ok() && failure.code() == synced.code();
        return ReportError("stream", same ? failure : synced);
      }
    }
    if (internal::KillPointReached("stream-print")) {
      // A crash test's kill halfway through printing durable decisions.
      internal::WriteStdout(absl::string_view(out).substr(0, out.size() / 2));
      internal::KillNow();
    }
    if (int rc = WriteStdoutOrReport("stream", out); rc != kExitOk) return rc;
    out.clear();
    // Between reads, after the decisions are out: a compaction pauses the
    // stream but never delays a decision already made.
    if (!flags.no_insert) {
      absl::Status compacted =
          MaybeCompact(**index, flags.compact_at_mb, "stream", flags.quiet);
      if (!compacted.ok()) return ReportError("stream", compacted);
    }
    return kExitOk;
  };
  while (!eof && failure.ok()) {
    ssize_t n = ::read(STDIN_FILENO, chunk.data(), chunk.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      failure = absl::InternalError(
          absl::StrCat("cannot read standard input: ", std::strerror(errno)));
      break;
    }
    if (n == 0) {
      eof = true;
      if (buffer.empty()) break;
      buffer.push_back('\n');  // A last line without a line end.
    } else {
      buffer.append(chunk.data(), static_cast<size_t>(n));
    }
    // Parse every complete line of this read, prepare the texts on all
    // threads (the costly part), then decide in input order.
    size_t begin = 0;
    records_in_read.clear();
    for (;;) {
      const size_t end = buffer.find('\n', begin);
      if (end == std::string::npos) break;
      absl::string_view line(buffer.data() + begin, end - begin);
      begin = end + 1;
      ++line_number;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      // A byte order mark before the first line is not JSON; LoadCorpus
      // ignores it too.
      if (line_number == 1) absl::ConsumePrefix(&line, "\xEF\xBB\xBF");
      if (line.find_first_not_of(" \t") == absl::string_view::npos) continue;
      if (records_in_read.size() == pool.size()) pool.emplace_back();
      Pending& r = pool[records_in_read.size()];
      records_in_read.push_back(&r);
      r.line = line_number;
      r.status = parser.Parse(line, &r.id, &r.text);
    }
    internal::ParallelFor(
        records_in_read.size(), threads, 4, [&](size_t from, size_t to, int) {
          for (size_t i = from; i < to; ++i) {
            Pending& r = *records_in_read[i];
            if (!r.status.ok()) continue;
            if (flags.no_insert) {
              absl::StatusOr<Decision> decision =
                  (*index)->Query(r.id, r.text, flags.max_matches);
              if (decision.ok()) {
                r.decision = *std::move(decision);
              } else {
                r.status = decision.status();
              }
            } else {
              (*index)->Prepare(r.text, &r.prepared);
              (*index)->Prescreen(&r.prepared);
            }
          }
        });
    for (Pending* r : records_in_read) {
      absl::Status status = r->status;
      if (status.ok() && !flags.no_insert) {
        absl::StatusOr<Decision> added = (*index)->AddPrepared(
            r->id, r->prepared,
            {.max_matches = flags.max_matches, .sync = false});
        if (added.ok()) {
          r->decision = *std::move(added);
        } else {
          status = added.status();
        }
      }
      if (!status.ok()) {
        status = absl::Status(
            status.code(),
            absl::StrCat("stdin:", r->line, ": ", status.message()));
        if (skip && (status.code() == absl::StatusCode::kInvalidArgument ||
                     status.code() == absl::StatusCode::kAlreadyExists)) {
          ++skipped;
          std::fprintf(stderr, "neardup stream: skipped %s\n",
                       std::string(status.message()).c_str());
          continue;
        }
        failure = status;
        break;
      }
      ++records;
      duplicates += r->decision.status == DecisionStatus::kDuplicate;
      internal::AppendDecisionJson(r->decision, &out);
    }
    buffer.erase(0, begin);
    // Whatever was decided so far is published, also before an error.
    if (int rc = publish(); rc != kExitOk) return rc;
  }
  WarnIfDamagedReads(**index, "stream");
  if (!failure.ok()) {
    // One line, with the way out: the index's message says to remove the
    // old document first; skipping is the other way.
    if (failure.code() == absl::StatusCode::kAlreadyExists) {
      failure = absl::AlreadyExistsError(
          absl::StrCat(failure.message(), ", or pass --on-error skip"));
    }
    return ReportError("stream", failure);
  }
  if (!flags.quiet) {
    std::fprintf(
        stderr,
        "neardup stream: %s records, %s duplicates%s; index %s holds "
        "%s documents\n",
        Thousands(records).c_str(), Thousands(duplicates).c_str(),
        skipped > 0 ? absl::StrCat(", ", Thousands(skipped), " skipped").c_str()
                    : "",
        flags.dir.c_str(), Thousands((*index)->stats().documents).c_str());
    if (const uint64_t capped = (*index)->stats().capped_buckets; capped > 0) {
      std::fprintf(stderr,
                   "neardup stream: %s band lookups met a bucket of over %s "
                   "documents and compared with its oldest document only (a "
                   "templated feed; see docs/index.md)\n",
                   Thousands(capped).c_str(),
                   Thousands(OpenOptions{}.max_bucket).c_str());
    }
  }
  return kExitOk;
}

}  // namespace

Command AddStreamCommand(CLI::App* root) {
  auto flags = std::make_shared<StreamFlags>();
  CLI::App* app = root->add_subcommand(
      "stream",
      "Decide for each JSON-lines record on standard input whether it is new "
      "or a copy of an indexed document, add it, and print the decision.");
  app->add_option("DIR", flags->dir,
                  "Index directory (made by `neardup index create`)")
      ->required();
  app->add_flag("--no-insert", flags->no_insert,
                "Only query: nothing is added and the index is opened "
                "read-only");
  app->add_option("--max-matches", flags->max_matches,
                  "Matches listed per decision, best first (every verified "
                  "match still links clusters)")
      ->capture_default_str();
  app->add_option("--id-field", flags->id_field,
                  "JSON field holding each record's unique id")
      ->capture_default_str();
  app->add_option("--text-field", flags->text_field,
                  "JSON field holding each record's text")
      ->capture_default_str();
  app->add_option("--on-error", flags->on_error,
                  "A bad record (malformed JSON, missing field, an id already "
                  "indexed with another text): fail stops with its line "
                  "number; skip reports it on stderr and goes on")
      ->capture_default_str()
      ->check(CLI::IsMember({"fail", "skip"}));
  app->add_option("--threads", flags->threads,
                  "Threads preparing texts (normalise, shingle, sketch); 0 "
                  "uses every core. Decisions are the same for any value")
      ->capture_default_str()
      ->check(WholeNumber(0, 4096));
  AddCompactFlag(app, &flags->compact_at_mb);
  app->add_flag("--quiet,-q", flags->quiet,
                "Print nothing on stderr but errors and warnings");
  app->footer(
      "Output, one line per record, in input order:\n"
      "  {\"id\":ID,\"status\":\"new\"|\"duplicate\"|\"exists\","
      "\"cluster\":ID,\"matches\":[{\"id\":ID,\"jaccard\":J,"
      "\"containment\":C},...],\"merged\":[ID,...]}\n"
      "  (a match linked by containment alone adds \"link\":\"containment\")\n"
      "A printed decision is durable: the index was fsynced before it was "
      "written. \"exists\": the id is already indexed with the same text "
      "(re-sending after a crash is harmless).\n"
      "Example:\n"
      "  tail -F feed.jsonl | neardup stream news.ndx");
  return {app, [flags] { return RunStream(*flags); }};
}

}  // namespace neardup::cli
