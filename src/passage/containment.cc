// Containment candidates: documents that share a verified passage.
//
// An abridged copy (the first half of a wire story) has whole-document
// Jaccard near 0.5 with the full story, so document LSH at t = 0.8 never
// proposes the pair; but its paragraphs are the story's paragraphs, so
// passage matching does. The caller verifies each candidate exactly on the
// two documents' shingle sets.
#include <vector>

#include "neardup/passage.h"
#include "src/internal/status_macros.h"

namespace neardup {

absl::StatusOr<std::vector<DocPair>> FindContainmentCandidates(
    const Corpus& corpus, const PassageOptions& options,
    const PassageProgress& progress) {
  NEARDUP_ASSIGN_OR_RETURN(PassageResult result,
                           FindRepeatedPassages(corpus, options, progress));
  return std::move(result.document_pairs);
}

}  // namespace neardup
