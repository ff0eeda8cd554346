#include "src/internal/svg.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace neardup::internal {
namespace {

// Colour-blind-safe palette (Okabe and Ito).
constexpr const char* kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                    "#E69F00", "#56B4E9", "#000000", "#F0E442"};

// Every coordinate is written with two decimals: deterministic, and finer
// than a pixel.
std::string Num(double v) { return absl::StrFormat("%.2f", v); }

// Decimals needed to tell ticks `step` apart.
int TickDecimals(double step) {
  int decimals = 0;
  while (decimals < 6 &&
         std::abs(step * std::pow(10.0, decimals) -
                  std::round(step * std::pow(10.0, decimals))) > 1e-9) {
    ++decimals;
  }
  return decimals;
}

}  // namespace

std::string XmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += "\xEF\xBF\xBD";
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

std::vector<double> NiceTicks(double lo, double hi, int target) {
  std::vector<double> ticks;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return ticks;
  target = std::max(target, 2);
  const double raw = (hi - lo) / target;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * power;
    if (step >= raw) break;
  }
  // Integer multiples of the step, so 0.1 * 3 prints as 0.3, not
  // 0.30000000000000004 accumulated.
  const double first = std::ceil(lo / step - 1e-9);
  for (double k = first; k * step <= hi + step * 1e-9; k += 1) {
    // + 0.0 turns the -0.0 that ceil() gives for lo = 0 into 0.0, which
    // would otherwise be labelled "-0.0".
    ticks.push_back(k * step + 0.0);
  }
  return ticks;
}

std::string RenderLinePlot(const LinePlot& plot) {
  const double width = std::max(plot.width, 200);
  const double height = std::max(plot.height, 150);
  double x_min = plot.x_min, x_max = plot.x_max;
  double y_min = plot.y_min, y_max = plot.y_max;
  if (!(x_max > x_min)) x_max = x_min + 1;
  if (!(y_max > y_min)) y_max = y_min + 1;
  bool has_legend = false;
  for (const PlotSeries& s : plot.series) has_legend |= !s.label.empty();
  const double left = 70, top = plot.title.empty() ? 20 : 40, bottom = 55;
  const double right = has_legend ? 180 : 25;
  const double plot_w = width - left - right;
  const double plot_h = height - top - bottom;
  auto px = [&](double x) {
    x = std::clamp(x, x_min, x_max);
    return left + (x - x_min) / (x_max - x_min) * plot_w;
  };
  auto py = [&](double y) {
    y = std::clamp(y, y_min, y_max);
    return top + plot_h - (y - y_min) / (y_max - y_min) * plot_h;
  };

  std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  absl::StrAppend(&svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"",
                  Num(width), "\" height=\"", Num(height), "\" viewBox=\"0 0 ",
                  Num(width), " ", Num(height),
                  "\" font-family=\"sans-serif\" font-size=\"12\">\n");
  absl::StrAppend(&svg, "<rect x=\"0\" y=\"0\" width=\"", Num(width),
                  "\" height=\"", Num(height), "\" fill=\"white\"/>\n");
  if (!plot.title.empty()) {
    absl::StrAppend(&svg, "<text x=\"", Num(left + plot_w / 2),
                    "\" y=\"24.00\" text-anchor=\"middle\" font-size=\"14\">",
                    XmlEscape(plot.title), "</text>\n");
  }

  // Grid and tick labels.
  const std::vector<double> x_ticks = NiceTicks(x_min, x_max);
  const std::vector<double> y_ticks = NiceTicks(y_min, y_max);
  const int x_decimals =
      x_ticks.size() > 1 ? TickDecimals(x_ticks[1] - x_ticks[0]) : 2;
  const int y_decimals =
      y_ticks.size() > 1 ? TickDecimals(y_ticks[1] - y_ticks[0]) : 2;
  svg += "<g stroke=\"#dddddd\" stroke-width=\"1\">\n";
  for (double x : x_ticks) {
    absl::StrAppend(&svg, "<line x1=\"", Num(px(x)), "\" y1=\"", Num(top),
                    "\" x2=\"", Num(px(x)), "\" y2=\"", Num(top + plot_h),
                    "\"/>\n");
  }
  for (double y : y_ticks) {
    absl::StrAppend(&svg, "<line x1=\"", Num(left), "\" y1=\"", Num(py(y)),
                    "\" x2=\"", Num(left + plot_w), "\" y2=\"", Num(py(y)),
                    "\"/>\n");
  }
  svg += "</g>\n<g fill=\"#333333\">\n";
  for (double x : x_ticks) {
    absl::StrAppend(&svg, "<text x=\"", Num(px(x)), "\" y=\"",
                    Num(top + plot_h + 16), "\" text-anchor=\"middle\">",
                    absl::StrFormat("%.*f", x_decimals, x), "</text>\n");
  }
  for (double y : y_ticks) {
    absl::StrAppend(&svg, "<text x=\"", Num(left - 6), "\" y=\"",
                    Num(py(y) + 4), "\" text-anchor=\"end\">",
                    absl::StrFormat("%.*f", y_decimals, y), "</text>\n");
  }
  svg += "</g>\n";
  absl::StrAppend(&svg, "<rect x=\"", Num(left), "\" y=\"", Num(top),
                  "\" width=\"", Num(plot_w), "\" height=\"", Num(plot_h),
                  "\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1\"/>\n");
  if (!plot.x_label.empty()) {
    absl::StrAppend(&svg, "<text x=\"", Num(left + plot_w / 2), "\" y=\"",
                    Num(height - 14), "\" text-anchor=\"middle\">",
                    XmlEscape(plot.x_label), "</text>\n");
  }
  if (!plot.y_label.empty()) {
    const double cx = 18, cy = top + plot_h / 2;
    absl::StrAppend(&svg, "<text x=\"", Num(cx), "\" y=\"", Num(cy),
                    "\" text-anchor=\"middle\" transform=\"rotate(-90 ",
                    Num(cx), " ", Num(cy), ")\">", XmlEscape(plot.y_label),
                    "</text>\n");
  }

  // Markers under the curves, so the curves stay readable.
  for (const PlotMarker& m : plot.markers) {
    if (!std::isfinite(m.x)) continue;
    const double x = px(m.x);
    absl::StrAppend(&svg, "<line x1=\"", Num(x), "\" y1=\"", Num(top),
                    "\" x2=\"", Num(x), "\" y2=\"", Num(top + plot_h),
                    "\" stroke=\"#888888\" stroke-width=\"1.5\" "
                    "stroke-dasharray=\"4 3\"/>\n");
    if (!m.label.empty()) {
      absl::StrAppend(&svg, "<text x=\"", Num(x + 4), "\" y=\"", Num(top + 14),
                      "\" fill=\"#555555\">", XmlEscape(m.label), "</text>\n");
    }
  }

  for (size_t i = 0; i < plot.series.size(); ++i) {
    const PlotSeries& s = plot.series[i];
    const std::string color = XmlEscape(
        s.color.empty() ? kPalette[i % std::size(kPalette)] : s.color);
    std::string points;
    for (const auto& [x, y] : s.points) {
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      if (!points.empty()) points.push_back(' ');
      absl::StrAppend(&points, Num(px(x)), ",", Num(py(y)));
    }
    if (points.empty()) continue;
    absl::StrAppend(&svg, "<polyline fill=\"none\" stroke=\"", color,
                    "\" stroke-width=\"2\"",
                    s.dashed ? " stroke-dasharray=\"6 4\"" : "", " points=\"",
                    points, "\"/>\n");
    if (s.dots) {
      absl::StrAppend(&svg, "<g fill=\"", color, "\">\n");
      for (const auto& [x, y] : s.points) {
        if (!std::isfinite(x) || !std::isfinite(y)) continue;
        absl::StrAppend(&svg, "<circle cx=\"", Num(px(x)), "\" cy=\"",
                        Num(py(y)), "\" r=\"2.50\"/>\n");
      }
      svg += "</g>\n";
    }
  }

  // Legend, right of the plot.
  double legend_y = top + 10;
  for (size_t i = 0; i < plot.series.size(); ++i) {
    const PlotSeries& s = plot.series[i];
    if (s.label.empty()) continue;
    const std::string color = XmlEscape(
        s.color.empty() ? kPalette[i % std::size(kPalette)] : s.color);
    const double x = left + plot_w + 12;
    absl::StrAppend(&svg, "<line x1=\"", Num(x), "\" y1=\"", Num(legend_y),
                    "\" x2=\"", Num(x + 24), "\" y2=\"", Num(legend_y),
                    "\" stroke=\"", color, "\" stroke-width=\"2\"",
                    s.dashed ? " stroke-dasharray=\"6 4\"" : "", "/>\n");
    absl::StrAppend(&svg, "<text x=\"", Num(x + 30), "\" y=\"",
                    Num(legend_y + 4), "\">", XmlEscape(s.label), "</text>\n");
    legend_y += 18;
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace neardup::internal
