// The SVG plot writer: well-formed XML (checked by a small independent
// checker below, itself tested on broken documents), escaping, ticks and
// deterministic bytes.
#include "src/internal/svg.h"

#include <cctype>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace neardup::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

bool IsNameStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}
bool IsNameChar(char c) {
  return IsNameStart(c) || std::isdigit(static_cast<unsigned char>(c)) ||
         c == '-' || c == '.';
}

// Checks the entity reference starting at s[i] == '&'; advances i past it.
bool ReadReference(absl::string_view s, size_t* i) {
  const size_t end = s.find(';', *i);
  if (end == absl::string_view::npos) return false;
  absl::string_view name = s.substr(*i + 1, end - *i - 1);
  static const std::set<std::string> kNamed = {"amp", "lt", "gt", "quot",
                                               "apos"};
  bool ok = kNamed.count(std::string(name)) > 0;
  if (!ok && name.size() > 1 && name[0] == '#') {
    ok = true;
    for (char c : name.substr(1)) ok &= std::isdigit(c) != 0;
  }
  *i = end + 1;
  return ok;
}

// A small well-formedness checker for the subset of XML an SVG writer
// produces: an optional declaration, comments, elements with quoted
// attributes, text with entity references. Returns "" when well-formed,
// else what is wrong and where.
std::string CheckWellFormed(absl::string_view xml) {
  size_t i = 0;
  const size_t n = xml.size();
  auto error = [&](absl::string_view what) {
    return absl::StrCat(what, " at byte ", i);
  };
  if (absl::StartsWith(xml, "<?xml")) {
    i = xml.find("?>");
    if (i == absl::string_view::npos) return "unterminated declaration";
    i += 2;
  }
  std::vector<std::string> open;
  bool root_seen = false;
  while (i < n) {
    const char c = xml[i];
    if (c == '<') {
      if (xml.substr(i, 4) == "<!--") {
        const size_t end = xml.find("-->", i);
        if (end == absl::string_view::npos) return error("open comment");
        i = end + 3;
        continue;
      }
      if (xml.substr(i, 2) == "</") {
        i += 2;
        const size_t start = i;
        while (i < n && IsNameChar(xml[i])) ++i;
        std::string name(xml.substr(start, i - start));
        while (i < n && xml[i] == ' ') ++i;
        if (i >= n || xml[i] != '>') return error("bad end tag");
        if (open.empty() || open.back() != name) {
          return error(absl::StrCat("end tag </", name, "> does not match"));
        }
        open.pop_back();
        ++i;
        continue;
      }
      ++i;
      if (i >= n || !IsNameStart(xml[i])) return error("bad tag name");
      if (open.empty() && root_seen) return error("second root element");
      root_seen = true;
      const size_t start = i;
      while (i < n && IsNameChar(xml[i])) ++i;
      std::string name(xml.substr(start, i - start));
      std::set<std::string> attributes;
      for (;;) {
        const size_t before = i;
        while (i < n && std::isspace(static_cast<unsigned char>(xml[i]))) ++i;
        if (i >= n) return error("unterminated tag");
        if (xml.substr(i, 2) == "/>") {
          i += 2;
          break;
        }
        if (xml[i] == '>') {
          open.push_back(name);
          ++i;
          break;
        }
        if (i == before) return error("no space before attribute");
        if (!IsNameStart(xml[i])) return error("bad attribute name");
        const size_t a = i;
        while (i < n && IsNameChar(xml[i])) ++i;
        if (!attributes.insert(std::string(xml.substr(a, i - a))).second) {
          return error("duplicate attribute");
        }
        if (i >= n || xml[i] != '=') return error("attribute without =");
        ++i;
        if (i >= n || (xml[i] != '"' && xml[i] != '\'')) {
          return error("unquoted attribute");
        }
        const char quote = xml[i++];
        while (i < n && xml[i] != quote) {
          if (xml[i] == '<') return error("< in attribute");
          if (xml[i] == '&') {
            if (!ReadReference(xml, &i)) return error("bad reference");
            continue;
          }
          ++i;
        }
        if (i >= n) return error("unterminated attribute");
        ++i;
      }
      continue;
    }
    if (c == '&') {
      if (!ReadReference(xml, &i)) return error("bad reference");
      continue;
    }
    if (open.empty() && !std::isspace(static_cast<unsigned char>(c))) {
      return error("text outside the root element");
    }
    ++i;
  }
  if (!root_seen) return "no root element";
  if (!open.empty()) return absl::StrCat("unclosed <", open.back(), ">");
  return "";
}

TEST(CheckWellFormed, RejectsBrokenDocuments) {
  EXPECT_EQ(CheckWellFormed("<a x=\"1\"><b/>t &amp; u</a>"), "");
  EXPECT_NE(CheckWellFormed("<a><b></a></b>"), "");
  EXPECT_NE(CheckWellFormed("<a>x & y</a>"), "");
  EXPECT_NE(CheckWellFormed("<a x=1></a>"), "");
  EXPECT_NE(CheckWellFormed("<a x=\"<\"></a>"), "");
  EXPECT_NE(CheckWellFormed("<a></a><b></b>"), "");
  EXPECT_NE(CheckWellFormed("<a>"), "");
  EXPECT_NE(CheckWellFormed("<a x=\"1\" x=\"2\"/>"), "");
}

LinePlot SamplePlot() {
  LinePlot plot;
  plot.title = "Recall & precision <by> \"threshold\" 'raw'";
  plot.x_label = "Jaccard threshold";
  plot.y_label = "share";
  plot.x_min = 0.5;
  plot.x_max = 0.95;
  PlotSeries recall, precision;
  recall.label = "recall";
  recall.dots = true;
  precision.label = "precision";
  precision.dashed = true;
  for (int i = 0; i <= 9; ++i) {
    const double t = 0.5 + 0.05 * i;
    recall.points.push_back({t, 1 - 0.01 * i});
    precision.points.push_back({t, 1.0});
  }
  plot.series = {recall, precision};
  plot.markers.push_back({0.8, "t = 0.8"});
  return plot;
}

TEST(RenderLinePlot, WritesWellFormedSvg) {
  const std::string svg = RenderLinePlot(SamplePlot());
  EXPECT_EQ(CheckWellFormed(svg), "") << svg;
  EXPECT_TRUE(absl::StartsWith(svg, "<?xml version=\"1.0\""));
  EXPECT_THAT(svg, HasSubstr("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_THAT(svg, HasSubstr("Recall &amp; precision &lt;by&gt; "
                             "&quot;threshold&quot; &apos;raw&apos;"));
  // One polyline per series, a marker line and its label, both legends.
  size_t polylines = 0;
  for (size_t p = svg.find("<polyline"); p != std::string::npos;
       p = svg.find("<polyline", p + 1)) {
    ++polylines;
  }
  EXPECT_EQ(polylines, 2u);
  EXPECT_THAT(svg, HasSubstr(">t = 0.8</text>"));
  EXPECT_THAT(svg, HasSubstr(">recall</text>"));
  EXPECT_THAT(svg, HasSubstr(">precision</text>"));
  EXPECT_THAT(svg, HasSubstr("stroke-dasharray=\"6 4\""));
  // Tick labels at 0.5, 0.6, ... 0.9 with one decimal.
  EXPECT_THAT(svg, HasSubstr(">0.7</text>"));
}

TEST(RenderLinePlot, SameInputGivesSameBytes) {
  EXPECT_EQ(RenderLinePlot(SamplePlot()), RenderLinePlot(SamplePlot()));
}

TEST(RenderLinePlot, SurvivesDegenerateRangesAndNonFinitePoints) {
  LinePlot plot;
  plot.x_min = plot.x_max = 0.3;
  plot.y_min = 1;
  plot.y_max = 0;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  PlotSeries series;
  series.label = "a\x01<b>";
  series.points = {{nan, 1}, {0.3, inf}, {0.3, 0.5}};
  plot.series.push_back(series);
  plot.markers.push_back({nan, "never"});
  const std::string svg = RenderLinePlot(plot);
  EXPECT_EQ(CheckWellFormed(svg), "") << svg;
  EXPECT_THAT(svg, Not(HasSubstr("nan")));
  EXPECT_THAT(svg, Not(HasSubstr("inf")));
  EXPECT_THAT(svg, Not(HasSubstr("never")));
  EXPECT_THAT(svg, HasSubstr("a\xEF\xBF\xBD&lt;b&gt;"));
}

TEST(NiceTicks, ZeroIsNeverNegativeZero) {
  for (double t : NiceTicks(0, 1)) EXPECT_FALSE(std::signbit(t)) << t;
  LinePlot plot = SamplePlot();
  plot.x_min = 0;  // Axes that start at 0 label their origin "0.0".
  plot.x_max = 1;
  const std::string svg = RenderLinePlot(plot);
  EXPECT_THAT(svg, Not(HasSubstr(">-0")));
  EXPECT_THAT(svg, HasSubstr(">0.0</text>"));
}

TEST(NiceTicks, PicksRoundStepsInsideTheRange) {
  std::vector<double> unit = NiceTicks(0, 1);
  ASSERT_EQ(unit.size(), 6u);
  for (size_t i = 0; i < unit.size(); ++i) {
    EXPECT_NEAR(unit[i], 0.2 * i, 1e-12);
  }
  std::vector<double> sweep = NiceTicks(0.5, 0.95);
  ASSERT_EQ(sweep.size(), 5u);
  EXPECT_NEAR(sweep.front(), 0.5, 1e-12);
  EXPECT_NEAR(sweep.back(), 0.9, 1e-12);
  EXPECT_THAT(NiceTicks(0, 250), ElementsAre(0, 50, 100, 150, 200, 250));
  EXPECT_THAT(NiceTicks(1, 1), IsEmpty());
}

}  // namespace
}  // namespace neardup::internal
