// Cost of a document-frequency pass over the engine's own shingles (single
// thread), after normalise+shingle: exact flat hash map.
#include <chrono>
#include <cstdio>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "neardup/corpus.h"
#include "neardup/normalize.h"
#include "neardup/shingle.h"
int main(int argc, char** argv) {
  auto corpus = neardup::LoadCorpus({argv[1]}, {});
  if (!corpus.ok()) return 1;
  neardup::NormalizeOptions no;
  no.record_offsets = false;
  auto norm = neardup::Normalizer::Create(no);
  neardup::TextScratch scratch;
  neardup::NormalizedText out;
  std::vector<std::vector<uint64_t>> sets((*corpus)->size());
  auto t0 = std::chrono::steady_clock::now();
  size_t total = 0;
  for (size_t i = 0; i < (*corpus)->size(); ++i) {
    norm->Normalize(*(*corpus)->Text(i, &scratch), &out);
    neardup::HashShingles(out.code_points, {}, &sets[i]);
    neardup::SortUnique(&sets[i]);
    total += sets[i].size();
  }
  auto t1 = std::chrono::steady_clock::now();
  absl::flat_hash_map<uint64_t, uint32_t> df;
  df.reserve(total / 2);
  for (auto& s : sets)
    for (uint64_t h : s) ++df[h];
  auto t2 = std::chrono::steady_clock::now();
  // alternative: sort all hashes and count runs
  std::vector<uint64_t> all;
  all.reserve(total);
  for (auto& s : sets) all.insert(all.end(), s.begin(), s.end());
  std::sort(all.begin(), all.end());
  size_t distinct = 0;
  for (size_t i = 0; i < all.size(); ++i)
    distinct += i == 0 || all[i] != all[i - 1];
  auto t3 = std::chrono::steady_clock::now();
  size_t over = 0;
  for (auto& [h, c] : df) over += c > 25;
  printf(
      "shingle occurrences (distinct per doc) %zu, distinct shingles %zu "
      "(%zu), df>25: %zu\n",
      total, df.size(), distinct, over);
  printf("normalise+shingle %.3f s, hash-map df %.3f s, sort df %.3f s\n",
         std::chrono::duration<double>(t1 - t0).count(),
         std::chrono::duration<double>(t2 - t1).count(),
         std::chrono::duration<double>(t3 - t2).count());
}
