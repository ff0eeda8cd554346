// A tiny SVG line-plot writer for `neardup tune --plot` and `neardup eval
// --plot`: axes with ticks and labels, polylines, a legend and vertical
// markers. No plotting dependency; the output is well-formed XML, and the
// same plot gives the same bytes on every machine (every number is written
// with a fixed format).
//
// Example:
//
//   neardup::internal::LinePlot plot;
//   plot.title = "P(candidate) for 16 bands x 6 rows";
//   plot.x_label = "Jaccard similarity";
//   plot.y_label = "P(candidate)";
//   neardup::internal::PlotSeries curve;
//   curve.label = "16 x 6";
//   curve.points = {{0.5, 0.223}, {0.8, 0.992}};
//   plot.series.push_back(curve);
//   plot.markers.push_back({0.8, "threshold 0.8"});
//   std::string svg = neardup::internal::RenderLinePlot(plot);
#ifndef NEARDUP_SRC_INTERNAL_SVG_H_
#define NEARDUP_SRC_INTERNAL_SVG_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace neardup::internal {

struct PlotSeries {
  std::string label;  // Shown in the legend; empty leaves it out.
  // (x, y) points joined in the order given. Points outside the axes'
  // ranges are clamped to the frame; non-finite points are skipped.
  std::vector<std::pair<double, double>> points;
  std::string color;  // Any SVG colour; empty picks from a fixed palette.
  bool dashed = false;
  bool dots = false;  // A small circle at every point.
};

// A vertical line across the plot at x, labelled at the top.
struct PlotMarker {
  double x = 0;
  std::string label;
};

struct LinePlot {
  std::string title;
  std::string x_label;
  std::string y_label;
  double x_min = 0;
  double x_max = 1;
  double y_min = 0;
  double y_max = 1;
  std::vector<PlotSeries> series;
  std::vector<PlotMarker> markers;
  int width = 640;  // Pixels.
  int height = 420;
};

// The plot as a complete SVG document. A degenerate range (max <= min) is
// widened to one unit so the output is still a valid picture.
std::string RenderLinePlot(const LinePlot& plot);

// Tick positions for [lo, hi]: multiples of 1, 2 or 5 times a power of ten,
// about `target` of them, all inside the range. Exposed for tests.
std::vector<double> NiceTicks(double lo, double hi, int target = 6);

// `text` with &, <, >, " and ' replaced by XML entities, and bytes that XML
// 1.0 forbids (control characters other than tab, newline and carriage
// return) replaced by U+FFFD.
std::string XmlEscape(absl::string_view text);

// A square heat map of counts for `neardup report` (src/report/charts.cc):
// rows and columns share `labels`; each non-empty cell shows its count and
// `hover(row, column, count)` as its <title> (a browser's tooltip). Drawn as
// an <svg> element to put inside an HTML page (no XML declaration).
struct HeatMap {
  std::string row_axis;     // Said along the rows' labels.
  std::string column_axis;  // Said above the columns' labels.
  std::vector<std::string> labels;
  std::vector<uint32_t> counts;  // labels.size() squared, row-major.
  std::function<std::string(size_t row, size_t column, uint32_t count)> hover;
};
std::string RenderHeatMap(const HeatMap& map);

// One publication on a timeline.
struct TimelinePoint {
  size_t row = 0;      // Index into Timeline::rows.
  double seconds = 0;  // After the timeline's start, >= 0.
  bool first = false;  // Drawn as the original (a filled square).
  std::string hover;   // Its <title>.
};

// Publications over time, one row per outlet, as an inline <svg>.
struct Timeline {
  std::vector<std::string> rows;
  std::vector<TimelinePoint> points;
  std::string start_label;  // Under the left end ("2015-07-21 02:51 UTC").
  std::string end_label;    // Under the right end ("+3 h 10 min").
  int width = 560;          // Pixels.
};
std::string RenderTimeline(const Timeline& timeline);

// `text` cut to at most `max_code_points` code points, with "…" when cut;
// never splits a UTF-8 sequence.
std::string ShortLabel(const std::string& text, size_t max_code_points);

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_SVG_H_
