#include "neardup/cluster.h"

#include <algorithm>
#include <numeric>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace neardup {
namespace {

// Union-find with path halving and union by index: the smaller index becomes
// the root, so roots are stable and the result is independent of pair order.
class DisjointSets {
 public:
  explicit DisjointSets(size_t n) : parent_(n) {
    std::iota(parent_.begin(), parent_.end(), 0u);
  }
  uint32_t Find(uint32_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];
      x = parent_[x];
    }
    return x;
  }
  void Union(uint32_t a, uint32_t b) {
    a = Find(a);
    b = Find(b);
    if (a == b) return;
    if (a < b) {
      parent_[b] = a;
    } else {
      parent_[a] = b;
    }
  }

 private:
  std::vector<uint32_t> parent_;
};

// True when document x should represent a cluster in preference to y.
bool Prefer(uint32_t x, uint32_t y, absl::Span<const uint64_t> lengths,
            KeepPolicy keep) {
  if (keep == KeepPolicy::kLongest && lengths[x] != lengths[y]) {
    return lengths[x] > lengths[y];
  }
  return x < y;
}

Cluster MakeCluster(uint32_t representative, std::vector<uint32_t> others) {
  std::sort(others.begin(), others.end());
  Cluster cluster;
  cluster.representative = representative;
  cluster.members.reserve(others.size() + 1);
  cluster.members.push_back(representative);
  for (uint32_t m : others) {
    if (m != representative) cluster.members.push_back(m);
  }
  return cluster;
}

std::vector<Cluster> SingleLinkage(absl::Span<const ScoredPair> pairs,
                                   absl::Span<const uint64_t> lengths,
                                   KeepPolicy keep) {
  const size_t n = lengths.size();
  DisjointSets sets(n);
  for (const ScoredPair& p : pairs) sets.Union(p.a, p.b);
  // Gather members per root; roots are each component's smallest index.
  std::vector<uint32_t> size(n, 0);
  for (size_t i = 0; i < n; ++i) ++size[sets.Find(static_cast<uint32_t>(i))];
  std::vector<std::vector<uint32_t>> members(n);
  for (size_t i = 0; i < n; ++i) {
    uint32_t root = sets.Find(static_cast<uint32_t>(i));
    if (size[root] >= 2) members[root].push_back(static_cast<uint32_t>(i));
  }
  std::vector<Cluster> clusters;
  for (size_t root = 0; root < n; ++root) {
    if (members[root].empty()) continue;
    uint32_t rep = members[root][0];
    for (uint32_t m : members[root]) {
      if (Prefer(m, rep, lengths, keep)) rep = m;
    }
    clusters.push_back(MakeCluster(rep, std::move(members[root])));
  }
  // Order by representative position (with kFirst this is already so).
  std::sort(clusters.begin(), clusters.end(),
            [](const Cluster& x, const Cluster& y) {
              return x.representative < y.representative;
            });
  return clusters;
}

std::vector<Cluster> CenterLinkage(absl::Span<const ScoredPair> pairs,
                                   absl::Span<const uint64_t> lengths,
                                   KeepPolicy keep) {
  const size_t n = lengths.size();
  // Adjacency in compressed sparse rows.
  std::vector<uint32_t> degree(n + 1, 0);
  for (const ScoredPair& p : pairs) {
    ++degree[p.a + 1];
    ++degree[p.b + 1];
  }
  std::partial_sum(degree.begin(), degree.end(), degree.begin());
  std::vector<uint32_t> adjacency(degree[n]);
  std::vector<uint32_t> cursor(degree.begin(), degree.end() - 1);
  for (const ScoredPair& p : pairs) {
    adjacency[cursor[p.a]++] = p.b;
    adjacency[cursor[p.b]++] = p.a;
  }
  // Visit linked documents in representative-preference order.
  std::vector<uint32_t> order;
  for (size_t i = 0; i < n; ++i) {
    if (degree[i + 1] > degree[i]) order.push_back(static_cast<uint32_t>(i));
  }
  std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
    return Prefer(x, y, lengths, keep);
  });
  std::vector<uint8_t> assigned(n, 0);
  std::vector<Cluster> clusters;
  for (uint32_t center : order) {
    if (assigned[center]) continue;
    std::vector<uint32_t> taken;
    for (uint32_t k = degree[center]; k < degree[center + 1]; ++k) {
      uint32_t other = adjacency[k];
      if (!assigned[other]) {
        assigned[other] = 1;
        taken.push_back(other);
      }
    }
    if (taken.empty()) continue;  // Every neighbour already has a centre.
    assigned[center] = 1;
    clusters.push_back(MakeCluster(center, std::move(taken)));
  }
  std::sort(clusters.begin(), clusters.end(),
            [](const Cluster& x, const Cluster& y) {
              return x.representative < y.representative;
            });
  return clusters;
}

}  // namespace

absl::StatusOr<Linkage> ParseLinkage(absl::string_view name) {
  if (name == "single") return Linkage::kSingle;
  if (name == "center" || name == "centre") return Linkage::kCenter;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown linkage \"", name, "\"; use single or center"));
}

absl::StatusOr<KeepPolicy> ParseKeepPolicy(absl::string_view name) {
  if (name == "first") return KeepPolicy::kFirst;
  if (name == "longest") return KeepPolicy::kLongest;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown keep policy \"", name, "\"; use first or longest"));
}

absl::string_view LinkageName(Linkage linkage) {
  return linkage == Linkage::kSingle ? "single" : "center";
}

absl::string_view KeepPolicyName(KeepPolicy keep) {
  return keep == KeepPolicy::kFirst ? "first" : "longest";
}

std::vector<Cluster> BuildClusters(absl::Span<const ScoredPair> pairs,
                                   absl::Span<const uint64_t> lengths,
                                   const ClusterOptions& options) {
  if (options.linkage == Linkage::kCenter) {
    return CenterLinkage(pairs, lengths, options.keep);
  }
  return SingleLinkage(pairs, lengths, options.keep);
}

}  // namespace neardup
