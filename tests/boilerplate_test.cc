// Boilerplate-aware scoring (PipelineOptions::boilerplate_df): templated
// items that share only their template lose their link once the template is
// frequent, copies keep it, and every pair carries its Jaccard without the
// shingles that were boilerplate as of its later document.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iterator>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "neardup/index.h"
#include "neardup/normalize.h"
#include "neardup/pipeline.h"
#include "neardup/shingle.h"
#include "tests/support/describe_decision.h"
#include "tests/support/generator.h"

namespace neardup {
namespace {

using ::neardup::testing::EditToJaccard;
using ::neardup::testing::GenerateArticle;
using ::neardup::testing::Language;
using ::neardup::testing::Rng;

// Documents 0..39: one long template (a cable's formula) with a short
// different item each; 40: a story; 41: a light copy of it; 42..: others.
std::vector<std::pair<std::string, std::string>> MakeCorpus() {
  Rng rng(5);
  const std::string formula = GenerateArticle(rng, Language::kEnglish, 4);
  std::vector<std::pair<std::string, std::string>> docs;
  for (int i = 0; i < 40; ++i) {
    docs.emplace_back(
        absl::StrCat("cable-", i),
        absl::StrCat(formula, "\n\n",
                     GenerateArticle(rng, Language::kEnglish, 1)));
  }
  const std::string story = GenerateArticle(rng, Language::kArabic, 6);
  docs.emplace_back("story", story);
  docs.emplace_back("copy", EditToJaccard(story, 0.85, 5, rng));
  for (int i = 0; i < 20; ++i) {
    docs.emplace_back(absl::StrCat("other-", i),
                      GenerateArticle(rng, Language::kArabic, 6));
  }
  return docs;
}

PipelineResult ClusterWith(
    const std::vector<std::pair<std::string, std::string>>& docs,
    uint32_t boilerplate_df, double min_weighted, int threads,
    bool whole_corpus = false) {
  auto corpus = Corpus::FromDocuments(docs);
  EXPECT_TRUE(corpus.ok()) << corpus.status();
  PipelineOptions options;
  options.boilerplate_df = boilerplate_df;
  options.min_weighted_jaccard = min_weighted;
  options.boilerplate_whole_corpus = whole_corpus;
  options.threads = threads;
  auto result = RunPipeline(**corpus, options);
  EXPECT_TRUE(result.ok()) << result.status();
  return *std::move(result);
}

bool HasPair(const PipelineResult& r, uint32_t a, uint32_t b) {
  for (const ScoredPair& p : r.pairs) {
    if (p.a == a && p.b == b) return true;
  }
  return false;
}

TEST(Boilerplate, OffByDefaultAndNoWeightedScores) {
  const PipelineResult r = ClusterWith(MakeCorpus(), 0, 0, 2);
  EXPECT_TRUE(r.weighted_jaccard.empty());
  EXPECT_TRUE(HasPair(r, 0, 1));    // Cables share their formula.
  EXPECT_TRUE(HasPair(r, 40, 41));  // The copy.
}

// A cable's formula turns boilerplate at its (D + 1)-th cable, document D:
// pairs whose later cable comes before it still share it, every later pair
// has only its short item left.
TEST(Boilerplate, TemplatePairsLoseTheirLinkOnceFrequentAndCopiesKeepIt) {
  constexpr uint32_t kDf = 20;
  const auto docs = MakeCorpus();
  const PipelineResult plain = ClusterWith(docs, kDf, 0, 2);
  ASSERT_EQ(plain.weighted_jaccard.size(), plain.pairs.size());
  int early = 0, late = 0;
  for (size_t i = 0; i < plain.pairs.size(); ++i) {
    const ScoredPair& p = plain.pairs[i];
    const double w = plain.weighted_jaccard[i];
    EXPECT_GE(w, 0);
    EXPECT_LE(w, 1);
    if (p.b < 40) {
      if (p.b < kDf) {
        ++early;
        EXPECT_GT(w, 0.5) << p.a << " " << p.b;
      } else {
        ++late;
        EXPECT_LT(w, 0.2) << p.a << " " << p.b;
      }
    }
    if (p.a == 40 && p.b == 41) {
      EXPECT_GT(w, 0.6);
    }
  }
  EXPECT_EQ(early, kDf * (kDf - 1) / 2);
  EXPECT_EQ(late, 40 * 39 / 2 - kDf * (kDf - 1) / 2);
  // Counted over the whole input, the formula is boilerplate for the first
  // cables too.
  const PipelineResult whole = ClusterWith(docs, kDf, 0, 2, true);
  for (size_t i = 0; i < whole.pairs.size(); ++i) {
    if (whole.pairs[i].b < 40) {
      EXPECT_LT(whole.weighted_jaccard[i], 0.2)
          << whole.pairs[i].a << " " << whole.pairs[i].b;
    }
  }
  const PipelineResult cut = ClusterWith(docs, kDf, 0.3, 2);
  EXPECT_TRUE(HasPair(cut, 0, 1));
  EXPECT_FALSE(HasPair(cut, 0, kDf));
  EXPECT_FALSE(HasPair(cut, kDf, kDf + 1));
  EXPECT_TRUE(HasPair(cut, 40, 41));
  for (double w : cut.weighted_jaccard) EXPECT_GE(w, 0.3);
  // Jaccard stays the plain exact value.
  for (const ScoredPair& p : cut.pairs) {
    for (const ScoredPair& q : plain.pairs) {
      if (p.a == q.a && p.b == q.b) {
        EXPECT_EQ(p.jaccard, q.jaccard);
      }
    }
  }
}

// Every weighted score equals a brute-force count: the documents up to the
// later of the two (or, with boilerplate_whole_corpus, all of them) holding
// each fingerprint (high 32 bits of a shingle hash).
TEST(Boilerplate, WeightedScoresEqualABruteForceCount) {
  const auto docs = MakeCorpus();
  for (const auto& [df, whole_corpus] : std::vector<std::pair<uint32_t, bool>>{
           {3, false}, {20, false}, {39, false}, {20, true}}) {
    SCOPED_TRACE(whole_corpus);
    const PipelineResult r = ClusterWith(docs, df, 0, 2, whole_corpus);
    ASSERT_EQ(r.weighted_jaccard.size(), r.pairs.size());
    auto normalizer = Normalizer::Create({});
    ASSERT_TRUE(normalizer.ok());
    std::vector<std::vector<uint64_t>> sets;
    for (const auto& [id, text] : docs) {
      NormalizedText normalized;
      normalizer->Normalize(text, &normalized);
      std::vector<uint64_t> hashes;
      HashShingles(normalized.code_points, {.ngram = 5}, &hashes);
      SortUnique(&hashes);
      sets.push_back(std::move(hashes));
    }
    // Each fingerprint's holders, in document order.
    std::map<uint64_t, std::vector<uint32_t>> holders_of;
    for (uint32_t d = 0; d < sets.size(); ++d) {
      std::vector<uint64_t> f;
      for (uint64_t h : sets[d]) f.push_back(h >> 32);
      SortUnique(&f);
      for (uint64_t x : f) holders_of[x].push_back(d);
    }
    auto holders = [&](uint64_t fingerprint, uint32_t later) {
      const std::vector<uint32_t>& docs_holding = holders_of[fingerprint];
      return std::upper_bound(docs_holding.begin(), docs_holding.end(), later) -
             docs_holding.begin();
    };
    ASSERT_FALSE(r.pairs.empty());
    for (size_t i = 0; i < r.pairs.size(); ++i) {
      const ScoredPair& p = r.pairs[i];
      std::vector<uint64_t> both;
      std::set_union(sets[p.a].begin(), sets[p.a].end(), sets[p.b].begin(),
                     sets[p.b].end(), std::back_inserter(both));
      uint64_t common = 0, all = 0;
      for (uint64_t h : both) {
        const uint32_t up_to =
            whole_corpus ? static_cast<uint32_t>(docs.size() - 1) : p.b;
        if (holders(h >> 32, up_to) > static_cast<ptrdiff_t>(df)) continue;
        ++all;
        common += std::binary_search(sets[p.a].begin(), sets[p.a].end(), h) &&
                  std::binary_search(sets[p.b].begin(), sets[p.b].end(), h);
      }
      const double expected =
          all == 0 ? 0.0 : static_cast<double>(common) / all;
      EXPECT_DOUBLE_EQ(r.weighted_jaccard[i], expected)
          << "df " << df << ", pair " << p.a << " " << p.b;
    }
  }
}

TEST(Boilerplate, SameScoresForAnyThreadCount) {
  const auto docs = MakeCorpus();
  const PipelineResult one = ClusterWith(docs, 20, 0.1, 1);
  const PipelineResult three = ClusterWith(docs, 20, 0.1, 3);
  ASSERT_EQ(one.pairs.size(), three.pairs.size());
  EXPECT_EQ(one.weighted_jaccard, three.weighted_jaccard);
}

// Three formulas' cables (80 each) interleaved with stories, their light
// copies and other articles: 600 documents, so that an index batch works in
// two blocks and a formula turns frequent inside a block.
std::vector<std::pair<std::string, std::string>> MakeFeed() {
  Rng rng(11);
  std::vector<std::string> formulas;
  for (int f = 0; f < 3; ++f) {
    formulas.push_back(GenerateArticle(rng, Language::kEnglish, 3));
  }
  std::vector<std::pair<std::string, std::string>> docs;
  std::string story;
  for (int i = 0; i < 600; ++i) {
    const int kind = i % 10;
    if (kind < 4) {
      docs.emplace_back(
          absl::StrCat("cable-", i),
          absl::StrCat(formulas[i % 3], "\n\n",
                       GenerateArticle(rng, Language::kEnglish, 1)));
    } else if (kind < 6) {
      story = GenerateArticle(rng, Language::kArabic, 5);
      docs.emplace_back(absl::StrCat("story-", i), story);
    } else if (kind < 8) {
      docs.emplace_back(absl::StrCat("copy-", i),
                        EditToJaccard(story, 0.85, 5, rng));
    } else {
      docs.emplace_back(absl::StrCat("other-", i),
                        GenerateArticle(rng, Language::kArabic, 5));
    }
  }
  return docs;
}

// (older id, newer id) -> weighted Jaccard.
using WeightedPairs = std::map<std::pair<std::string, std::string>, double>;

// An index with boilerplate scoring, fed the documents in order, links the
// pairs `neardup cluster` links at the same options, with the same weighted
// scores: one at a time, and as a prescreened batch of two blocks, then
// compacted, added to, reopened and added to.
TEST(BoilerplateIndex, LinksAndScoresWhatClusterDoes) {
  namespace fs = std::filesystem;
  const auto docs = MakeFeed();
  auto corpus = Corpus::FromDocuments(docs);
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  const fs::path dir = fs::temp_directory_path() /
                       absl::StrCat("neardup_boilerplate_index_", getpid());
  for (double min_weighted : {0.0, 0.3}) {
    SCOPED_TRACE(min_weighted);
    PipelineOptions batch_options;
    batch_options.threshold = 0.5;
    batch_options.boilerplate_df = 20;
    batch_options.min_weighted_jaccard = min_weighted;
    batch_options.threads = 2;
    batch_options.cluster = {.linkage = Linkage::kSingle,
                             .keep = KeepPolicy::kFirst};
    auto batch = RunPipeline(**corpus, batch_options);
    ASSERT_TRUE(batch.ok()) << batch.status();
    WeightedPairs batch_pairs;
    size_t cut = 0;
    for (size_t i = 0; i < batch->pairs.size(); ++i) {
      const ScoredPair& p = batch->pairs[i];
      batch_pairs[{docs[p.a].first, docs[p.b].first}] =
          batch->weighted_jaccard[i];
      cut += batch->weighted_jaccard[i] < p.jaccard - 0.2;
    }
    // The formulas turned boilerplate for most cable pairs.
    ASSERT_GT(batch_pairs.size(), 100u);
    if (min_weighted == 0) {
      EXPECT_GT(cut, 1000u);
    }

    IndexOptions options;
    options.threshold = 0.5;
    options.boilerplate_df = 20;
    options.min_weighted_jaccard = min_weighted;
    for (bool one_at_a_time : {true, false}) {
      SCOPED_TRACE(one_at_a_time ? "Add" : "batch, compacted, reopened");
      fs::remove_all(dir);
      ASSERT_TRUE(Index::Create(dir.string(), options).ok());
      auto index = Index::Open(dir.string(), {});
      ASSERT_TRUE(index.ok()) << index.status();
      EXPECT_EQ((*index)->stats().format_version,
                kBoilerplateIndexFormatVersion);
      WeightedPairs index_pairs;
      auto add = [&](size_t i) {
        auto d = (*index)->Add(docs[i].first, docs[i].second,
                               {.max_matches = 100000, .sync = false});
        ASSERT_TRUE(d.ok()) << d.status();
        for (const IndexMatch& m : d->matches) {
          index_pairs[{m.id, docs[i].first}] = m.weighted_jaccard;
        }
      };
      if (one_at_a_time) {
        for (size_t i = 0; i < docs.size(); ++i) add(i);
      } else {
        constexpr size_t kFirst = 560;  // Two blocks of a batch.
        for (const auto& m : testing::DecisionWeightedPairs(
                 testing::AddFirstAsBatch(**index, docs, kFirst))) {
          index_pairs[{m.older, m.newer}] = m.weighted;
        }
        ASSERT_TRUE((*index)->Compact().ok());
        for (size_t i = kFirst; i < kFirst + 20; ++i) add(i);
        ASSERT_TRUE((*index)->Sync().ok());
        // The rest after a reopen, which counts the snapshot's documents
        // and the log's again.
        index->reset();
        index = Index::Open(dir.string(), {});
        ASSERT_TRUE(index.ok()) << index.status();
        for (size_t i = kFirst + 20; i < docs.size(); ++i) add(i);
      }
      std::vector<std::string> only_batch, only_index, far;
      for (const auto& [pair, weighted] : batch_pairs) {
        auto it = index_pairs.find(pair);
        if (it == index_pairs.end()) {
          only_batch.push_back(absl::StrCat(pair.first, "/", pair.second));
        } else if (std::abs(it->second - weighted) > 1e-3) {
          far.push_back(absl::StrCat(pair.first, "/", pair.second, " ",
                                     weighted, " ", it->second));
        }
      }
      for (const auto& [pair, weighted] : index_pairs) {
        if (!batch_pairs.contains(pair)) {
          only_index.push_back(absl::StrCat(pair.first, "/", pair.second));
        }
      }
      EXPECT_THAT(only_batch, ::testing::IsEmpty());
      EXPECT_THAT(only_index, ::testing::IsEmpty());
      EXPECT_THAT(far, ::testing::IsEmpty());
      index->reset();
    }
  }
  fs::remove_all(dir);
}

// Removed documents stop counting: an index after removals scores a query
// as a fresh index of the survivors does, and so it does once compacted,
// reopened from its log or snapshot, or opened read-only.
TEST(BoilerplateIndex, RemovedDocumentsStopCounting) {
  namespace fs = std::filesystem;
  const auto docs = MakeCorpus();  // Cables 0..39, then a story and others.
  const fs::path dir = fs::temp_directory_path() /
                       absl::StrCat("neardup_boilerplate_remove_", getpid());
  const fs::path fresh_dir = dir.string() + "-fresh";
  IndexOptions options;
  options.threshold = 0.5;
  options.boilerplate_df = 10;
  // Removing every odd cable below 30 leaves 25 of 40 cables: with the
  // query, 26 hold the formula and it stays boilerplate. Removing the first
  // 31 leaves 9: with the query 10, and it is boilerplate no more.
  for (int removed : {15, 31}) {
    SCOPED_TRACE(removed);
    fs::remove_all(dir);
    fs::remove_all(fresh_dir);
    ASSERT_TRUE(Index::Create(dir.string(), options).ok());
    ASSERT_TRUE(Index::Create(fresh_dir.string(), options).ok());
    std::vector<std::string> gone;
    for (int i = 0; i < removed; ++i) {
      gone.push_back(docs[removed == 15 ? 2 * i + 1 : i].first);
    }
    auto is_gone = [&](const std::string& id) {
      return std::find(gone.begin(), gone.end(), id) != gone.end();
    };
    // A new cable of the same formula.
    const std::string query = absl::StrCat(
        docs[0].second.substr(0, docs[0].second.rfind("\n\n")),
        "\n\nA short item about the weather in the north of the country.");
    // The matches and their scores; cluster names differ, since removed
    // founders keep naming their clusters.
    auto describe = [&](const Index& index) {
      auto decision = index.Query("new-cable", query, 1000);
      EXPECT_TRUE(decision.ok()) << decision.status();
      std::string matches;
      for (const IndexMatch& m : decision->matches) {
        absl::StrAppend(&matches, m.id, ":", m.jaccard, ":", m.containment, ":",
                        m.weighted_jaccard, " ");
      }
      return matches;
    };
    auto decide = [&](const fs::path& d, bool read_only) {
      auto index = Index::Open(d.string(), {.read_only = read_only});
      EXPECT_TRUE(index.ok()) << index.status();
      return describe(**index);
    };
    std::string expected;
    {
      auto index = Index::Open(dir.string(), {});
      auto fresh = Index::Open(fresh_dir.string(), {});
      ASSERT_TRUE(index.ok() && fresh.ok());
      for (const auto& [id, text] : docs) {
        ASSERT_TRUE((*index)->Add(id, text, {.sync = false}).ok());
        if (!is_gone(id)) {
          ASSERT_TRUE((*fresh)->Add(id, text, {.sync = false}).ok());
        }
      }
      for (const std::string& id : gone) {
        ASSERT_TRUE((*index)->Remove(id).ok());
      }
      ASSERT_TRUE((*index)->Sync().ok());
      ASSERT_TRUE((*fresh)->Sync().ok());
      expected = describe(**fresh);
      EXPECT_EQ(describe(**index), expected);  // Counted down as removed.
    }
    EXPECT_NE(expected.find("cable-"), std::string::npos) << expected;
    EXPECT_EQ(decide(dir, false), expected);  // From the log.
    EXPECT_EQ(decide(dir, true), expected);
    {
      auto index = Index::Open(dir.string(), {});
      ASSERT_TRUE(index.ok());
      ASSERT_TRUE((*index)->Compact().ok());
    }
    EXPECT_EQ(decide(dir, false), expected);  // From the snapshot.
    EXPECT_EQ(decide(dir, true), expected);
    // The formula is still boilerplate with 25 holders left, not with 10.
    auto index = Index::Open(dir.string(), {.read_only = true});
    ASSERT_TRUE(index.ok());
    auto decision = (*index)->Query("new-cable", query, 1000);
    ASSERT_TRUE(decision.ok());
    ASSERT_FALSE(decision->matches.empty());
    for (const IndexMatch& m : decision->matches) {
      ASSERT_EQ(m.id.rfind("cable-", 0), 0u) << m.id;
      if (removed == 15) {
        EXPECT_LT(m.weighted_jaccard, m.jaccard - 0.3) << m.id;
      } else {
        EXPECT_DOUBLE_EQ(m.weighted_jaccard, m.jaccard) << m.id;
      }
    }
  }
  fs::remove_all(dir);
  fs::remove_all(fresh_dir);
}

TEST(BoilerplateIndex, OptionsAreStoredAndValidated) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() /
                       absl::StrCat("neardup_boilerplate_options_", getpid());
  fs::remove_all(dir);
  IndexOptions options;
  options.min_weighted_jaccard = 0.2;  // Without boilerplate_df.
  EXPECT_EQ(Index::Create(dir.string(), options).code(),
            absl::StatusCode::kInvalidArgument);
  options.boilerplate_df = 7;
  options.min_weighted_jaccard = 1.5;
  EXPECT_EQ(Index::Create(dir.string(), options).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(dir));
  for (double containment : {0.0, 0.8}) {
    fs::remove_all(dir);
    options.containment = containment;
    options.min_weighted_jaccard = 0.25;
    ASSERT_TRUE(Index::Create(dir.string(), options).ok());
    auto index = Index::Open(dir.string(), {});
    ASSERT_TRUE(index.ok()) << index.status();
    EXPECT_EQ((*index)->options().boilerplate_df, 7u);
    EXPECT_EQ((*index)->options().min_weighted_jaccard, 0.25);
    EXPECT_EQ((*index)->options().containment, containment);
    EXPECT_EQ((*index)->stats().format_version, kBoilerplateIndexFormatVersion);
    auto d = (*index)->Add("a", "one two three four five six seven", {});
    ASSERT_TRUE(d.ok());
    d = (*index)->Add("b", "one two three four five six seven", {});
    ASSERT_TRUE(d.ok());
    ASSERT_EQ(d->matches.size(), 1u);
    EXPECT_EQ(d->matches[0].weighted_jaccard, 1.0);  // Two holders of 7.
  }
  // Without boilerplate scoring, matches carry no weighted score.
  fs::remove_all(dir);
  ASSERT_TRUE(Index::Create(dir.string(), IndexOptions{}).ok());
  auto index = Index::Open(dir.string(), {});
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)->stats().format_version, kContainmentIndexFormatVersion);
  ASSERT_TRUE((*index)->Add("a", "one two three four five six seven", {}).ok());
  auto d = (*index)->Add("b", "one two three four five six seven", {});
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->matches.size(), 1u);
  EXPECT_EQ(d->matches[0].weighted_jaccard, -1);
  index->reset();
  fs::remove_all(dir);
}

TEST(Boilerplate, OptionsAreValidated) {
  PipelineOptions options;
  options.min_weighted_jaccard = 0.2;  // Without boilerplate_df.
  EXPECT_FALSE(ValidatePipelineOptions(options).ok());
  options.boilerplate_df = 10;
  EXPECT_TRUE(ValidatePipelineOptions(options).ok());
  options.min_weighted_jaccard = 1.5;
  EXPECT_FALSE(ValidatePipelineOptions(options).ok());
  options.min_weighted_jaccard = 0;
  options.boilerplate_whole_corpus = true;
  EXPECT_TRUE(ValidatePipelineOptions(options).ok());
  options.boilerplate_df = 0;  // Whole corpus without a cut.
  EXPECT_FALSE(ValidatePipelineOptions(options).ok());
}

}  // namespace
}  // namespace neardup
