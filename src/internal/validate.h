// Validation shared by every engine that shingles, sketches and bands:
// documents, passages, the persistent index. Messages name the CLI flag,
// since that is where users meet them.
#ifndef NEARDUP_SRC_INTERNAL_VALIDATE_H_
#define NEARDUP_SRC_INTERNAL_VALIDATE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "neardup/lsh.h"
#include "neardup/shingle.h"
#include "src/internal/status_macros.h"

namespace neardup::internal {

struct MatchSettings {
  int ngram = 0;
  int num_perm = 0;
  double threshold = 0;
  int bands = 0;  // 0 with rows 0: chosen from the threshold.
  int rows = 0;
  int threads = 0;  // 0: every core.
};

inline absl::Status ValidateMatchSettings(const MatchSettings& s) {
  NEARDUP_RETURN_IF_ERROR(ValidateShingleOptions({.ngram = s.ngram}));
  if (s.num_perm < 1 || s.num_perm > 4096) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--num-perm must be between 1 and 4096, got ", s.num_perm));
  }
  if (!(s.threshold > 0 && s.threshold <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--threshold must be greater than 0 and at most 1, got ", s.threshold));
  }
  if ((s.bands == 0) != (s.rows == 0)) {
    return absl::InvalidArgumentError(
        "--bands and --rows go together: give both, or neither to have them "
        "chosen from the threshold");
  }
  if (s.bands != 0) {
    NEARDUP_RETURN_IF_ERROR(ValidateBandParams({s.bands, s.rows}, s.num_perm));
  }
  if (s.threads < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--threads must be 0 (all cores) or more, got ", s.threads));
  }
  return absl::OkStatus();
}

// Boilerplate scoring (PipelineOptions and IndexOptions::boilerplate_df and
// min_weighted_jaccard).
inline absl::Status ValidateBoilerplateSettings(uint32_t boilerplate_df,
                                                double min_weighted_jaccard) {
  if (!(min_weighted_jaccard >= 0 && min_weighted_jaccard <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--min-weighted-jaccard must be between 0 and 1, got ",
                     min_weighted_jaccard));
  }
  if (min_weighted_jaccard > 0 && boilerplate_df == 0) {
    return absl::InvalidArgumentError(
        "--min-weighted-jaccard needs --boilerplate-df (the document "
        "frequency above which a shingle is boilerplate)");
  }
  return absl::OkStatus();
}

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_VALIDATE_H_
