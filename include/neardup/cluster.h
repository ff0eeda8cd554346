// Turning verified pairs into clusters of copies.
//
// Only verified pairs link documents: linking every shared LSH bucket is how
// other tools build giant false clusters. Two linkages:
//   - kSingle (default): connected components of the verified-pair graph.
//   - kCenter: documents are visited in representative order (see
//     KeepPolicy); an unassigned document opens a cluster and takes every
//     unassigned document verified against it. Every member is therefore
//     similar to its representative, at the cost of splitting long chains.
// The representative is the first document in input order, or the longest
// (ties to the first); the cluster's id is the representative's id.
//
// Example:
//
//   std::vector<neardup::Cluster> clusters = neardup::BuildClusters(
//       num_docs, pairs, lengths, {.linkage = neardup::Linkage::kCenter});
#ifndef NEARDUP_INCLUDE_NEARDUP_CLUSTER_H_
#define NEARDUP_INCLUDE_NEARDUP_CLUSTER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace neardup {

enum class Linkage { kSingle, kCenter };
enum class KeepPolicy { kFirst, kLongest };

// "single"/"center" and "first"/"longest"; InvalidArgument otherwise.
absl::StatusOr<Linkage> ParseLinkage(absl::string_view name);
absl::StatusOr<KeepPolicy> ParseKeepPolicy(absl::string_view name);
absl::string_view LinkageName(Linkage linkage);
absl::string_view KeepPolicyName(KeepPolicy keep);

struct ClusterOptions {
  Linkage linkage = Linkage::kSingle;
  KeepPolicy keep = KeepPolicy::kFirst;
};

// A verified pair of documents (a < b, indices in input order).
struct ScoredPair {
  uint32_t a = 0;
  uint32_t b = 0;
  double jaccard = 0;
  double containment = 0;
};

struct Cluster {
  uint32_t representative = 0;
  // Every member including the representative, representative first, the
  // rest in input order.
  std::vector<uint32_t> members;
};

// Clusters of two or more documents, ordered by representative in input
// order. `lengths[i]` ranks document i for KeepPolicy::kLongest (any
// measure of size; neardup uses normalised code points). `pairs` may be in any
// order. Deterministic. Preconditions: every index < lengths.size().
std::vector<Cluster> BuildClusters(absl::Span<const ScoredPair> pairs,
                                   absl::Span<const uint64_t> lengths,
                                   const ClusterOptions& options);

}  // namespace neardup

#endif  // NEARDUP_INCLUDE_NEARDUP_CLUSTER_H_
