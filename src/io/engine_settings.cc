#include "src/internal/engine_settings.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/internal/status_macros.h"

namespace neardup::internal {
namespace {

absl::Status CheckThreads(int threads) {
  // Negative counts are ValidateMatchSettings' to report.
  if (threads > kMaxThreads) {
    return absl::InvalidArgumentError(
        absl::StrCat("--threads must be between 0 (all cores) and ",
                     kMaxThreads, ", got ", threads));
  }
  return absl::OkStatus();
}

}  // namespace

EngineSettings::EngineSettings() {
  const PipelineOptions defaults;
  threshold = defaults.threshold;
  ngram = defaults.ngram;
  num_perm = defaults.num_perm;
  normalize = std::string(NormalizeModeName(defaults.normalize));
  algorithm = std::string(SketchAlgorithmName(defaults.algorithm));
  bands = defaults.bands;
  rows = defaults.rows;
  keep = std::string(KeepPolicyName(defaults.cluster.keep));
  linkage = std::string(LinkageName(defaults.cluster.linkage));
  containment = defaults.containment;
  seed = defaults.seed;
  boilerplate_df = defaults.boilerplate_df;
  min_weighted_jaccard = defaults.min_weighted_jaccard;
  boilerplate_whole_corpus = defaults.boilerplate_whole_corpus;
}

EngineSettings EngineSettings::ForPassages() {
  const PassageOptions defaults;
  EngineSettings settings;
  settings.threshold = defaults.threshold;
  settings.ngram = defaults.ngram;
  settings.num_perm = defaults.num_perm;
  settings.normalize = std::string(NormalizeModeName(defaults.normalize));
  settings.algorithm = std::string(SketchAlgorithmName(defaults.algorithm));
  settings.bands = defaults.bands;
  settings.rows = defaults.rows;
  settings.seed = defaults.seed;
  return settings;
}

EngineSettings EngineSettings::ForIndex() {
  const IndexOptions defaults;
  EngineSettings settings;
  settings.threshold = defaults.threshold;
  settings.ngram = defaults.ngram;
  settings.num_perm = defaults.num_perm;
  settings.normalize = std::string(NormalizeModeName(defaults.normalize));
  settings.algorithm = std::string(SketchAlgorithmName(defaults.algorithm));
  settings.bands = defaults.bands;
  settings.rows = defaults.rows;
  settings.seed = defaults.seed;
  settings.containment = defaults.containment;
  settings.boilerplate_df = defaults.boilerplate_df;
  settings.min_weighted_jaccard = defaults.min_weighted_jaccard;
  return settings;
}

absl::StatusOr<PipelineOptions> MakePipelineOptions(
    const EngineSettings& settings, int threads) {
  PipelineOptions options;
  NEARDUP_ASSIGN_OR_RETURN(options.normalize,
                           ParseNormalizeMode(settings.normalize));
  NEARDUP_ASSIGN_OR_RETURN(options.algorithm,
                           ParseSketchAlgorithm(settings.algorithm));
  NEARDUP_ASSIGN_OR_RETURN(options.cluster.keep,
                           ParseKeepPolicy(settings.keep));
  NEARDUP_ASSIGN_OR_RETURN(options.cluster.linkage,
                           ParseLinkage(settings.linkage));
  options.threshold = settings.threshold;
  options.containment = settings.containment;
  options.ngram = settings.ngram;
  options.num_perm = settings.num_perm;
  options.bands = settings.bands;
  options.rows = settings.rows;
  options.threads = threads;
  options.seed = settings.seed;
  options.boilerplate_df = settings.boilerplate_df;
  options.min_weighted_jaccard = settings.min_weighted_jaccard;
  options.boilerplate_whole_corpus = settings.boilerplate_whole_corpus;
  NEARDUP_RETURN_IF_ERROR(ValidatePipelineOptions(options));
  NEARDUP_RETURN_IF_ERROR(CheckThreads(threads));
  return options;
}

absl::StatusOr<PassageOptions> MakePassageOptions(
    const EngineSettings& settings, int min_chars, int max_chars, int threads) {
  PassageOptions options;
  NEARDUP_ASSIGN_OR_RETURN(options.normalize,
                           ParseNormalizeMode(settings.normalize));
  options.threshold = settings.threshold;
  options.ngram = settings.ngram;
  options.num_perm = settings.num_perm;
  options.min_chars = min_chars;
  options.max_chars = max_chars;
  options.threads = threads;
  options.seed = settings.seed;
  NEARDUP_RETURN_IF_ERROR(ValidatePassageOptions(options));
  NEARDUP_RETURN_IF_ERROR(CheckThreads(threads));
  return options;
}

absl::StatusOr<IndexOptions> MakeIndexOptions(const EngineSettings& settings) {
  IndexOptions options;
  NEARDUP_ASSIGN_OR_RETURN(options.normalize,
                           ParseNormalizeMode(settings.normalize));
  NEARDUP_ASSIGN_OR_RETURN(options.algorithm,
                           ParseSketchAlgorithm(settings.algorithm));
  options.threshold = settings.threshold;
  options.ngram = settings.ngram;
  options.num_perm = settings.num_perm;
  options.bands = settings.bands;
  options.rows = settings.rows;
  options.seed = settings.seed;
  options.containment = settings.containment;
  options.boilerplate_df = settings.boilerplate_df;
  options.min_weighted_jaccard = settings.min_weighted_jaccard;
  NEARDUP_RETURN_IF_ERROR(ValidateIndexOptions(options));
  return options;
}

absl::StatusOr<uint64_t> ParseSeed(absl::string_view text) {
  uint64_t seed = 0;
  if (text.empty() ||
      text.find_first_not_of("0123456789") != absl::string_view::npos ||
      !absl::SimpleAtoi(text, &seed)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text,
                     "' is not a seed: use a whole number from 0 to "
                     "18446744073709551615"));
  }
  return seed;
}

}  // namespace neardup::internal
