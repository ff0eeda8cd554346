// Clusters two copies of one sentence through the installed library.
#include <cstdio>

#include "neardup/pipeline.h"

int main() {
  auto corpus = neardup::Corpus::FromDocuments(
      {{"a", "The same wire story, reprinted."},
       {"b", "The same wire story, reprinted."}});
  if (!corpus.ok()) return 1;
  auto result = neardup::RunPipeline(**corpus, {});
  if (!result.ok() || result->clusters.size() != 1) return 1;
  std::printf("clusters: %zu\n", result->clusters.size());
  return 0;
}
