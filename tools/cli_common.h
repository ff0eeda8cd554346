// Pieces shared by the neardup subcommands: input options, progress display,
// error reporting and exit codes. All engine logic lives in the library.
#ifndef NEARDUP_TOOLS_CLI_COMMON_H_
#define NEARDUP_TOOLS_CLI_COMMON_H_

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "neardup/corpus.h"
#include "neardup/index.h"
#include "neardup/pipeline.h"
#include "src/internal/engine_settings.h"
#include "src/internal/index_batch.h"
#include "src/internal/output_file.h"
#include "src/internal/thousands.h"

namespace neardup::cli {

// Exit statuses, also listed in docs/cli.md.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // Could not write output, internal.
inline constexpr int kExitBadInput = 2;  // Bad flags or bad input data.

// Flags every command that reads documents shares.
struct InputFlags {
  std::vector<std::string> inputs;
  std::string id_field = "id";
  std::string text_field = "text";
  std::string on_error = "fail";
  int threads = 0;
  bool quiet = false;
};

// Registers INPUT..., --id-field, --text-field, --on-error, --threads and
// --quiet on `command`.
void AddInputFlags(CLI::App* command, InputFlags* flags);

// Flags that decide what the engine finds, with one spelling, help text and
// default for every command. Defaults come from PipelineOptions{} (see
// EngineSettings for passages' and the index's), and the Python module
// reads the same struct, so the library and its faces cannot drift apart.
using EngineFlags = internal::EngineSettings;

// Which EngineFlags a command offers (bit set).
enum EngineFlagGroups : unsigned {
  // --threshold --ngram --num-perm --normalize --seed
  kShingleFlags = 1,
  // --algorithm --bands --rows
  kSketchFlags = 2,
  // --keep --linkage
  kClusterFlags = 4,
  // --containment
  kContainmentFlags = 8,
  kAllEngineFlags = 15,
  // --boilerplate-df --min-weighted-jaccard --boilerplate-whole-corpus
  // (cluster and eval)
  kBoilerplateFlags = 16,
};

// Registers the chosen groups; `threshold_help` says what the threshold
// means for this command.
void AddEngineFlags(CLI::App* command, EngineFlags* flags, unsigned groups,
                    absl::string_view threshold_help);

// PipelineOptions from the flags, validated (InvalidArgument names the flag).
using internal::MakePipelineOptions;

// Prints "neardup COMMAND: error: MESSAGE" on stderr and returns the exit
// status that fits the error's code.
int ReportError(absl::string_view command, const absl::Status& status);
// Writes `out` to standard output; when that fails (a closed pipe, a full
// disk) reports it as `command`'s error and returns kExitFailure, else
// kExitOk.
int WriteStdoutOrReport(absl::string_view command, absl::string_view out);

// Writers compact an index (Index::Compact) once its log has grown past
// both its snapshot and `--compact-at-mb` megabytes (internal::CompactionDue
// has the rule and its reasons).
inline constexpr double kDefaultCompactAtMb = internal::kDefaultCompactAtMb;
void AddCompactFlag(CLI::App* command, double* compact_at_mb);
// Compacts `index` if the rule says so; a note goes to stderr unless
// `quiet`. Errors are Compact()'s.
absl::Status MaybeCompact(Index& index, double compact_at_mb,
                          absl::string_view command, bool quiet);
// The note MaybeCompact writes to stderr before compacting.
void NoteCompaction(const Index& index, absl::string_view command);

// Queries treat a stored document whose data fails its checksum as matching
// nothing (Index::Query); this says so on stderr, with the count and the
// command that finds the damage, when it happened. Printed even under
// --quiet: a query answered around damaged data must not pass unnoticed.
void WarnIfDamagedReads(const Index& index, absl::string_view command);

// A one-line progress bar on stderr, shown only when stderr is a terminal
// and the user did not ask for quiet. Updates are rate-limited.
class Progress {
 public:
  Progress(absl::string_view command, bool quiet);
  ~Progress();
  void Update(absl::string_view stage, double fraction);
  void Clear();

 private:
  std::string command_;
  bool enabled_ = false;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_;
};

// Flag checks whose errors say what is allowed. CLI11's PositiveNumber and
// NonNegativeNumber answer "Value 0 not in range 0.000000 to 1797...": a
// range the value is in, printed with 309 digits.
// A whole number in [min, max]; "abc" and "1.5" are refused as such.
CLI::Validator WholeNumber(int64_t min, int64_t max);
// A number (decimals allowed) of at least `min`.
CLI::Validator AtLeast(double min);
// A 64-bit seed: decimal digits only, at most 18446744073709551615. CLI11
// would take "-1" or an overflowing value and wrap it silently, so two
// different seeds on the command line could give one sketch.
CLI::Validator SeedNumber();

// Loads the inputs named by `flags`, with progress; errors are returned for
// ReportError().
absl::StatusOr<std::unique_ptr<Corpus>> LoadInputs(const InputFlags& flags,
                                                   Progress* progress);

// An output a command may write, named by its flag for error messages.
struct NamedOutput {
  absl::string_view flag;   // "--pairs"
  const std::string* path;  // Empty: not written; "-": standard output.
};

// Refuses output paths that would clobber an input or each other (a typo
// such as `--dedup news.jsonl` must not destroy the data being read), and
// two outputs sharing standard output.
absl::Status CheckOutputPaths(std::initializer_list<NamedOutput> outputs,
                              const std::vector<std::string>& inputs);

// Opens `path` for OutputFile's write-then-rename; an empty path gives null.
absl::StatusOr<std::unique_ptr<internal::OutputFile>> OpenOutput(
    const std::string& path);

// Commits every non-null output, in order. On the first failure, reports it
// and returns kExitFailure (the input was fine; the output could not be
// written: disk full, closed stdout); otherwise kExitOk.
int CommitOutputs(absl::string_view command,
                  std::initializer_list<internal::OutputFile*> outputs);

// "14,848".
using internal::Thousands;
// "52.5 MB".
std::string Megabytes(uint64_t bytes);

}  // namespace neardup::cli

#endif  // NEARDUP_TOOLS_CLI_COMMON_H_
