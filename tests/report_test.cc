// The syndication report's model (include/neardup/report.h), its dates,
// its HTML writer and its page.
#include "neardup/report.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "neardup/corpus.h"
#include "neardup/pipeline.h"
#include "simdjson.h"
#include "src/internal/html_writer.h"
#include "src/internal/iso_date.h"
#include "src/internal/json_writer.h"
#include "src/internal/svg.h"
#include "src/internal/thousands.h"

namespace neardup {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

int64_t Seconds(int year, int month, int day, int h = 0, int m = 0, int s = 0) {
  return internal::DaysFromCivil(year, month, day) * 86400 + h * 3600 + m * 60 +
         s;
}

// Counts in summaries and the report: groups of three digits.
TEST(ThousandsTest, GroupsDigitsInThrees) {
  EXPECT_EQ(internal::Thousands(0), "0");
  EXPECT_EQ(internal::Thousands(999), "999");
  EXPECT_EQ(internal::Thousands(1000), "1,000");
  EXPECT_EQ(internal::Thousands(14848), "14,848");
  EXPECT_EQ(internal::Thousands(1234567), "1,234,567");
  EXPECT_EQ(internal::Thousands(18446744073709551615u),
            "18,446,744,073,709,551,615");
}

TEST(IsoDateTest, ParsesTheFormsFeedsWrite) {
  internal::IsoDate d;
  ASSERT_TRUE(internal::ParseIsoDate("2015-07-21", &d));
  EXPECT_EQ(d.unix_seconds, Seconds(2015, 7, 21));
  EXPECT_TRUE(d.date_only);
  EXPECT_EQ(d.unix_seconds, 1437436800);
  ASSERT_TRUE(internal::ParseIsoDate("2015-07-21 02:51:32", &d));
  EXPECT_EQ(d.unix_seconds, Seconds(2015, 7, 21, 2, 51, 32));
  EXPECT_FALSE(d.date_only);
  ASSERT_TRUE(internal::ParseIsoDate(" 2015-07-21T02:51:32.250Z ", &d));
  EXPECT_EQ(d.unix_seconds, Seconds(2015, 7, 21, 2, 51, 32));
  ASSERT_TRUE(internal::ParseIsoDate("2015-07-21T05:51+03:00", &d));
  EXPECT_EQ(d.unix_seconds, Seconds(2015, 7, 21, 2, 51));
  ASSERT_TRUE(internal::ParseIsoDate("20150720T215132-0500", &d));
  EXPECT_EQ(d.unix_seconds, Seconds(2015, 7, 21, 2, 51, 32));
  ASSERT_TRUE(internal::ParseIsoDate("20150721", &d));
  EXPECT_EQ(d.unix_seconds, Seconds(2015, 7, 21));
  ASSERT_TRUE(internal::ParseIsoDate("2016-02-29", &d));
  ASSERT_TRUE(internal::ParseIsoDate("1969-12-31T23:59:59Z", &d));
  EXPECT_EQ(d.unix_seconds, -1);
  ASSERT_TRUE(internal::ParseIsoDate("2015-07", &d));
  EXPECT_EQ(d.unix_seconds, Seconds(2015, 7, 1));
}

TEST(IsoDateTest, RefusesWhatIsNotADate) {
  internal::IsoDate d{.unix_seconds = 42};
  for (const char* text :
       {"", "21/07/2015", "yesterday", "2015-02-29", "2015-13-01",
        "2015-07-21T25:00", "2015-07-21T10:61", "2015-07-21X10:00",
        "2015-07-21T10:00+3", "201507", "2015-07-21T", "2015-0721",
        "2015-07-21 10:00:00 extra", "1437436800"}) {
    EXPECT_FALSE(internal::ParseIsoDate(text, &d)) << text;
  }
  EXPECT_EQ(d.unix_seconds, 42);
}

TEST(IsoDateTest, FormatsBack) {
  EXPECT_EQ(internal::FormatIsoDate({Seconds(2015, 7, 21, 2, 51, 32), false}),
            "2015-07-21 02:51 UTC");
  EXPECT_EQ(internal::FormatIsoDate({Seconds(2016, 2, 29), true}),
            "2016-02-29");
  EXPECT_EQ(internal::FormatIsoDate({-1, false}), "1969-12-31 23:59 UTC");
}

TEST(HtmlWriterTest, EscapesTextAndAttributes) {
  std::string out;
  internal::AppendHtmlEscaped("<script>alert('x')</script> & \"q\"", &out);
  EXPECT_EQ(out,
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
            "&quot;q&quot;");
  out.clear();
  // Invalid UTF-8 and control characters become U+FFFD; Arabic passes.
  internal::AppendHtmlEscaped(
      "a\xff\x01"
      "b\tمرحبا",
      &out);
  EXPECT_EQ(out,
            "a\xEF\xBF\xBD\xEF\xBF\xBD"
            "b\tمرحبا");
}

TEST(HtmlWriterTest, ClosesWhatItOpens) {
  std::string out;
  internal::HtmlWriter html(&out);
  html.Open("div", {{"class", "a\"b"}, {"hidden", ""}});
  html.Element("span", {{"dir", "auto"}}, "<b>");
  html.Void("br");
  html.Open("p");
  EXPECT_EQ(html.depth(), 2u);
  html.CloseAll();
  EXPECT_EQ(out,
            "<div class=\"a&quot;b\" hidden><span dir=\"auto\">&lt;b&gt;"
            "</span><br><p></p></div>");
}

TEST(ChartsTest, HeatMapCellsCarryTheirCounts) {
  internal::HeatMap map;
  map.labels = {"a<1>", "b"};
  map.counts = {0, 3, 1, 0};
  map.hover = [](size_t r, size_t c, uint32_t n) {
    return absl::StrCat(r, "->", c, ":", n);
  };
  const std::string svg = internal::RenderHeatMap(map);
  EXPECT_THAT(svg, HasSubstr("<title>0-&gt;1:3</title>"));
  EXPECT_THAT(svg, HasSubstr("<title>1-&gt;0:1</title>"));
  EXPECT_THAT(svg, Not(HasSubstr("0-&gt;0")));
  EXPECT_THAT(svg, HasSubstr("a&lt;1&gt;"));
  EXPECT_EQ(internal::ShortLabel("الرياض", 3), "الر\xE2\x80\xA6");
  EXPECT_EQ(internal::ShortLabel("abc", 3), "abc");
}

// Three paragraphs of a made-up story, each long enough to be a passage.
const char kP1[] =
    "The Central Bank of Marenia kept its benchmark interest rate unchanged "
    "at 4.5 percent on Tuesday, saying inflation was cooling but remained "
    "too high.";
const char kP2[] =
    "The decision, announced after a two-day meeting, was expected by most "
    "economists, who had forecast the first cut no earlier than June.";
const char kP3[] =
    "Governor Ilse Varga told reporters that the bank would watch wage "
    "growth and energy prices closely before changing its course.";
const char kP4[] =
    "Shares on the Port Alder exchange rose slightly after the announcement, "
    "led by banks and insurers, while the currency held steady.";

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           absl::StrCat(
               "report_test_",
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  static std::string Record(const std::string& id, const std::string& source,
                            const std::string& date, const std::string& title,
                            const std::string& text) {
    std::string line = "{\"id\":";
    internal::AppendJsonString(id, &line);
    if (!source.empty()) {
      line += ",\"source\":";
      internal::AppendJsonString(source, &line);
    }
    if (!date.empty()) {
      line += ",\"date\":";
      internal::AppendJsonString(date, &line);
    }
    line += ",\"title\":";
    internal::AppendJsonString(title, &line);
    line += ",\"text\":";
    internal::AppendJsonString(text, &line);
    return line + "}\n";
  }

  std::unique_ptr<Corpus> Load(const std::string& jsonl) {
    auto corpus = LoadCorpus({Write("corpus.jsonl", jsonl)}, {});
    EXPECT_TRUE(corpus.ok()) << corpus.status();
    return corpus.ok() ? std::move(*corpus) : nullptr;
  }

  std::filesystem::path dir_;
};

const std::string kStory = absl::StrCat(kP1, "\n\n", kP2, "\n\n", kP3);

TEST_F(ReportTest, OriginalIsTheEarliestDatedMember) {
  // The copy comes first in the input but was published later; an undated
  // copy goes last; the dates mix forms.
  const std::string copy_text =
      absl::StrCat(kP1, "\n", kP2, "\n\n", kP4);  // Dropped kP3, added kP4.
  auto corpus = Load(
      Record("c1", "Courier", "2024-03-12T15:30:00+01:00", "Copy", copy_text) +
      Record("u", "Ledger", "", "Undated", kStory) +
      Record("o", "Wire", "2024-03-12 09:00", "Original", kStory) +
      Record("d", "Post", "2024-03-13", "Next day", kStory));
  ASSERT_NE(corpus, nullptr);
  ClusterResult cluster;
  for (uint32_t d : {0, 1, 2, 3}) cluster.members.push_back({.document = d});
  auto report = BuildReport(*corpus, {cluster}, {});
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->clusters.size(), 1u);
  const ReportCluster& c = report->clusters[0];
  EXPECT_EQ(c.original, 2u);
  ASSERT_EQ(c.copies.size(), 3u);
  EXPECT_EQ(c.copies[0].document, 0u);  // 14:30 UTC.
  EXPECT_EQ(c.copies[1].document, 3u);  // The next day, at midnight.
  EXPECT_EQ(c.copies[2].document, 1u);  // Undated: last.
  EXPECT_EQ(c.copies[0].delay_seconds, 5 * 3600 + 30 * 60);
  EXPECT_EQ(c.copies[1].delay_seconds, 15 * 3600);
  EXPECT_FALSE(c.copies[2].delay_seconds.has_value());
  EXPECT_EQ(report->dates.missing, 1u);
  EXPECT_EQ(report->dates.date_only, 1u);

  // What changed: passages of the original, in its own bytes.
  ASSERT_EQ(c.original_passages.size(), 3u);
  const ReportCopy& edited = c.copies[0];
  EXPECT_THAT(edited.shared, ElementsAre(0, 1));  // Re-flowed, still shared.
  EXPECT_THAT(edited.dropped, ElementsAre(2));
  ASSERT_EQ(edited.added.size(), 1u);
  EXPECT_EQ(copy_text.substr(edited.added[0].begin,
                             edited.added[0].end - edited.added[0].begin),
            kP4);
  EXPECT_EQ(
      kStory.substr(c.original_passages[2].begin,
                    c.original_passages[2].end - c.original_passages[2].begin),
      kP3);
  EXPECT_THAT(c.shared_by, ElementsAre(3, 3, 2));
  EXPECT_LT(edited.jaccard, 0.8);
  EXPECT_GT(edited.jaccard, 0.3);
  EXPECT_DOUBLE_EQ(c.copies[1].jaccard, 1);
  EXPECT_TRUE(c.copies[1].added.empty());
  EXPECT_TRUE(c.copies[1].dropped.empty());
}

TEST_F(ReportTest, OutletsAndMatrix) {
  auto corpus =
      Load(Record("a1", "Wire", "2024-01-01T10:00:00Z", "A", kStory) +
           Record("a2", "Courier", "2024-01-01T12:00:00Z", "A", kStory) +
           Record("a3", "Post", "2024-01-01T16:00:00Z", "A", kStory) +
           Record("b1", "Courier", "2024-01-02T10:00:00Z", "B", kP4) +
           Record("b2", "Wire", "2024-01-02T11:00:00Z", "B", kP4) +
           Record("x", "Wire", "2024-01-03", "alone", kP2));
  ASSERT_NE(corpus, nullptr);
  ClusterResult a, b;
  for (uint32_t d : {0, 1, 2}) a.members.push_back({.document = d});
  for (uint32_t d : {4, 3}) b.members.push_back({.document = d});
  auto report = BuildReport(*corpus, {b, a}, {});
  ASSERT_TRUE(report.ok()) << report.status();
  // Past the detailed stories, a story keeps its members table only.
  ReportPageOptions one_detailed;
  one_detailed.max_detailed_clusters = 1;
  std::string page;
  ASSERT_TRUE(AppendReportHtml(*corpus, *report, one_detailed, &page).ok());
  const size_t second = page.find("id=\"story-2\"");
  ASSERT_NE(second, std::string::npos);
  EXPECT_THAT(page.substr(0, second), HasSubstr("class=\"timeline\""));
  EXPECT_THAT(page.substr(second), Not(HasSubstr("class=\"timeline\"")));
  EXPECT_THAT(page.substr(second), HasSubstr("class=\"members\""));
  EXPECT_THAT(page.substr(second), HasSubstr("1 largest stories only"));
  EXPECT_EQ(report->documents, 6u);
  EXPECT_EQ(report->clustered_documents, 5u);
  EXPECT_EQ(report->copies, 3u);
  ASSERT_EQ(report->clusters.size(), 2u);
  EXPECT_EQ(report->clusters[0].size(), 3u);  // Largest first.
  EXPECT_EQ(report->clusters[1].original, 3u);
  ASSERT_EQ(report->outlets.size(), 3u);
  EXPECT_EQ(report->outlets[0].name, "Wire");  // Most documents.
  EXPECT_EQ(report->outlets[1].name, "Courier");
  EXPECT_EQ(report->outlets[2].name, "Post");
  EXPECT_EQ(report->outlets[0].originated, 1u);
  EXPECT_EQ(report->outlets[0].reprinted, 1u);
  EXPECT_EQ(report->outlets[1].originated, 1u);
  EXPECT_EQ(report->outlets[1].reprinted, 1u);
  EXPECT_EQ(report->outlets[2].reprinted, 1u);
  EXPECT_EQ(report->outlets[2].median_delay_seconds, 6 * 3600.0);
  EXPECT_EQ(report->outlets[0].median_delay_seconds, 3600.0);
  EXPECT_EQ(report->outlets[2].median_jaccard, 1.0);
  EXPECT_EQ(report->matrix_at(0, 1), 1u);  // Courier copied Wire.
  EXPECT_EQ(report->matrix_at(0, 2), 1u);  // Post copied Wire.
  EXPECT_EQ(report->matrix_at(1, 0), 1u);  // Wire copied Courier.
  EXPECT_EQ(report->matrix_at(1, 2), 0u);
  EXPECT_EQ(report->matrix_at(0, 0), 0u);
}

TEST_F(ReportTest, SameForAnyThreadCount) {
  std::string jsonl;
  std::vector<ClusterResult> clusters;
  for (int s = 0; s < 20; ++s) {
    ClusterResult c;
    for (int m = 0; m < 3; ++m) {
      c.members.push_back({.document = static_cast<uint32_t>(s * 3 + m)});
      jsonl += Record(absl::StrCat(s, "-", m), absl::StrCat("o", m),
                      absl::StrCat("2024-01-", 10 + m), "t",
                      absl::StrCat(kStory, "\n\nStory ", s,
                                   m == 2 ? absl::StrCat("\n\n", kP4) : ""));
    }
    clusters.push_back(c);
  }
  auto corpus = Load(jsonl);
  ASSERT_NE(corpus, nullptr);
  std::string one, four;
  for (int threads : {1, 4}) {
    auto report = BuildReport(*corpus, clusters, {.threads = threads});
    ASSERT_TRUE(report.ok());
    std::string& out = threads == 1 ? one : four;
    AppendReportJson(*corpus, *report, &out);
    ASSERT_TRUE(AppendReportHtml(*corpus, *report, {}, &out).ok());
  }
  EXPECT_EQ(one, four);
}

TEST_F(ReportTest, PageEscapesTitlesAndMarksSharedPassages) {
  auto corpus = Load(Record("o", "Wire<b>", "2024-01-01",
                            "<script>alert(1)</script>", kStory) +
                     Record("c", "Courier", "2024-01-02", "تقرير",
                            absl::StrCat(kP1, "\n\n", kP4)));
  ASSERT_NE(corpus, nullptr);
  ClusterResult cluster;
  cluster.members = {{.document = 0}, {.document = 1}};
  auto report = BuildReport(*corpus, {cluster}, {});
  ASSERT_TRUE(report.ok()) << report.status();
  std::string page;
  ASSERT_TRUE(AppendReportHtml(*corpus, *report,
                               {.title = "T", .subtitle = "<i>in</i>"}, &page)
                  .ok());
  EXPECT_THAT(page, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(page, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(page, HasSubstr("Wire&lt;b&gt;"));
  EXPECT_THAT(page, HasSubstr("&lt;i&gt;in&lt;/i&gt;"));
  // One script: the page's own.
  size_t scripts = 0;
  for (size_t at = page.find("<script"); at != std::string::npos;
       at = page.find("<script", at + 1)) {
    ++scripts;
  }
  EXPECT_EQ(scripts, 1u);
  // Kept by every copy: highlighted (and shortened to its opening words
  // when longer than 200 bytes; this one is not).
  EXPECT_THAT(page, HasSubstr(absl::StrCat("<p dir=\"auto\"><mark>", kP1,
                                           "</mark></p>")));
  // A dropped passage: its number and opening words (the whole of it is in
  // the original's text above).
  EXPECT_THAT(page, HasSubstr(absl::StrCat("<del dir=\"auto\">\xC2\xB6"
                                           "2 ",
                                           kP2, "</del>")));
  EXPECT_THAT(page, HasSubstr(absl::StrCat("<ins dir=\"auto\">", kP4)));
  EXPECT_THAT(page, HasSubstr("<td dir=\"auto\">تقرير</td>"));
  EXPECT_THAT(page, HasSubstr("earliest-dated member"));
  // Nothing from the network: the only address is the SVG namespace's.
  std::string without_namespace = page;
  for (size_t at;
       (at = without_namespace.find("xmlns=\"http://www.w3.org/2000/svg\"")) !=
       std::string::npos;) {
    without_namespace.erase(at, 34);
  }
  EXPECT_THAT(without_namespace, Not(HasSubstr("http")));
  EXPECT_THAT(without_namespace, Not(HasSubstr("src=")));
  EXPECT_TRUE(absl::EndsWith(page, "</html>\n"));
}

TEST_F(ReportTest, GapsAreMarkedNotFatal) {
  // No date field at all, no source: the page says so.
  auto corpus = Load("{\"id\":\"a\",\"text\":\"" + std::string(kP1) +
                     "\"}\n{\"id\":\"b\",\"when\":\"21/07/2015\",\"text\":\"" +
                     kP1 + "\"}\n");
  ASSERT_NE(corpus, nullptr);
  ClusterResult cluster;
  cluster.members = {{.document = 1}, {.document = 0}};
  auto report = BuildReport(*corpus, {cluster}, {.date_field = "when"});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->dates.missing, 1u);
  EXPECT_EQ(report->dates.unparsable, 1u);
  ASSERT_EQ(report->dates.unparsable_examples.size(), 1u);
  EXPECT_THAT(report->dates.unparsable_examples[0],
              HasSubstr("corpus.jsonl:2: \"21/07/2015\""));
  EXPECT_EQ(report->clusters[0].original, 0u);  // Input order.
  EXPECT_EQ(report->records_without_source, 2u);
  std::string page;
  ASSERT_TRUE(AppendReportHtml(*corpus, *report, {}, &page).ok());
  EXPECT_THAT(page, HasSubstr("id=\"date-gap\""));
  EXPECT_THAT(page, HasSubstr("id=\"source-gap\""));
  EXPECT_THAT(page, HasSubstr("No timeline: the original has no usable date"));
  EXPECT_THAT(page, HasSubstr("(no source)"));
}

TEST_F(ReportTest, EmptyCorpusGivesAPage) {
  auto corpus = Corpus::FromDocuments({});
  ASSERT_TRUE(corpus.ok());
  auto report = BuildReport(**corpus, {}, {});
  ASSERT_TRUE(report.ok());
  std::string page, json;
  ASSERT_TRUE(AppendReportHtml(**corpus, *report, {}, &page).ok());
  EXPECT_THAT(page, HasSubstr("id=\"empty-gap\""));
  EXPECT_TRUE(absl::EndsWith(page, "</html>\n"));
  AppendReportJson(**corpus, *report, &json);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
  EXPECT_EQ(root["documents"].get_uint64().value(), 0u);
}

TEST_F(ReportTest, HugeArticleIsCutInThePage) {
  std::string huge;
  while (huge.size() < 300 * 1024)
    absl::StrAppend(&huge, kP1, "\n\n", kP2, " ", huge.size(), "\n\n");
  auto corpus = Load(Record("o", "W", "2024-01-01", "big", huge) +
                     Record("c", "C", "2024-01-02", "big", huge));
  ASSERT_NE(corpus, nullptr);
  ClusterResult cluster;
  cluster.members = {{.document = 0}, {.document = 1}};
  auto report = BuildReport(*corpus, {cluster}, {});
  ASSERT_TRUE(report.ok());
  std::string page;
  ASSERT_TRUE(AppendReportHtml(*corpus, *report, {}, &page).ok());
  EXPECT_LT(page.size(), 120u * 1024);
  EXPECT_THAT(page, HasSubstr("are not shown here"));
}

TEST_F(ReportTest, AStoryOfManyCopiesQuotesWithinABudget) {
  std::string jsonl = Record("o", "W", "2024-01-01", "t", kStory);
  ClusterResult cluster;
  cluster.members.push_back({.document = 0});
  for (int i = 1; i <= 40; ++i) {
    jsonl += Record(absl::StrCat("c", i), absl::StrCat("outlet ", i),
                    "2024-01-02", "t",
                    absl::StrCat(kStory, "\n\nA paragraph only copy ", i,
                                 " has, about the harbour of town number ",
                                 i * 17, " and its ", i + 2, " old piers."));
    cluster.members.push_back({.document = static_cast<uint32_t>(i)});
  }
  auto corpus = Load(jsonl);
  ASSERT_NE(corpus, nullptr);
  auto report = BuildReport(*corpus, {cluster}, {});
  ASSERT_TRUE(report.ok());
  for (const ReportCopy& copy : report->clusters[0].copies) {
    ASSERT_EQ(copy.added.size(), 1u);
  }
  std::string page;
  ReportPageOptions small;
  small.max_text_bytes = 1024;
  ASSERT_TRUE(AppendReportHtml(*corpus, *report, small, &page).ok());
  EXPECT_THAT(page, HasSubstr("copies are not quoted, to keep the page small"));
  EXPECT_THAT(page, HasSubstr("copy 1 has"));
  EXPECT_THAT(page, Not(HasSubstr("copy 40 has")));
  EXPECT_THAT(page, HasSubstr("<b>40</b>copies"));
}

TEST_F(ReportTest, APassageEveryCopyKeptIsShownByItsOpening) {
  const std::string long_paragraph = absl::StrCat(kP1, " ", kP2, " ", kP3);
  const std::string text = absl::StrCat(long_paragraph, "\n\n", kP4);
  auto corpus = Load(Record("o", "W", "2024-01-01", "t", text) +
                     Record("c", "C", "2024-01-02", "t", long_paragraph));
  ASSERT_NE(corpus, nullptr);
  ClusterResult cluster;
  cluster.members = {{.document = 0}, {.document = 1}};
  auto report = BuildReport(*corpus, {cluster}, {});
  ASSERT_TRUE(report.ok());
  std::string page;
  ASSERT_TRUE(AppendReportHtml(*corpus, *report, {}, &page).ok());
  // Kept: its first 200 bytes and an ellipsis. Dropped: whole, plain.
  EXPECT_THAT(page,
              HasSubstr(absl::StrCat("<mark>", long_paragraph.substr(0, 200),
                                     "\xE2\x80\xA6</mark>")));
  EXPECT_THAT(page, Not(HasSubstr(kP3)));
  EXPECT_THAT(page, HasSubstr(absl::StrCat("<p dir=\"auto\" class=\"none\">",
                                           kP4, "</p>")));
}

TEST_F(ReportTest, JsonHasTheFigures) {
  auto corpus = Load(Record("o", "Wire", "2024-01-01T10:00Z", "t", kStory) +
                     Record("c", "Courier", "2024-01-01T11:00Z", "t",
                            absl::StrCat(kP1, "\n\n", kP4)));
  ASSERT_NE(corpus, nullptr);
  ClusterResult cluster;
  cluster.members = {{.document = 1}, {.document = 0}};
  auto report = BuildReport(*corpus, {cluster}, {});
  ASSERT_TRUE(report.ok());
  std::string json;
  AppendReportJson(*corpus, *report, &json);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
  EXPECT_EQ(root["cluster_count"].get_uint64().value(), 1u);
  EXPECT_EQ(std::string(root["outlets"].at(0)["name"].get_string().value()),
            "Courier");  // Ties in documents go by name.
  simdjson::dom::element c = root["clusters"].at(0);
  EXPECT_EQ(std::string(c["original"]["id"].get_string().value()), "o");
  simdjson::dom::element copy = c["copies"].at(0);
  EXPECT_EQ(copy["delay_seconds"].get_int64().value(), 3600);
  EXPECT_EQ(copy["dropped"].get_array().size(), 2u);
  EXPECT_EQ(copy["added"].get_array().size(), 1u);
  EXPECT_EQ(root["matrix"].at(1).at(0).get_uint64().value(), 1u);
}

TEST_F(ReportTest, ClustersFileFromAnotherCorpusIsRefused) {
  auto corpus = Load(Record("a", "W", "2024-01-01", "t", kStory) +
                     Record("b", "C", "2024-01-02", "t", kStory) +
                     Record("7", "C", "2024-01-03", "t", kStory));
  ASSERT_NE(corpus, nullptr);
  const std::string good = Write("good.jsonl",
                                 "{\"cluster\":\"a\",\"size\":3,\"members\":[{"
                                 "\"id\":\"a\"},{\"id\":\"b\"},"
                                 "{\"id\":7}]}\n\n");
  auto clusters = ReadClustersFile(*corpus, good);
  ASSERT_TRUE(clusters.ok()) << clusters.status();
  ASSERT_EQ(clusters->size(), 1u);
  EXPECT_EQ((*clusters)[0].members.size(), 3u);

  const std::string other =
      Write("other.jsonl",
            "{\"cluster\":\"a\",\"size\":2,\"members\":[{\"id\":\"a\"},{\"id\":"
            "\"b\"}]}\n{\"cluster\":\"x\",\"size\":2,\"members\":[{\"id\":"
            "\"x\"},{\"id\":\"y\"}]}\n");
  auto refused = ReadClustersFile(*corpus, other);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("other.jsonl:2: id \"x\""));
  EXPECT_THAT(refused.status().message(), HasSubstr("another corpus"));

  auto not_clusters =
      ReadClustersFile(*corpus, Write("bad.jsonl", "{\"a\":1}\n"));
  ASSERT_FALSE(not_clusters.ok());
  EXPECT_THAT(not_clusters.status().message(), HasSubstr("bad.jsonl:1"));

  const std::string pairs =
      Write("pairs.jsonl",
            "{\"a\":\"a\",\"b\":\"b\",\"jaccard\":1}\n{\"a\":\"b\",\"b\":7}\n");
  auto from_pairs = ReadPairsFile(*corpus, pairs);
  ASSERT_TRUE(from_pairs.ok()) << from_pairs.status();
  ASSERT_EQ(from_pairs->size(), 1u);
  EXPECT_EQ((*from_pairs)[0].members.size(), 3u);
  auto bad_pairs =
      ReadPairsFile(*corpus, Write("p2.jsonl", "{\"a\":\"a\",\"b\":\"zz\"}\n"));
  ASSERT_FALSE(bad_pairs.ok());
  EXPECT_THAT(bad_pairs.status().message(), HasSubstr("p2.jsonl:1: id \"zz\""));
}

TEST_F(ReportTest, RunsOnThePipelinesClusters) {
  std::ifstream in(std::string(NEARDUP_SOURCE_DIR) +
                   "/tests/data/sample-news.jsonl");
  auto corpus = LoadCorpus(
      {std::string(NEARDUP_SOURCE_DIR) + "/tests/data/sample-news.jsonl"}, {});
  ASSERT_TRUE(corpus.ok());
  auto result = RunPipeline(**corpus, {});
  ASSERT_TRUE(result.ok());
  ASSERT_FALSE(result->clusters.empty());
  auto report = BuildReport(**corpus, result->clusters, {});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->clusters.size(), result->clusters.size());
  for (const ReportCluster& c : report->clusters) {
    for (const ReportCopy& copy : c.copies) {
      EXPECT_EQ(copy.shared.size() + copy.dropped.size(),
                c.original_passages.size());
      if (copy.delay_seconds) {
        EXPECT_GE(*copy.delay_seconds, 0);
      }
    }
  }
  EXPECT_EQ(report->dates.ok, (*corpus)->size());
}

}  // namespace
}  // namespace neardup
