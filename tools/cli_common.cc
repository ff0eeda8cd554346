#include "tools/cli_common.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/internal/index_json.h"

namespace neardup::cli {

void AddInputFlags(CLI::App* command, InputFlags* flags) {
  command
      ->add_option("INPUT", flags->inputs,
                   "JSON-lines files (plain, .gz or .zst), directories of "
                   ".txt files (searched recursively; id = relative path), or "
                   "- for standard input")
      ->required();
  command
      ->add_option("--id-field", flags->id_field,
                   "JSON field holding each record's unique id")
      ->capture_default_str();
  command
      ->add_option("--text-field", flags->text_field,
                   "JSON field holding each record's text")
      ->capture_default_str();
  command
      ->add_option("--on-error", flags->on_error,
                   "What to do with a bad record (malformed JSON, missing "
                   "field, duplicate id): fail stops with its location; skip "
                   "leaves it out and counts it")
      ->capture_default_str()
      ->check(CLI::IsMember({"fail", "skip"}));
  command
      ->add_option("--threads", flags->threads,
                   "Worker threads; 0 uses every core. Results are the same "
                   "for any value")
      ->capture_default_str()
      ->check(WholeNumber(0, internal::kMaxThreads));
  command->add_flag("--quiet,-q", flags->quiet,
                    "Print nothing on stderr but errors");
}

void AddEngineFlags(CLI::App* command, EngineFlags* flags, unsigned groups,
                    absl::string_view threshold_help) {
  if (groups & kShingleFlags) {
    command
        ->add_option("--threshold,-t", flags->threshold,
                     absl::StrCat(threshold_help, " (0 < t <= 1)"))
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    command
        ->add_option("--ngram,-n", flags->ngram,
                     "Shingle size in code points (characters, not bytes)")
        ->capture_default_str()
        ->check(CLI::Range(1, 64));
    command
        ->add_option("--num-perm,-k", flags->num_perm,
                     "MinHash slots per signature: more costs time, lowers "
                     "estimate noise and allows steeper bands")
        ->capture_default_str()
        ->check(CLI::Range(1, 4096));
    command
        ->add_option("--normalize", flags->normalize,
                     "none: code points as given; ws: white-space runs "
                     "collapsed; full: NFKC, case fold, punctuation and "
                     "Arabic folding, white space collapsed")
        ->capture_default_str()
        ->check(CLI::IsMember({"none", "ws", "full"}));
    command
        ->add_option("--seed", flags->seed,
                     "Seed for every hash; change it to get independent "
                     "sketches")
        ->capture_default_str()
        ->check(SeedNumber());
  }
  if (groups & kSketchFlags) {
    command
        ->add_option("--algorithm", flags->algorithm,
                     "oph: one-permutation hashing with optimal "
                     "densification (fast); classic: k independent hash "
                     "functions (reference)")
        ->capture_default_str()
        ->check(CLI::IsMember({"oph", "classic"}));
    command
        ->add_option("--bands,-b", flags->bands,
                     "LSH bands; with --rows overrides the automatic choice "
                     "(recall >= 0.99 at the threshold, fewest candidates)")
        ->check(WholeNumber(1, 4096));
    command
        ->add_option("--rows,-r", flags->rows, "LSH rows per band; see --bands")
        ->check(WholeNumber(1, 4096));
  }
  if (groups & kClusterFlags) {
    command
        ->add_option("--keep", flags->keep,
                     "Cluster representative: first (in input order) or "
                     "longest (ties to the first); the cluster id is its id")
        ->capture_default_str()
        ->check(CLI::IsMember({"first", "longest"}));
    command
        ->add_option("--linkage", flags->linkage,
                     "single: connected components of verified pairs; "
                     "center: every member verified against its "
                     "representative")
        ->capture_default_str()
        ->check(CLI::IsMember({"single", "center"}));
  }
  if (groups & kContainmentFlags) {
    command
        ->add_option("--containment", flags->containment,
                     "Also link documents when the smaller one's shingles "
                     "are contained in the larger to at least this (0 = "
                     "off), so an abridged copy joins its full story; "
                     "candidates are documents that share a passage (see "
                     "neardup passages) or most of each other's rare "
                     "sampled shingles, wherever they sit, and document "
                     "bands are chosen for Jaccard 0.5 when the threshold "
                     "is higher")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
  }
  if (groups & kBoilerplateFlags) {
    command
        ->add_option("--boilerplate-df", flags->boilerplate_df,
                     "Treat shingles held by more than this many documents "
                     "(up to the later of a pair's two, in input order, as an "
                     "index counts them) as boilerplate: pairs get "
                     "\"weighted_jaccard\", their Jaccard without them (0: "
                     "off)")
        ->capture_default_str();
    command
        ->add_option("--min-weighted-jaccard", flags->min_weighted_jaccard,
                     "With --boilerplate-df, link a pair only when its "
                     "Jaccard without boilerplate is at least this")
        ->capture_default_str();
    command->add_flag("--boilerplate-whole-corpus",
                      flags->boilerplate_whole_corpus,
                      "With --boilerplate-df, count each shingle's documents "
                      "over the whole input rather than up to the later "
                      "document of each pair: templates are caught from "
                      "their first items, but `neardup stream` cannot give "
                      "the same scores");
  }
}

int ReportError(absl::string_view command, const absl::Status& status) {
  std::fprintf(stderr, "neardup %.*s: error: %.*s\n",
               static_cast<int>(command.size()), command.data(),
               static_cast<int>(status.message().size()),
               status.message().data());
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kAlreadyExists:
      return kExitBadInput;
    default:
      return kExitFailure;
  }
}

int WriteStdoutOrReport(absl::string_view command, absl::string_view out) {
  if (internal::WriteStdout(out)) return kExitOk;
  ReportError(command,
              absl::UnavailableError("cannot write to standard output"));
  return kExitFailure;
}

Progress::Progress(absl::string_view command, bool quiet)
    : command_(command), enabled_(!quiet && isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() { Clear(); }

void Progress::Update(absl::string_view stage, double fraction) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && fraction < 1 && now - last_ < std::chrono::milliseconds(100)) {
    return;
  }
  last_ = now;
  constexpr int kWidth = 30;
  fraction = std::clamp(fraction, 0.0, 1.0);
  int filled = static_cast<int>(fraction * kWidth);
  std::string bar(filled, '#');
  bar.append(kWidth - filled, '.');
  std::fprintf(stderr, "\r\033[Kneardup %s: %-12.*s [%s] %3d%%",
               command_.c_str(), static_cast<int>(stage.size()), stage.data(),
               bar.c_str(), static_cast<int>(fraction * 100));
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::Clear() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

absl::StatusOr<std::unique_ptr<Corpus>> LoadInputs(const InputFlags& flags,
                                                   Progress* progress) {
  InputOptions options;
  options.id_field = flags.id_field;
  options.text_field = flags.text_field;
  options.on_error = flags.on_error == "skip" ? OnError::kSkip : OnError::kFail;
  options.threads = flags.threads;
  return LoadCorpus(
      flags.inputs, options, [progress](uint64_t done, uint64_t total) {
        progress->Update("read", total > 0 ? static_cast<double>(done) /
                                                 static_cast<double>(total)
                                           : 0.0);
      });
}

CLI::Validator WholeNumber(int64_t min, int64_t max) {
  return CLI::Validator(
      [min, max](std::string& value) -> std::string {
        int64_t n = 0;
        if (!absl::SimpleAtoi(value, &n)) {
          return absl::StrCat("'", value, "' is not a whole number");
        }
        if (n < min || n > max) {
          return absl::StrCat(value, " is out of range: use ", min, " to ",
                              max);
        }
        return "";
      },
      absl::StrCat("INT in [", min, " - ", max, "]"));
}

CLI::Validator AtLeast(double min) {
  return CLI::Validator(
      [min](std::string& value) -> std::string {
        double x = 0;
        if (!absl::SimpleAtod(value, &x) || std::isnan(x)) {
          return absl::StrCat("'", value, "' is not a number");
        }
        if (x < min) return absl::StrCat(value, " is below ", min);
        return "";
      },
      absl::StrCat("NUMBER >= ", min));
}

CLI::Validator SeedNumber() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        absl::StatusOr<uint64_t> seed = internal::ParseSeed(value);
        return seed.ok() ? "" : std::string(seed.status().message());
      },
      "UINT64");
}

namespace {

// One spelling per file, for comparing paths: absolute, symlinks in the
// existing part resolved, "." and ".." removed. A relative path to a file
// that does not exist yet must still compare equal to "./" + itself.
std::string ResolvedPath(const std::string& path) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  if (ec) return path;
  std::filesystem::path resolved =
      std::filesystem::weakly_canonical(absolute, ec);
  if (ec) resolved = absolute;
  return resolved.lexically_normal().string();
}

}  // namespace

absl::Status CheckOutputPaths(std::initializer_list<NamedOutput> outputs,
                              const std::vector<std::string>& inputs) {
  std::vector<std::pair<std::string, absl::string_view>> seen;
  for (const NamedOutput& output : outputs) {
    const std::string& path = *output.path;
    if (path.empty()) continue;
    std::string canonical = path;
    if (path != "-") {
      canonical = ResolvedPath(path);
      for (const std::string& input : inputs) {
        if (input == "-") continue;
        if (ResolvedPath(input) == canonical) {
          return absl::InvalidArgumentError(absl::StrCat(
              output.flag, " ", path,
              ": the output file is also an input; write the output "
              "elsewhere"));
        }
      }
    }
    for (const auto& [other, other_flag] : seen) {
      if (other != canonical) continue;
      if (canonical == "-") {
        return absl::InvalidArgumentError(absl::StrCat(
            other_flag, " and ", output.flag,
            " both write to standard output; send one of them to a file"));
      }
      return absl::InvalidArgumentError(
          absl::StrCat(other_flag, " and ", output.flag, " name the same file ",
                       path, " twice; give each output its own file"));
    }
    seen.emplace_back(canonical, output.flag);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<internal::OutputFile>> OpenOutput(
    const std::string& path) {
  if (path.empty()) return std::unique_ptr<internal::OutputFile>();
  return internal::OutputFile::Create(path);
}

int CommitOutputs(absl::string_view command,
                  std::initializer_list<internal::OutputFile*> outputs) {
  for (internal::OutputFile* out : outputs) {
    if (out == nullptr) continue;
    absl::Status status = out->Commit();
    if (!status.ok()) {
      ReportError(command, status);
      return kExitFailure;
    }
  }
  return kExitOk;
}

std::string Megabytes(uint64_t bytes) {
  return absl::StrFormat("%.1f MB", static_cast<double>(bytes) / 1e6);
}

void AddCompactFlag(CLI::App* command, double* compact_at_mb) {
  command
      ->add_option("--compact-at-mb", *compact_at_mb,
                   "Compact the index (after the batch, or between reads) "
                   "when its log outgrows its snapshot and this many "
                   "megabytes, so a restart maps the snapshot instead of "
                   "replaying the log (0 = never; `neardup index compact` "
                   "does it later)")
      ->capture_default_str()
      ->check(AtLeast(0));
}

absl::Status MaybeCompact(Index& index, double compact_at_mb,
                          absl::string_view command, bool quiet) {
  // FileSizes is constant time; stats() walks every document, so it is read
  // only for the message.
  if (!internal::CompactionDue(index.FileSizes(), compact_at_mb)) {
    return absl::OkStatus();
  }
  if (!quiet) NoteCompaction(index, command);
  return index.Compact();
}

void NoteCompaction(const Index& index, absl::string_view command) {
  const IndexStats s = index.stats();
  std::fprintf(stderr,
               "neardup %.*s: compacting %s documents (log %.1f MB, "
               "snapshot %.1f MB)\n",
               static_cast<int>(command.size()), command.data(),
               Thousands(s.documents).c_str(), s.log_bytes / 1e6,
               s.snapshot_bytes / 1e6);
}

void WarnIfDamagedReads(const Index& index, absl::string_view command) {
  const uint64_t damaged = index.stats().damaged_reads;
  if (damaged == 0) return;
  std::fprintf(
      stderr,
      "neardup %.*s: warning: damaged data in %s read%s of stored "
      "documents; those documents matched nothing. Run `neardup "
      "index verify %s` to locate the damage, and restore the index from a "
      "backup\n",
      static_cast<int>(command.size()), command.data(),
      Thousands(damaged).c_str(), damaged == 1 ? "" : "s",
      index.directory().c_str());
}

}  // namespace neardup::cli
