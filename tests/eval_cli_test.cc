// End-to-end tests of `neardup eval` and `neardup tune`, run as a user runs
// them, on generated corpora whose true pairs come from the brute-force
// reference (tests/support/generator.h), and on ../shared/data when present.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "neardup/corpus.h"
#include "neardup/exact_search.h"
#include "neardup/lsh.h"
#include "neardup/minhash.h"
#include "neardup/pipeline.h"
#include "simdjson.h"
#include "src/internal/json_writer.h"
#include "tests/support/cli_harness.h"
#include "tests/support/generator.h"
#include "tests/support/labelled_data.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;
using ::neardup::testing::BruteForceJaccard;
using ::neardup::testing::BruteForcePairs;
using ::neardup::testing::CorpusSpec;
using ::neardup::testing::GeneratedDoc;
using ::neardup::testing::TruePair;
using ::testing::HasSubstr;

using ::neardup::testing::Lines;
using ::neardup::testing::ReadAll;
using ::neardup::testing::RunResult;
using ::neardup::testing::WriteAll;

class EvalCliTest : public ::neardup::testing::CliFixture {
 protected:
  // An easy corpus: every copy within [0.85, 1] of its original, so copies
  // of one story are far above 0.5 and stories far below it.
  void WriteEasyCorpus() {
    CorpusSpec spec;
    spec.stories = 30;
    spec.max_copies = 3;
    spec.min_similarity = 0.85;
    spec.max_paragraphs = 4;
    spec.seed = 21;
    docs_ = testing::GenerateCorpus(spec);
    std::string jsonl;
    for (const GeneratedDoc& d : docs_) {
      jsonl += "{\"id\":";
      internal::AppendJsonString(d.id, &jsonl);
      jsonl += ",\"text\":";
      internal::AppendJsonString(d.text, &jsonl);
      jsonl += "}\n";
    }
    WriteAll(dir_ / "corpus.jsonl", jsonl);
  }

  std::vector<GeneratedDoc> docs_;
  simdjson::dom::parser parser_;
};

TEST_F(EvalCliTest, ExactTruthGivesFullRecallOnAnEasyCorpus) {
  WriteEasyCorpus();
  RunResult r =
      Run("eval --exact --normalize none --threshold 0.5 --sweep 0.5,0.7,0.9 "
          "--json --quiet corpus.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::element report;
  ASSERT_EQ(parser_.parse(r.out).get(report), simdjson::SUCCESS) << r.out;
  EXPECT_EQ(report["documents"].get_uint64().value(), docs_.size());
  // The truth is the brute-force pair set, independently computed.
  const std::vector<TruePair> want = BruteForcePairs(docs_, 5, 0.5);
  ASSERT_GT(want.size(), 10u);
  EXPECT_EQ(report["truth"]["pairs"].get_uint64().value(), want.size());
  simdjson::dom::element result = report["result"];
  EXPECT_EQ(result["true_pairs"].get_uint64().value(), want.size());
  EXPECT_EQ(result["recall"].get_double().value(), 1.0);
  EXPECT_EQ(result["precision"].get_double().value(), 1.0);
  EXPECT_EQ(result["missed_pairs"].get_uint64().value(), 0u);
  EXPECT_GE(result["candidates_per_true_pair"].get_double().value(), 1.0);
  simdjson::dom::array sweep = report["sweep"].get_array();
  ASSERT_EQ(sweep.size(), 3u);
  size_t i = 0;
  for (double t : {0.5, 0.7, 0.9}) {
    simdjson::dom::element run = sweep.at(i++);
    EXPECT_EQ(run["threshold"].get_double().value(), t);
    size_t expected = 0;
    for (const TruePair& p : want) expected += p.jaccard >= t;
    EXPECT_EQ(run["true_pairs"].get_uint64().value(), expected) << t;
    EXPECT_EQ(run["recall"].get_double().value(), 1.0) << t;
  }
}

TEST_F(EvalCliTest, TruthFileFromBruteForceAgreesWithTheEngine) {
  WriteEasyCorpus();
  std::string tsv;
  for (const TruePair& p : BruteForcePairs(docs_, 5, 0.5)) {
    absl::StrAppend(&tsv, docs_[p.a].id, "\t", docs_[p.b].id, "\t",
                    absl::StrFormat("%.4f", p.jaccard), "\n");
  }
  WriteAll(dir_ / "truth.tsv", tsv);
  // The easy corpus has no pair below 0.8, so the file's lowest value does
  // not show its floor: say it.
  RunResult r =
      Run("eval --truth truth.tsv --truth-floor 0.5 --normalize none --json "
          "--quiet --plot curve.svg corpus.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::element report;
  ASSERT_EQ(parser_.parse(r.out).get(report), simdjson::SUCCESS) << r.out;
  EXPECT_EQ(report["truth"]["floor"].get_double().value(), 0.5);
  EXPECT_EQ(report["result"]["recall"].get_double().value(), 1.0);
  // The default sweep is 0.5 to 0.95 by 0.05.
  EXPECT_EQ(report["sweep"].get_array().size(), 10u);
  const std::string svg = ReadAll(dir_ / "curve.svg");
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_THAT(svg, HasSubstr("</svg>"));
  EXPECT_THAT(svg, HasSubstr("recall (exact pairs)"));
  // Without --truth-floor the floor is the lowest listed value, rounded
  // down to 0.01, and the sweep starts there.
  r =
      Run("eval --truth truth.tsv --normalize none --threshold 0.95 --json "
          "--quiet corpus.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(parser_.parse(r.out).get(report), simdjson::SUCCESS) << r.out;
  double lowest = 1;
  for (const TruePair& p : BruteForcePairs(docs_, 5, 0.5)) {
    lowest = std::min(lowest, p.jaccard);
  }
  const double floor = report["truth"]["floor"].get_double().value();
  EXPECT_LE(floor, lowest);
  EXPECT_GT(floor, lowest - 0.01);
  for (simdjson::dom::element run : report["sweep"].get_array()) {
    EXPECT_GE(run["threshold"].get_double().value(), floor);
  }
}

TEST_F(EvalCliTest, LabelsGiveF1AndTheBestThreshold) {
  WriteEasyCorpus();
  // Copies of one story are "copy", pairs across stories "distinct".
  std::string tsv = "# idA\tidB\tlabel\n";
  double lowest_copy = 1, highest_distinct = 0;
  int copies = 0, distinct = 0;
  for (size_t a = 0; a < docs_.size(); ++a) {
    for (size_t b = a + 1; b < docs_.size(); b += 7) {
      const bool copy = docs_[a].story == docs_[b].story;
      const double j = BruteForceJaccard(docs_[a].text, docs_[b].text, 5);
      if (copy) {
        lowest_copy = std::min(lowest_copy, j);
        ++copies;
      } else {
        highest_distinct = std::max(highest_distinct, j);
        ++distinct;
      }
      absl::StrAppend(&tsv, docs_[a].id, "\t", docs_[b].id, "\t",
                      copy ? "copy" : "distinct", "\n");
    }
  }
  ASSERT_GT(copies, 3);
  ASSERT_LT(highest_distinct, lowest_copy);
  WriteAll(dir_ / "labels.tsv", tsv);
  // Jaccard alone first: the best threshold is then a Jaccard value.
  RunResult r =
      Run("eval --labels labels.tsv --normalize none --threshold 0.5 "
          "--containment 0 --no-sweep --json --quiet --plot labels.svg "
          "corpus.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::element report;
  ASSERT_EQ(parser_.parse(r.out).get(report), simdjson::SUCCESS) << r.out;
  simdjson::dom::element labels = report["labels"];
  EXPECT_EQ(labels["pairs"].get_uint64().value(),
            static_cast<uint64_t>(copies + distinct));
  EXPECT_EQ(labels["copies"].get_uint64().value(),
            static_cast<uint64_t>(copies));
  EXPECT_EQ(labels["engine"]["f1"].get_double().value(), 1.0);
  simdjson::dom::element best = labels["best_threshold"];
  EXPECT_EQ(best["metrics"]["f1"].get_double().value(), 1.0);
  // The best threshold is the lowest copy's similarity, and everything down
  // to the highest distinct pair decides the same (6 decimals in JSON).
  EXPECT_NEAR(best["threshold"].get_double().value(), lowest_copy, 1e-6);
  EXPECT_NEAR(best["open_below"].get_double().value(), highest_distinct, 1e-6);
  EXPECT_THAT(ReadAll(dir_ / "labels.svg"), HasSubstr("F1 (labels, exact J)"));

  // With containment linking (the default), the report says so and the
  // engine, which links by Jaccard or containment, still agrees with every
  // label.
  r =
      Run("eval --labels labels.tsv --normalize none --no-sweep --json --quiet "
          "corpus.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(parser_.parse(r.out).get(report), simdjson::SUCCESS) << r.out;
  EXPECT_EQ(report["options"]["containment"].get_double().value(),
            PipelineOptions{}.containment);
  EXPECT_EQ(report["labels"]["containment"].get_double().value(),
            PipelineOptions{}.containment);
  EXPECT_EQ(report["labels"]["engine"]["f1"].get_double().value(), 1.0);

  r = Run("eval --labels labels.tsv --containment 1.5 corpus.jsonl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--containment"));

  // Boilerplate scoring reaches the engine: with D = 1 every shingle two
  // copies share is boilerplate, so no copy keeps a weighted Jaccard of 0.5.
  r =
      Run("eval --labels labels.tsv --normalize none --no-sweep --json --quiet "
          "--boilerplate-df 1 --min-weighted-jaccard 0.5 corpus.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(parser_.parse(r.out).get(report), simdjson::SUCCESS) << r.out;
  EXPECT_EQ(report["options"]["boilerplate_df"].get_uint64().value(), 1u);
  EXPECT_EQ(report["labels"]["engine"]["true_positives"].get_uint64().value(),
            0u);
  r = Run("eval --labels labels.tsv --min-weighted-jaccard 0.5 corpus.jsonl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err,
              HasSubstr("--min-weighted-jaccard needs --boilerplate-df"));
}

TEST_F(EvalCliTest, BadLabelLineExitsTwoNamingFileAndLine) {
  WriteEasyCorpus();
  WriteAll(dir_ / "labels.tsv",
           absl::StrCat(docs_[0].id, "\t", docs_[1].id, "\tcopy\n", docs_[0].id,
                        "\t", docs_[2].id, "\tdistinct\n", docs_[0].id,
                        "\tno-such-id\tcopy\n"));
  RunResult r = Run("eval --labels labels.tsv --quiet corpus.jsonl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("labels.tsv:3:"));
  EXPECT_THAT(r.err, HasSubstr("no-such-id"));
  EXPECT_TRUE(r.out.empty());
  WriteAll(dir_ / "labels.tsv",
           absl::StrCat(docs_[0].id, "\t", docs_[1].id, "\tsame\n"));
  r = Run("eval --labels labels.tsv --quiet corpus.jsonl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("labels.tsv:1:"));
}

TEST_F(EvalCliTest, RefusesToRunWithNothingToMeasure) {
  WriteEasyCorpus();
  RunResult r = Run("eval corpus.jsonl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--exact"));
  r = Run("eval --exact --truth x.tsv corpus.jsonl");
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(EvalCliTest, StoryClustersAgreeWithTheEngine) {
  WriteEasyCorpus();
  std::string jsonl;
  for (const GeneratedDoc& d : docs_) {
    absl::StrAppend(&jsonl, "{\"id\": \"", d.id, "\", \"cluster\": ", d.story,
                    "}\n");
  }
  WriteAll(dir_ / "clusters.jsonl", jsonl);
  // At 0.5 every copy links to its original and no two stories link (the
  // brute-force pairs say so), so the engine's clusters are the stories.
  for (const TruePair& p : BruteForcePairs(docs_, 5, 0.5)) {
    ASSERT_EQ(docs_[p.a].story, docs_[p.b].story);
  }
  RunResult r = Run(
      "eval --truth-clusters clusters.jsonl --normalize none --threshold 0.5 "
      "--no-sweep --json --quiet corpus.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::element report;
  ASSERT_EQ(parser_.parse(r.out).get(report), simdjson::SUCCESS) << r.out;
  EXPECT_EQ(report["clusters"]["adjusted_rand_index"].get_double().value(),
            1.0);
  EXPECT_EQ(report["clusters"]["pairwise"]["f1"].get_double().value(), 1.0);
}

TEST_F(EvalCliTest, HumanReadableReportNamesTheMainNumbers) {
  WriteEasyCorpus();
  RunResult r = Run("eval --exact --normalize none corpus.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("recall"));
  EXPECT_THAT(r.out, HasSubstr("precision"));
  EXPECT_THAT(r.out, HasSubstr("candidates"));
  EXPECT_THAT(r.out, HasSubstr("Time: load"));
}

TEST_F(EvalCliTest, RefusesAnOutputThatIsAnInputOrAnotherOutput) {
  WriteEasyCorpus();
  std::string truth;
  for (const TruePair& p : BruteForcePairs(docs_, 5, 0.5)) {
    absl::StrAppend(&truth, docs_[p.a].id, "\t", docs_[p.b].id, "\t",
                    absl::StrFormat("%.4f", p.jaccard), "\n");
  }
  // Every file a run reads, with its contents.
  const std::vector<std::pair<std::string, std::string>> inputs = {
      {"corpus.jsonl", ReadAll(dir_ / "corpus.jsonl")},
      {"truth.tsv", truth},
      {"labels.tsv", absl::StrCat(docs_[0].id, "\t", docs_[1].id, "\tcopy\n")},
      {"clusters.jsonl",
       absl::StrCat("{\"id\": \"", docs_[0].id, "\", \"cluster\": 1}\n")},
  };
  struct Case {
    std::string args;
    std::string flag;  // The output the error names.
  };
  for (const Case& c : std::vector<Case>{
           {"--exact --plot corpus.jsonl", "--plot"},
           {"--exact --plot ./corpus.jsonl", "--plot"},
           {"--exact --write-truth corpus.jsonl", "--write-truth"},
           {"--truth truth.tsv --truth-floor 0.5 --plot truth.tsv", "--plot"},
           {"--labels labels.tsv --plot labels.tsv", "--plot"},
           {"--truth-clusters clusters.jsonl --plot clusters.jsonl", "--plot"},
           {"--exact --write-truth q.svg --plot q.svg", "--plot"},
       }) {
    for (const auto& [name, contents] : inputs) WriteAll(dir_ / name, contents);
    RunResult r = Run(absl::StrCat("eval --quiet --normalize none ", c.args,
                                   " corpus.jsonl"));
    EXPECT_EQ(r.exit_code, 2) << c.args;
    EXPECT_THAT(r.err, HasSubstr(c.flag)) << c.args;
    EXPECT_TRUE(r.out.empty()) << c.args;
    // Nothing was overwritten, nor written.
    for (const auto& [name, contents] : inputs) {
      EXPECT_TRUE(ReadAll(dir_ / name) == contents) << c.args << ": " << name;
    }
    EXPECT_FALSE(fs::exists(dir_ / "q.svg")) << c.args;
  }
}

TEST_F(EvalCliTest, RefusesStandardOutputForThePlotAndTheTruth) {
  WriteEasyCorpus();
  for (const std::string flag : {"--plot", "--write-truth"}) {
    for (const std::string json : {"", " --json"}) {
      RunResult r = Run(absl::StrCat("eval --exact --quiet --no-sweep ", flag,
                                     " -", json, " corpus.jsonl"));
      EXPECT_EQ(r.exit_code, 2) << flag << json;
      EXPECT_THAT(r.err, HasSubstr(absl::StrCat(flag, " -")));
      EXPECT_THAT(r.err, HasSubstr("name a file"));
      EXPECT_TRUE(r.out.empty()) << flag << json;
    }
  }
}

TEST_F(EvalCliTest, WrittenTruthReadsBackWithTheFloorItWasSearchedTo) {
  WriteEasyCorpus();
  // Every pair of the easy corpus is far above 0.5, so the file's lowest
  // value says nothing of the floor: only the file itself can.
  const std::vector<TruePair> want = BruteForcePairs(docs_, 5, 0.5);
  double lowest = 1;
  for (const TruePair& p : want) lowest = std::min(lowest, p.jaccard);
  ASSERT_GT(lowest, 0.6);
  RunResult r =
      Run("eval --exact --normalize none --quiet --json --write-truth t.tsv "
          "corpus.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> lines = Lines(ReadAll(dir_ / "t.tsv"));
  ASSERT_EQ(lines.size(), want.size() + 1);
  EXPECT_EQ(lines[0].rfind("# neardup exact pairs: jaccard >= 0.5 ", 0), 0u)
      << lines[0];
  // Defaults both times, as a user would run them.
  r = Run("eval --truth t.tsv --normalize none --quiet --json corpus.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::element report;
  ASSERT_EQ(parser_.parse(r.out).get(report), simdjson::SUCCESS) << r.out;
  EXPECT_EQ(report["truth"]["floor"].get_double().value(), 0.5);
  EXPECT_EQ(report["truth"]["pairs"].get_uint64().value(), want.size());
  EXPECT_EQ(report["result"]["true_pairs"].get_uint64().value(), want.size());
  EXPECT_EQ(report["result"]["recall"].get_double().value(), 1.0);
  EXPECT_EQ(report["sweep"].get_array().size(), 10u);

  // The floor is the lowest threshold evaluated, not --threshold.
  r =
      Run("eval --exact --normalize none --quiet --threshold 0.8 --sweep "
          "0.65,0.9 --write-truth t.tsv corpus.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(ReadAll(dir_ / "t.tsv"))[0].rfind(
                "# neardup exact pairs: jaccard >= 0.65 ", 0),
            0u);
  r = Run("eval --truth t.tsv --normalize none --quiet --json corpus.jsonl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("below the truth's floor 0.65"));
  r =
      Run("eval --truth t.tsv --normalize none --quiet --json --threshold 0.7 "
          "corpus.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(parser_.parse(r.out).get(report), simdjson::SUCCESS) << r.out;
  EXPECT_EQ(report["truth"]["floor"].get_double().value(), 0.65);
  // 0.5 to 0.6 are below the floor and skipped.
  EXPECT_EQ(report["sweep"].get_array().size(), 7u);
  // --truth-floor still has the last word.
  r = Run(
      "eval --truth t.tsv --truth-floor 0.75 --normalize none --quiet --json "
      "--threshold 0.8 corpus.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(parser_.parse(r.out).get(report), simdjson::SUCCESS) << r.out;
  EXPECT_EQ(report["truth"]["floor"].get_double().value(), 0.75);
}

// With containment linking on (the default), pairs linked by containment
// alone are not what the exact pairs measure, and the report leaves them
// out of "reported" as it does of precision and recall.
TEST_F(EvalCliTest, ReportedCountsTheJaccardLinksThatPrecisionMeasures) {
  const fs::path sample =
      fs::path(NEARDUP_SOURCE_DIR) / "tests/data/sample-news.jsonl";
  fs::copy_file(sample, dir_ / "news.jsonl");
  uint64_t reported_without_containment = 0;
  for (const std::string containment : {"0", "0.8"}) {
    RunResult r = Run(
        absl::StrCat("eval --exact --threshold 0.95 --no-sweep --quiet --json "
                     "--containment ",
                     containment, " news.jsonl"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    simdjson::dom::element report;
    ASSERT_EQ(parser_.parse(r.out).get(report), simdjson::SUCCESS) << r.out;
    simdjson::dom::element result = report["result"];
    const uint64_t reported = result["reported_pairs"].get_uint64().value();
    const uint64_t true_pairs = result["true_pairs"].get_uint64().value();
    const uint64_t missed = result["missed_pairs"].get_uint64().value();
    const uint64_t false_pairs = result["false_pairs"].get_uint64().value();
    ASSERT_GT(true_pairs, 5u);
    // Precision is (reported - false) / reported.
    EXPECT_EQ(reported, true_pairs - missed + false_pairs) << containment;
    if (containment == "0") reported_without_containment = reported;
    // Every true pair is found and nothing else, with or without
    // containment, so the Jaccard links are the same.
    EXPECT_EQ(result["recall"].get_double().value(), 1.0);
    EXPECT_EQ(result["precision"].get_double().value(), 1.0);
    EXPECT_EQ(reported, reported_without_containment) << containment;

    // The table says the same.
    r = Run(absl::StrCat(
        "eval --exact --threshold 0.95 --no-sweep --quiet --containment ",
        containment, " news.jsonl"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> row;
    for (const std::string& line : Lines(r.out)) {
      if (line.rfind("*     0.95", 0) == 0) {
        row = absl::StrSplit(line, ' ', absl::SkipEmpty());
      }
    }
    ASSERT_GE(row.size(), 9u) << r.out;
    // "*", threshold, bands, "x", rows, P(t), candidates, reported.
    EXPECT_EQ(row[7], absl::StrCat(reported)) << r.out;
  }
}

TEST_F(EvalCliTest, NoSweepAndSweepExcludeEachOther) {
  WriteEasyCorpus();
  RunResult r = Run("eval --exact --no-sweep --sweep 0.6 corpus.jsonl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--no-sweep"));
  EXPECT_THAT(r.err, HasSubstr("--sweep"));
  EXPECT_TRUE(r.out.empty());
}

// ---- tune ----

TEST_F(EvalCliTest, TuneChoiceMeetsItsRecallPromiseOnPaper) {
  for (double t : {0.5, 0.7, 0.8, 0.9, 0.95}) {
    for (int k : {64, 128, 256}) {
      RunResult r = Run(absl::StrFormat(
          "tune --threshold %.2f --num-perm %d --min-recall 0.99 --json", t,
          k));
      ASSERT_EQ(r.exit_code, 0) << r.err;
      simdjson::dom::element out;
      ASSERT_EQ(parser_.parse(r.out).get(out), simdjson::SUCCESS) << r.out;
      const int64_t b = out["bands"].get_int64().value();
      const int64_t rows = out["rows"].get_int64().value();
      EXPECT_LE(b * rows, k);
      // The S-curve, computed here from its definition.
      const double p = 1 - std::pow(1 - std::pow(t, rows), b);
      EXPECT_GE(p, 0.99) << t << " " << k << ": " << b << " x " << rows;
    }
  }
}

// Pairs of sets with Jaccard exactly t, sketched as the engine sketches them,
// become candidates under the chosen bands at least as often as promised.
TEST_F(EvalCliTest, TuneChoiceMeetsItsRecallPromiseOnSketches) {
  RunResult r = Run("tune --threshold 0.8 --num-perm 128 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::element out;
  ASSERT_EQ(parser_.parse(r.out).get(out), simdjson::SUCCESS) << r.out;
  const BandParams bands{static_cast<int>(out["bands"].get_int64().value()),
                         static_cast<int>(out["rows"].get_int64().value())};
  absl::StatusOr<MinHasher> hasher = MinHasher::Create({.num_perm = 128});
  ASSERT_TRUE(hasher.ok());
  testing::Rng rng(77);
  constexpr int kPairs = 2000;
  int found = 0;
  std::vector<uint32_t> sa(128), sb(128);
  for (int i = 0; i < kPairs; ++i) {
    // |A ∩ B| = 400, |A ∪ B| = 500: J = 0.8 exactly.
    std::vector<uint64_t> a, b;
    for (int j = 0; j < 400; ++j) {
      const uint64_t h = rng.Next();
      a.push_back(h);
      b.push_back(h);
    }
    for (int j = 0; j < 50; ++j) a.push_back(rng.Next());
    for (int j = 0; j < 50; ++j) b.push_back(rng.Next());
    hasher->Sketch(a, absl::MakeSpan(sa));
    hasher->Sketch(b, absl::MakeSpan(sb));
    for (int band = 0; band < bands.bands; ++band) {
      if (BandKey(sa, bands, band, kDefaultSeed) ==
          BandKey(sb, bands, band, kDefaultSeed)) {
        ++found;
        break;
      }
    }
  }
  // Promised 0.99 at J = t; the binomial standard error over 2,000 pairs is
  // 0.0022, so 0.98 is more than four errors below.
  EXPECT_GE(static_cast<double>(found) / kPairs, 0.98) << found;
}

TEST_F(EvalCliTest, TuneWritesAWellFormedPlotAndRejectsImpossibleSettings) {
  RunResult r = Run("tune -t 0.8 -k 128 --plot s.svg");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("16 bands x 6 rows"));
  EXPECT_THAT(r.out, HasSubstr("<- threshold"));
  EXPECT_THAT(r.out, HasSubstr("takes the bands for J = 0.50 instead"));
  const std::string svg = ReadAll(dir_ / "s.svg");
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_THAT(svg, HasSubstr("t = 0.80"));
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  r = Run("tune -t 0.5 -k 1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("more permutations"));
  EXPECT_FALSE(fs::exists(dir_ / "x.svg"));
}

// ---- real data ----

// The exact search on the first 1,500 SaudiNewsNet articles agrees pair for
// pair with the shared ground truth restricted to them, and eval reports
// full recall against it.
TEST_F(EvalCliTest, SharedDataExactPairsMatchGroundTruth) {
  const fs::path data = fs::path(NEARDUP_SOURCE_DIR) / "../shared/data";
  const fs::path corpus_path = data / "saudinewsnet-dev.jsonl.zst";
  const fs::path truth_path = data / "saudinewsnet-dev.pairs-raw-j05.tsv";
  if (!fs::exists(corpus_path) || !fs::exists(truth_path)) {
    GTEST_SKIP() << "no ../shared/data (optional)";
  }
  auto full = LoadCorpus({corpus_path.string()}, {});
  ASSERT_TRUE(full.ok()) << full.status();
  constexpr size_t kDocs = 1500;
  std::string jsonl;
  std::map<std::string, uint32_t> index;
  for (size_t i = 0; i < kDocs && i < (*full)->size(); ++i) {
    absl::StrAppend(&jsonl, (*full)->Raw(i), "\n");
    index[std::string((*full)->Id(i))] = static_cast<uint32_t>(i);
  }
  WriteAll(dir_ / "subset.jsonl", jsonl);
  std::set<std::pair<uint32_t, uint32_t>> want;
  std::string subset_truth;
  std::ifstream in(truth_path);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    ASSERT_EQ(f.size(), 3u) << line;
    auto a = index.find(f[0]), b = index.find(f[1]);
    if (a == index.end() || b == index.end()) continue;
    want.insert(std::minmax(a->second, b->second));
    subset_truth += line + "\n";
  }
  ASSERT_GT(want.size(), 20u);
  WriteAll(dir_ / "truth.tsv", subset_truth);

  auto subset = LoadCorpus({(dir_ / "subset.jsonl").string()}, {});
  ASSERT_TRUE(subset.ok()) << subset.status();
  ExactSearchOptions options;
  options.normalize = NormalizeMode::kNone;
  options.threshold = 0.5;
  auto exact = FindSimilarDocuments(**subset, options);
  ASSERT_TRUE(exact.ok()) << exact.status();
  std::set<std::pair<uint32_t, uint32_t>> got;
  for (const ScoredPair& p : exact->pairs) got.insert({p.a, p.b});
  EXPECT_EQ(got, want);

  RunResult r =
      Run("eval --truth truth.tsv --normalize none --threshold 0.8 --no-sweep "
          "--json --quiet subset.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::element report;
  ASSERT_EQ(parser_.parse(r.out).get(report), simdjson::SUCCESS) << r.out;
  EXPECT_GE(report["result"]["recall"].get_double().value(), 0.95);
  EXPECT_EQ(report["result"]["precision"].get_double().value(), 1.0);
}

using ::neardup::testing::SaudiNewsNetDevLabelsPath;
using ::neardup::testing::SaudiNewsNetDevPath;

// The committed labelled set (tests/data/labels/) reads cleanly against the
// corpus it was drawn from: every id exists, every line is counted.
TEST_F(EvalCliTest, SharedDataLabelledSetLoads) {
  const fs::path corpus_path = SaudiNewsNetDevPath();
  const fs::path labels_path = SaudiNewsNetDevLabelsPath();
  if (!fs::exists(corpus_path) || !fs::exists(labels_path)) {
    GTEST_SKIP() << "no ../shared/data or no labelled set";
  }
  size_t lines = 0, copies = 0;
  std::ifstream in(labels_path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    ++lines;
    copies += absl::EndsWith(line, "\tcopy");
  }
  RunResult r = Run(absl::StrCat("eval --labels '", labels_path.string(),
                                 "' --no-sweep --json --quiet '",
                                 corpus_path.string(), "'"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::element report;
  ASSERT_EQ(parser_.parse(r.out).get(report), simdjson::SUCCESS) << r.out;
  EXPECT_EQ(report["labels"]["pairs"].get_uint64().value(), lines);
  EXPECT_EQ(report["labels"]["copies"].get_uint64().value(), copies);
  const double f1 =
      report["labels"]["best_threshold"]["metrics"]["f1"].get_double().value();
  EXPECT_GT(f1, 0.0);
  EXPECT_LE(f1, 1.0);
}

// docs/quality.md's boilerplate table, from the tool itself: on the dev
// labels the cut removes false copies and no true one, and counting over the
// whole input removes more than counting up to each pair's later document.
TEST_F(EvalCliTest, SharedDataBoilerplateCutRemovesFalseCopies) {
  const fs::path corpus_path = SaudiNewsNetDevPath();
  const fs::path labels_path = SaudiNewsNetDevLabelsPath();
  if (!fs::exists(corpus_path) || !fs::exists(labels_path)) {
    GTEST_SKIP() << "no ../shared/data or no labelled set";
  }
  auto engine = [&](const std::string& flags) {
    RunResult r = Run(absl::StrCat("eval --labels '", labels_path.string(),
                                   "' --no-sweep --json --quiet ", flags, " '",
                                   corpus_path.string(), "'"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    simdjson::dom::element report;
    EXPECT_EQ(parser_.parse(r.out).get(report), simdjson::SUCCESS) << r.out;
    simdjson::dom::element e = report["labels"]["engine"];
    return std::make_pair(e["true_positives"].get_uint64().value(),
                          e["false_positives"].get_uint64().value());
  };
  const auto plain = engine("");
  const auto prefix = engine("--boilerplate-df 25 --min-weighted-jaccard 0.05");
  const auto whole = engine(
      "--boilerplate-df 25 --min-weighted-jaccard 0.05 "
      "--boilerplate-whole-corpus");
  EXPECT_EQ(prefix.first, plain.first);
  EXPECT_EQ(whole.first, plain.first);
  EXPECT_LT(prefix.second, plain.second);
  EXPECT_LT(whole.second, prefix.second);
}

}  // namespace
}  // namespace neardup
