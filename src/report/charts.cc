// The report's charts: a heat map and timelines (declared in svg.h).
#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/internal/svg.h"

namespace neardup::internal {
namespace {

// Whole pixels are fine enough for these charts and keep the page small.
std::string Num(double v) { return absl::StrFormat("%.0f", v); }

// White to dark blue, by the square root of the share of the largest count.
std::string CellColor(uint32_t count, uint32_t max) {
  const double t = max == 0 ? 0 : std::sqrt(static_cast<double>(count) / max);
  const int r = static_cast<int>(std::lround(235 - t * (235 - 8)));
  const int g = static_cast<int>(std::lround(242 - t * (242 - 69)));
  const int b = static_cast<int>(std::lround(250 - t * (250 - 148)));
  return absl::StrFormat("#%02x%02x%02x", r, g, b);
}

}  // namespace

std::string ShortLabel(const std::string& text, size_t max_code_points) {
  size_t code_points = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (code_points == max_code_points) {
      return absl::StrCat(text.substr(0, i), "\xE2\x80\xA6");
    }
    ++code_points;
  }
  return text;
}

std::string RenderHeatMap(const HeatMap& map) {
  const size_t n = map.labels.size();
  constexpr double kCell = 22;
  constexpr size_t kMaxLabel = 20;  // Code points.
  // Room for the labels, left and top: about 6.5 pixels a character.
  size_t longest = 1;
  for (const std::string& label : map.labels) {
    size_t code_points = 0;
    for (char ch : label) code_points += (ch & 0xC0) != 0x80;
    longest = std::max(longest, std::min(code_points, kMaxLabel + 1));
  }
  const double label_room = 6.5 * longest + 8;
  const double left = label_room + 20;
  const double top = label_room + 20;
  const double width = left + kCell * n + 10;
  const double height = top + kCell * n + 10;
  uint32_t max = 0;
  for (uint32_t c : map.counts) max = std::max(max, c);
  std::string svg = absl::StrCat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"heatmap\" width=\"",
      Num(width), "\" height=\"", Num(height), "\" viewBox=\"0 0 ", Num(width),
      " ", Num(height), "\" font-family=\"sans-serif\" font-size=\"11\">\n");
  absl::StrAppend(&svg, "<text x=\"", Num(left), "\" y=\"12\">",
                  XmlEscape(map.column_axis), " \xE2\x86\x92</text>\n");
  absl::StrAppend(&svg, "<text transform=\"translate(12 ", Num(top),
                  ") rotate(90)\">", XmlEscape(map.row_axis),
                  " \xE2\x86\x92</text>\n");
  for (size_t i = 0; i < n; ++i) {
    const std::string label = XmlEscape(ShortLabel(map.labels[i], kMaxLabel));
    absl::StrAppend(&svg, "<text x=\"", Num(left - 4), "\" y=\"",
                    Num(top + kCell * i + kCell / 2 + 4),
                    "\" text-anchor=\"end\">", label, "</text>\n");
    absl::StrAppend(&svg, "<text transform=\"translate(",
                    Num(left + kCell * i + kCell / 2 + 4), " ", Num(top - 4),
                    ") rotate(-90)\">", label, "</text>\n");
  }
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < n; ++c) {
      const uint32_t count = map.counts[r * n + c];
      const double x = left + kCell * c;
      const double y = top + kCell * r;
      absl::StrAppend(
          &svg, "<g><rect x=\"", Num(x), "\" y=\"", Num(y), "\" width=\"",
          Num(kCell - 1), "\" height=\"", Num(kCell - 1), "\" fill=\"",
          count == 0 ? std::string("#f7f7f7") : CellColor(count, max), "\"/>");
      if (count > 0) {
        const bool dark =
            max > 0 && std::sqrt(static_cast<double>(count) / max) > 0.55;
        absl::StrAppend(&svg, "<text x=\"", Num(x + kCell / 2 - 0.5), "\" y=\"",
                        Num(y + kCell / 2 + 3.5),
                        "\" text-anchor=\"middle\" font-size=\"9\" fill=\"",
                        dark ? "#ffffff" : "#222222", "\">", count, "</text>");
        if (map.hover) {
          absl::StrAppend(&svg, "<title>", XmlEscape(map.hover(r, c, count)),
                          "</title>");
        }
      }
      svg += "</g>\n";
    }
  }
  svg += "</svg>";
  return svg;
}

std::string RenderTimeline(const Timeline& timeline) {
  constexpr double kRow = 18;
  constexpr double kLabel = 140;
  const double plot_left = kLabel + 10;
  const double plot_right = std::max(plot_left + 50, timeline.width - 70.0);
  const double height = kRow * timeline.rows.size() + 28;
  double span = 0;
  for (const TimelinePoint& p : timeline.points)
    span = std::max(span, p.seconds);
  const auto px = [&](double seconds) {
    return span <= 0 ? plot_left
                     : plot_left + (plot_right - plot_left) * seconds / span;
  };
  std::string svg = absl::StrCat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"",
      timeline.width, "\" height=\"", Num(height), "\" viewBox=\"0 0 ",
      timeline.width, " ", Num(height),
      "\" font-family=\"sans-serif\" font-size=\"11\">\n");
  // Shared presentation goes on groups, so each mark is short: a page
  // draws thousands of these.
  svg += "<g text-anchor=\"end\">";
  for (size_t r = 0; r < timeline.rows.size(); ++r) {
    absl::StrAppend(&svg, "<text x=\"", Num(kLabel), "\" y=\"",
                    Num(kRow * r + kRow / 2 + 6), "\">",
                    XmlEscape(ShortLabel(timeline.rows[r], 22)), "</text>");
  }
  svg += "</g>\n<g stroke=\"#e3e3e3\">";
  for (size_t r = 0; r < timeline.rows.size(); ++r) {
    const std::string y = Num(kRow * r + kRow / 2 + 2);
    absl::StrAppend(&svg, "<line x1=\"", Num(plot_left), "\" y1=\"", y,
                    "\" x2=\"", Num(plot_right), "\" y2=\"", y, "\"/>");
  }
  svg += "</g>\n";
  const double axis_y = kRow * timeline.rows.size() + 6;
  absl::StrAppend(
      &svg, "<line x1=\"", Num(plot_left), "\" y1=\"", Num(axis_y), "\" x2=\"",
      Num(plot_right), "\" y2=\"", Num(axis_y),
      "\" stroke=\"#888888\"/>\n<text x=\"", Num(plot_left), "\" y=\"",
      Num(axis_y + 14), "\">", XmlEscape(timeline.start_label),
      "</text><text x=\"", Num(plot_right), "\" y=\"", Num(axis_y + 14),
      "\" text-anchor=\"end\">", XmlEscape(timeline.end_label), "</text>\n");
  std::string first;
  svg += "<g fill=\"#0072B2\" fill-opacity=\"0.8\">";
  for (const TimelinePoint& p : timeline.points) {
    const double x = px(p.seconds);
    const double y = kRow * p.row + kRow / 2 + 2;
    if (p.first) {
      absl::StrAppend(&first, "<rect x=\"", Num(x - 5), "\" y=\"", Num(y - 5),
                      "\" width=\"10\" height=\"10\" fill=\"#D55E00\"><title>",
                      XmlEscape(p.hover), "</title></rect>\n");
    } else {
      absl::StrAppend(&svg, "<circle cx=\"", Num(x), "\" cy=\"", Num(y),
                      "\" r=\"4.5\"><title>", XmlEscape(p.hover),
                      "</title></circle>");
    }
  }
  absl::StrAppend(&svg, "</g>\n", first);
  svg += "</svg>";
  return svg;
}

}  // namespace neardup::internal
