// The engine's settings as people spell them: the flags of `neardup cluster`,
// `neardup passages` and `neardup index create`, and the keyword arguments of
// the Python module. Both faces turn them into the library's option structs
// here, so they take the same values, start from the same defaults (read from
// the option structs themselves) and refuse with the same messages.
//
//   internal::EngineSettings settings;  // PipelineOptions' defaults
//   settings.threshold = 0.9;
//   settings.linkage = "single";
//   NEARDUP_ASSIGN_OR_RETURN(PipelineOptions options,
//                            internal::MakePipelineOptions(settings, 0));
#ifndef NEARDUP_SRC_INTERNAL_ENGINE_SETTINGS_H_
#define NEARDUP_SRC_INTERNAL_ENGINE_SETTINGS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "neardup/index.h"
#include "neardup/passage.h"
#include "neardup/pipeline.h"

namespace neardup::internal {

// The most threads a command may ask for. A typo such as 100000 would
// otherwise start that many threads and exhaust the process.
inline constexpr int kMaxThreads = 4096;

// Names are the flags' spellings ("full", "oph", "center", "first").
struct EngineSettings {
  // PipelineOptions' defaults, for `neardup cluster` and neardup.cluster().
  EngineSettings();
  // PassageOptions' defaults (their threshold differs from documents').
  static EngineSettings ForPassages();
  // IndexOptions' defaults.
  static EngineSettings ForIndex();

  double threshold;
  int ngram;
  int num_perm;
  std::string normalize;
  std::string algorithm;
  int bands = 0;  // 0 with rows 0: chosen from the threshold.
  int rows = 0;
  std::string keep;
  std::string linkage;
  double containment;
  uint64_t seed;
  // `neardup cluster` and neardup.cluster() only (PipelineOptions).
  uint32_t boilerplate_df;
  double min_weighted_jaccard;
  bool boilerplate_whole_corpus;  // `neardup cluster` and cluster() only.
};

// PipelineOptions from the settings, validated: InvalidArgument naming the
// flag and what it accepts. `threads` is 0 (every core) to kMaxThreads.
absl::StatusOr<PipelineOptions> MakePipelineOptions(
    const EngineSettings& settings, int threads);

// PassageOptions from the shingle settings (threshold, ngram, num_perm,
// normalize, seed) and the passage lengths, validated.
absl::StatusOr<PassageOptions> MakePassageOptions(
    const EngineSettings& settings, int min_chars, int max_chars, int threads);

// IndexOptions from the settings `neardup index create` takes (threshold,
// ngram, num_perm, normalize, algorithm, bands, rows, seed), validated.
absl::StatusOr<IndexOptions> MakeIndexOptions(const EngineSettings& settings);

// A seed as text: decimal digits only, at most 2^64 - 1. A parser that
// accepted "-1" or wrapped an overflowing value would let two different
// seeds give one sketch. InvalidArgument saying what a seed is.
absl::StatusOr<uint64_t> ParseSeed(absl::string_view text);

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_ENGINE_SETTINGS_H_
