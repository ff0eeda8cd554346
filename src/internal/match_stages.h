// The objects every matcher builds from its settings before it reads a
// document: the LSH bands (chosen from the threshold unless given), the
// normaliser and the sketcher. One place, so documents, passages and the
// persistent index cannot build them differently.
//
//   NEARDUP_ASSIGN_OR_RETURN(internal::MatchStages stages,
//                            internal::MakeMatchStages({...}));
//   stages.normalizer.Normalize(text, &normalized);
#ifndef NEARDUP_SRC_INTERNAL_MATCH_STAGES_H_
#define NEARDUP_SRC_INTERNAL_MATCH_STAGES_H_

#include <cstdint>
#include <utility>

#include "absl/status/statusor.h"
#include "neardup/lsh.h"
#include "neardup/minhash.h"
#include "neardup/normalize.h"
#include "src/internal/status_macros.h"

namespace neardup::internal {

struct MatchStageSettings {
  NormalizeMode normalize = NormalizeMode::kFull;
  int num_perm = 128;
  SketchAlgorithm algorithm = SketchAlgorithm::kOnePermutation;
  uint64_t seed = 0;
  double threshold = 0.8;
  int bands = 0;  // 0 with rows 0: chosen by ChooseBands().
  int rows = 0;
  double min_recall = 0.99;
};

struct MatchStages {
  BandParams bands;
  Normalizer normalizer;
  MinHasher hasher;
};

// Errors are those of ChooseBands(), Normalizer::Create() and
// MinHasher::Create() (settings are expected to be validated already).
inline absl::StatusOr<MatchStages> MakeMatchStages(
    const MatchStageSettings& s) {
  BandParams bands{s.bands, s.rows};
  if (bands.bands == 0) {
    NEARDUP_ASSIGN_OR_RETURN(
        bands, ChooseBands(s.threshold, s.num_perm, s.min_recall));
  }
  NEARDUP_ASSIGN_OR_RETURN(
      Normalizer normalizer,
      Normalizer::Create({.mode = s.normalize, .record_offsets = false}));
  NEARDUP_ASSIGN_OR_RETURN(
      MinHasher hasher,
      MinHasher::Create(
          {.num_perm = s.num_perm, .algorithm = s.algorithm, .seed = s.seed}));
  return MatchStages{bands, std::move(normalizer), std::move(hasher)};
}

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_MATCH_STAGES_H_
