// The report as one self-contained HTML page: see include/neardup/report.h
// and docs/report.md.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "neardup/report.h"
#include "src/internal/html_writer.h"
#include "src/internal/iso_date.h"
#include "src/internal/status_macros.h"
#include "src/internal/svg.h"
#include "src/internal/thousands.h"

namespace neardup {
namespace {

using internal::HtmlWriter;

// Kept short: the page must read well without it, and it is all the
// script the page has. Filters the stories by outlet and title; the state
// lives in the address (#outlet=3&q=rate) so a filtered view can be shared;
// #story=N opens story N.
constexpr absl::string_view kScript = R"js(
(function () {
  var f = document.getElementById('outlet-filter');
  var q = document.getElementById('title-search');
  var n = document.getElementById('shown');
  var cs = document.querySelectorAll('div.cluster');
  function apply() {
    var o = f.value, t = q.value.trim().toLowerCase(), k = 0;
    for (var i = 0; i < cs.length; i++) {
      var c = cs[i];
      var ok = (!o || c.getAttribute('data-outlets').indexOf(' ' + o + ' ') >= 0) &&
          (!t || c.querySelector('.title').textContent.toLowerCase().indexOf(t) >= 0);
      c.hidden = !ok;
      if (ok) k++;
    }
    n.textContent = k + ' of ' + cs.length + ' stories shown';
  }
  function fromHash() {
    var h = new URLSearchParams(location.hash.slice(1));
    if (h.has('outlet')) f.value = h.get('outlet');
    if (h.has('q')) q.value = h.get('q');
    apply();
    var s = h.has('story') && document.getElementById('story-' + h.get('story'));
    if (s) {
      s.firstChild.open = true;
      s.scrollIntoView();
    }
  }
  f.addEventListener('change', apply);
  q.addEventListener('input', apply);
  window.addEventListener('hashchange', fromHash);
  document.getElementById('controls').hidden = false;
  fromHash();
  document.body.setAttribute('data-ready', '1');
})();
)js";

constexpr absl::string_view kStyle = R"css(
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:0 16px 40px;color:#1b1b1b}
h1{margin:18px 0 2px}h2{margin-top:32px;border-bottom:1px solid #ddd}
.sub{color:#555;margin:0}nav a{margin-right:14px}
.figures{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.fig{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:120px}
.fig b{display:block;font-size:22px}
.note{color:#444;max-width:900px}
.gap{background:#fff4d6;border-left:4px solid #e0a800;padding:6px 10px;margin:8px 0}
table{border-collapse:collapse;margin:8px 0}
th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
td.n,th.n,.members td:nth-child(n+4):nth-child(-n+8),.members th:nth-child(n+4):nth-child(-n+8){text-align:right;font-variant-numeric:tabular-nums}
#controls{margin:10px 0;display:flex;gap:16px;align-items:center}
div.cluster{border:1px solid #ddd;border-radius:6px;margin:6px 0}
div.cluster>details>summary{padding:6px 10px;cursor:pointer}
.size{display:inline-block;min-width:2.2em;font-weight:bold}
.meta{color:#666;font-size:12px}
.body{padding:4px 12px 12px}
.text{counter-reset:p}
.text p{margin:4px 0;padding:2px 4px 2px 2.6em;white-space:pre-wrap;position:relative}
.text p::before{counter-increment:p;content:"\b6" counter(p);position:absolute;left:0;color:#999;font-size:11px}
mark{background:#c9f0c3}mark.some{background:#eef8d9}
p.none{color:#555}
del{background:#fde2e1;text-decoration:line-through;display:block;white-space:pre-wrap;margin:3px 0;padding:2px 4px}
ins{background:#dff0ff;text-decoration:none;display:block;white-space:pre-wrap;margin:3px 0;padding:2px 4px}
.legend span{margin-right:12px}
)css";

std::string Fixed2(double v) { return absl::StrFormat("%.2f", v); }

using internal::Thousands;

std::string Percent(size_t part, size_t whole) {
  if (whole == 0) return "0%";
  return absl::StrFormat("%.1f%%", 100.0 * part / whole);
}

// "+3 h 20 min", "+2 d 4 h", "same time"; whole days when a date had no
// time of day.
std::string FormatDelay(int64_t seconds, bool days_only) {
  const char* sign = seconds < 0 ? "-" : "+";
  const uint64_t s = seconds < 0 ? -static_cast<uint64_t>(seconds) : seconds;
  if (days_only) {
    const uint64_t days = s / 86400;
    return days == 0 ? "same day" : absl::StrCat(sign, days, " d");
  }
  if (s == 0) return "same time";
  if (s < 60) return absl::StrCat(sign, s, " s");
  if (s < 3600) return absl::StrCat(sign, s / 60, " min");
  if (s < 86400) {
    return s % 3600 / 60 == 0
               ? absl::StrCat(sign, s / 3600, " h")
               : absl::StrCat(sign, s / 3600, " h ", s % 3600 / 60, " min");
  }
  return s % 86400 / 3600 == 0
             ? absl::StrCat(sign, s / 86400, " d")
             : absl::StrCat(sign, s / 86400, " d ", s % 86400 / 3600, " h");
}

std::string OutletName(const Report& report, uint32_t outlet) {
  const std::string& name = report.outlets[outlet].name;
  return name.empty() ? "(no source)" : name;
}

std::string DateText(const ReportRecord& r) {
  switch (r.date_state) {
    case DateState::kOk:
      return internal::FormatIsoDate({r.time, r.date_only});
    case DateState::kMissing:
      return "no date";
    case DateState::kUnparsable:
      break;
  }
  return absl::StrCat("unreadable date \"", internal::ShortLabel(r.date, 40),
                      "\"");
}

// At most `max` bytes of `text`, cut at a UTF-8 sequence boundary.
absl::string_view Prefix(absl::string_view text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  return text.substr(0, end);
}

absl::string_view SpanText(absl::string_view text, PassageSpan span) {
  return text.substr(span.begin, span.end - span.begin);
}

void WriteOverview(const Report& report, HtmlWriter& html) {
  html.Open("section", {{"id", "overview"}});
  html.Element("h2", {}, "Overview");
  html.Open("div", {{"class", "figures"}});
  const auto figure = [&](const std::string& value, absl::string_view label,
                          absl::string_view id) {
    html.Open("div", {{"class", "fig"}, {"id", id}});
    html.Element("b", {}, value);
    html.Text(label);
    html.Close();
  };
  figure(Thousands(report.documents), "documents", "fig-documents");
  figure(Thousands(report.outlets.size()), "outlets", "fig-outlets");
  figure(Thousands(report.clusters.size()), "stories run more than once",
         "fig-clusters");
  figure(Thousands(report.copies), "copies", "fig-copies");
  figure(Percent(report.copies, report.documents), "of documents are copies",
         "fig-share");
  html.Close();
  html.Element(
      "p", {{"class", "note"}},
      absl::StrCat(
          "A story is a cluster of near-duplicate documents. Its original is "
          "its earliest-dated member (ties, and members without a usable "
          "date, go by input order; an undated member comes after every "
          "dated one); every other member is a copy. Similarity is the exact "
          "Jaccard of a copy's ",
          report.options.ngram,
          "-gram shingles with the original's; containment is the share of "
          "the shorter text found in the other. What changed is told by "
          "passage (paragraph): a passage is shared when at least ",
          static_cast<int>(report.options.passage_shared * 100 + 0.5),
          "% of its shingles are in the other text."));
  const ReportDateStats& d = report.dates;
  if (d.missing > 0 || d.unparsable > 0) {
    html.Open("div", {{"class", "gap"}, {"id", "date-gap"}});
    std::string text = "Gap in the dates: ";
    if (d.missing > 0) {
      absl::StrAppend(&text, d.missing, " documents have no \"",
                      report.options.date_field, "\" field");
    }
    if (d.unparsable > 0) {
      absl::StrAppend(&text, d.missing > 0 ? "; " : "", d.unparsable,
                      " have one that is not an ISO 8601 date (",
                      absl::StrJoin(d.unparsable_examples, "; "), ")");
    }
    absl::StrAppend(&text,
                    ". They count last in their story and are left out of "
                    "delays; use --date-field to name another field.");
    html.Text(text);
    html.Close();
  }
  if (d.date_only > 0) {
    html.Element("p", {{"class", "note"}},
                 absl::StrCat(d.date_only,
                              " documents give a date without a time of day; "
                              "their delays are in whole days."));
  }
  if (report.records_without_source > 0) {
    html.Element(
        "div", {{"class", "gap"}, {"id", "source-gap"}},
        absl::StrCat("Gap in the outlets: ", report.records_without_source,
                     " documents have no \"", report.options.source_field,
                     "\" field; they are counted as \"(no source)\". "
                     "Use --source-field to name another field."));
  }
  if (report.documents == 0) {
    html.Element("div", {{"class", "gap"}, {"id", "empty-gap"}},
                 "The input holds no documents: there is nothing to report.");
  }

  html.Element("h3", {}, "Outlets");
  html.Open("table", {{"id", "outlets"}});
  html.Open("thead");
  html.Open("tr");
  html.Element("th", {}, "Outlet");
  html.Element("th", {{"class", "n"}}, "Articles");
  html.Element("th", {{"class", "n"}}, "Stories originated");
  html.Element("th", {{"class", "n"}}, "Stories reprinted");
  html.Element("th", {{"class", "n"}}, "Median delay after the original");
  html.Element("th", {{"class", "n"}}, "Median similarity");
  html.Close();
  html.Close();
  html.Open("tbody");
  for (size_t o = 0; o < report.outlets.size(); ++o) {
    const ReportOutlet& outlet = report.outlets[o];
    const std::string index = absl::StrCat(o);
    html.Open("tr", {{"class", "outlet"}, {"data-outlet", index}});
    html.Open("td", {{"dir", "auto"}});
    html.Element("a", {{"href", absl::StrCat("#outlet=", o)}},
                 OutletName(report, static_cast<uint32_t>(o)));
    html.Close();
    html.Element("td", {{"class", "n"}}, absl::StrCat(outlet.documents));
    html.Element("td", {{"class", "n"}}, absl::StrCat(outlet.originated));
    html.Element("td", {{"class", "n"}}, absl::StrCat(outlet.reprinted));
    html.Element(
        "td", {{"class", "n"}},
        outlet.median_delay_seconds
            ? FormatDelay(static_cast<int64_t>(*outlet.median_delay_seconds),
                          false)
            : "\xE2\x80\x94");
    html.Element("td", {{"class", "n"}},
                 outlet.median_jaccard ? Fixed2(*outlet.median_jaccard)
                                       : "\xE2\x80\x94");
    html.Close();
  }
  html.Close();
  html.Close();
  html.Close();
}

void WriteMatrix(const Report& report, const ReportPageOptions& page,
                 HtmlWriter& html) {
  html.Open("section", {{"id", "matrix"}});
  html.Element("h2", {}, "Who reprints whom");
  // The most active outlets: stories originated plus copies run.
  std::vector<uint32_t> outlets;
  for (uint32_t o = 0; o < report.outlets.size(); ++o) {
    if (report.outlets[o].originated + report.outlets[o].reprinted > 0) {
      outlets.push_back(o);
    }
  }
  const auto activity = [&](uint32_t o) {
    return report.outlets[o].originated + report.outlets[o].reprinted;
  };
  std::stable_sort(outlets.begin(), outlets.end(), [&](uint32_t a, uint32_t b) {
    return activity(a) > activity(b);
  });
  if (outlets.empty()) {
    html.Element("p", {{"class", "note"}}, "No story was run more than once.");
    html.Close();
    return;
  }
  const size_t left_out = outlets.size() > page.max_matrix_outlets
                              ? outlets.size() - page.max_matrix_outlets
                              : 0;
  outlets.resize(outlets.size() - left_out);
  std::sort(outlets.begin(), outlets.end());
  html.Element(
      "p", {{"class", "note"}},
      absl::StrCat("Row: the outlet that published a story first; "
                   "column: an outlet that ran a copy. A cell counts "
                   "copies; hover it for the figures.",
                   left_out > 0 ? absl::StrCat(" The ", outlets.size(),
                                               " most active outlets are "
                                               "shown; ",
                                               left_out, " more are left out.")
                                : ""));
  internal::HeatMap map;
  map.row_axis = "first published by";
  map.column_axis = "reprinted by";
  for (uint32_t o : outlets) map.labels.push_back(OutletName(report, o));
  const size_t n = outlets.size();
  map.counts.resize(n * n);
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < n; ++c) {
      map.counts[r * n + c] = report.matrix_at(outlets[r], outlets[c]);
    }
  }
  map.hover = [&](size_t r, size_t c, uint32_t count) {
    return absl::StrCat(map.labels[c], " ran ", count,
                        count == 1 ? " copy" : " copies", " of stories ",
                        map.labels[r], " published first");
  };
  html.Open("div", {{"class", "chart"}});
  html.Raw(internal::RenderHeatMap(map));
  html.Close();
  html.Close();
}

void WriteTimeline(const Report& report, const ReportCluster& cluster,
                   HtmlWriter& html) {
  const ReportRecord& first = report.records[cluster.original];
  if (first.date_state != DateState::kOk) {
    html.Element("p", {{"class", "gap"}},
                 "No timeline: the original has no usable date.");
    return;
  }
  constexpr size_t kMaxRows = 12;
  internal::Timeline timeline;
  std::vector<int> row_of(report.outlets.size(), -1);
  size_t undated = 0;
  size_t not_drawn = 0;
  int64_t span = 0;
  bool days_only = first.date_only;
  const auto add = [&](uint32_t document, int64_t seconds, bool is_first) {
    const ReportRecord& r = report.records[document];
    int& row = row_of[r.outlet];
    if (row < 0) {
      if (timeline.rows.size() == kMaxRows) {
        ++not_drawn;
        return;
      }
      row = static_cast<int>(timeline.rows.size());
      timeline.rows.push_back(OutletName(report, r.outlet));
    }
    timeline.points.push_back(
        {.row = static_cast<size_t>(row),
         .seconds = static_cast<double>(seconds),
         .first = is_first,
         .hover = absl::StrCat(
             OutletName(report, r.outlet), ", ", DateText(r),
             is_first ? " (original)"
                      : absl::StrCat(", ", FormatDelay(seconds, days_only)))});
  };
  add(cluster.original, 0, true);
  for (const ReportCopy& copy : cluster.copies) {
    if (!copy.delay_seconds) {
      ++undated;
      continue;
    }
    days_only = days_only || report.records[copy.document].date_only;
    span = std::max(span, *copy.delay_seconds);
    add(copy.document, *copy.delay_seconds, false);
  }
  timeline.start_label = DateText(first);
  timeline.end_label = FormatDelay(span, days_only);
  html.Open("div", {{"class", "chart"}});
  html.Raw(internal::RenderTimeline(timeline));
  html.Close();
  if (undated + not_drawn > 0) {
    html.Element(
        "p", {{"class", "gap"}},
        absl::StrCat(undated > 0 ? absl::StrCat(undated,
                                                " members without a usable "
                                                "date are not on the "
                                                "timeline. ")
                                 : "",
                     not_drawn > 0
                         ? absl::StrCat(not_drawn,
                                        " members from outlets past the "
                                        "first ",
                                        kMaxRows, " are not drawn.")
                         : ""));
  }
}

void WriteMembers(const Report& report, const ReportCluster& cluster,
                  HtmlWriter& html, const Corpus& corpus) {
  html.Open("table", {{"class", "members"}});
  html.Open("tr");
  for (absl::string_view h : {"Outlet", "Published", "Delay"}) {
    html.Element("th", {}, h);
  }
  for (absl::string_view h :
       {"Jaccard", "Containment", "Passages shared", "dropped", "added"}) {
    html.Element("th", {}, h);
  }
  html.Element("th", {}, "Title");
  html.Element("th", {}, "Id");
  html.Close();
  const auto row = [&](uint32_t document, const ReportCopy* copy) {
    const ReportRecord& r = report.records[document];
    html.Open("tr", copy == nullptr ? HtmlWriter::Attributes{{"class", "orig"}}
                                    : HtmlWriter::Attributes{});
    html.Element("td", {{"dir", "auto"}}, OutletName(report, r.outlet));
    html.Element("td",
                 r.date_state == DateState::kOk
                     ? HtmlWriter::Attributes{}
                     : HtmlWriter::Attributes{{"class", "gap"}},
                 DateText(r));
    if (copy == nullptr) {
      html.Element("td", {}, "original");
      for (int i = 0; i < 2; ++i) html.Element("td", {}, "1");
      html.Element("td", {}, absl::StrCat(cluster.original_passages.size()));
      html.Element("td", {}, "");
      html.Element("td", {}, "");
    } else {
      html.Element(
          "td", {},
          copy->delay_seconds
              ? FormatDelay(
                    *copy->delay_seconds,
                    r.date_only || report.records[cluster.original].date_only)
              : "?");
      html.Element("td", {}, Fixed2(copy->jaccard));
      html.Element("td", {}, Fixed2(copy->containment));
      html.Element("td", {}, absl::StrCat(copy->shared.size()));
      html.Element("td", {}, absl::StrCat(copy->dropped.size()));
      html.Element("td", {}, absl::StrCat(copy->added.size()));
    }
    // A copy's headline only when it is not the original's.
    html.Element("td", {{"dir", "auto"}},
                 copy != nullptr && !r.title.empty() &&
                         r.title == report.records[cluster.original].title
                     ? "(same)"
                     : r.title);
    html.Element("td", {}, corpus.Id(document));
    html.Close();
  };
  row(cluster.original, nullptr);
  for (const ReportCopy& copy : cluster.copies) row(copy.document, &copy);
  html.Close();
}

// Bytes of a passage every copy kept shown in the original's text: the
// changes are what the page is for, and a corpus of many stories would
// otherwise repeat every wire text whole (100,000 generated articles: 73 MB
// of page, 24 MB of it such passages).
constexpr size_t kKeptExcerptBytes = 200;

// The original's text, passage by passage, shared ones highlighted.
void WriteOriginal(const ReportCluster& cluster, absl::string_view text,
                   const ReportPageOptions& page, HtmlWriter& html) {
  html.Open("div", {{"class", "text"}, {"dir", "auto"}});
  size_t shown = 0;
  size_t hidden_passages = 0;
  const uint32_t copies = static_cast<uint32_t>(cluster.copies.size());
  for (size_t p = 0; p < cluster.original_passages.size(); ++p) {
    const PassageSpan span = cluster.original_passages[p];
    if (shown + (span.end - span.begin) > page.max_text_bytes && shown > 0) {
      ++hidden_passages;
      continue;
    }
    absl::string_view passage = SpanText(text, span);
    if (passage.size() > page.max_text_bytes) {
      passage = Prefix(passage, page.max_text_bytes);
      ++hidden_passages;
    }
    shown += passage.size();
    const uint32_t by = cluster.shared_by[p];
    html.Open("p", by == 0 ? HtmlWriter::Attributes{{"dir", "auto"},
                                                    {"class", "none"}}
                           : HtmlWriter::Attributes{{"dir", "auto"}});
    if (by == 0) {
      html.Text(passage);
    } else if (by == copies) {
      // Every copy kept it: its opening words say which passage it is.
      const absl::string_view opening = Prefix(passage, kKeptExcerptBytes);
      html.Element("mark", {},
                   opening.size() < passage.size()
                       ? absl::StrCat(opening, "\xE2\x80\xA6")
                       : std::string(opening));
    } else {
      html.Element("mark",
                   {{"class", "some"},
                    {"title", absl::StrCat("shared by ", by, " of ", copies,
                                           " copies")}},
                   passage);
    }
    html.Close();
  }
  if (hidden_passages > 0) {
    html.Element(
        "p", {{"class", "gap"}},
        absl::StrCat("The article is ", text.size(), " bytes; ",
                     hidden_passages, " passages past the first ",
                     page.max_text_bytes, " bytes are not shown here."));
  }
  html.Close();
}

// Bytes of a dropped passage quoted in a copy's changes.
constexpr size_t kDroppedExcerptBytes = 160;

// What one copy dropped (the opening of each passage) and added (in full,
// within a budget), quoted from the two texts.
void WriteChanges(const Report& report, const ReportCluster& cluster,
                  const ReportCopy& copy, absl::string_view original,
                  absl::string_view text, const ReportPageOptions& page,
                  const Corpus& corpus, HtmlWriter& html) {
  const ReportRecord& r = report.records[copy.document];
  html.Open("details", {{"class", "change"}, {"open", ""}});
  html.Open("summary");
  html.Text(absl::StrCat(OutletName(report, r.outlet), " (",
                         corpus.Id(copy.document), "): "));
  html.Text(absl::StrCat(copy.dropped.size(), " dropped, ", copy.added.size(),
                         " added"));
  html.Close();
  const size_t budget = page.max_text_bytes / 4;
  size_t used = 0;
  size_t hidden = 0;
  const auto quote = [&](absl::string_view tag, absl::string_view passage) {
    if (used >= budget) {
      ++hidden;
      return;
    }
    const absl::string_view shown = Prefix(passage, budget - used);
    used += shown.size();
    if (shown.size() < passage.size()) ++hidden;
    html.Element(tag, {{"dir", "auto"}}, shown);
  };
  // A dropped passage is on the page already, in the original's text:
  // its number and opening words say which one.
  for (uint32_t p : copy.dropped) {
    const absl::string_view passage =
        SpanText(original, cluster.original_passages[p]);
    const absl::string_view opening = Prefix(passage, kDroppedExcerptBytes);
    html.Element(
        "del", {{"dir", "auto"}},
        absl::StrCat("\xC2\xB6", p + 1, " ", opening,
                     opening.size() < passage.size() ? "\xE2\x80\xA6" : ""));
  }
  for (const PassageSpan& span : copy.added) quote("ins", SpanText(text, span));
  if (hidden > 0) {
    html.Element("p", {{"class", "gap"}},
                 absl::StrCat(hidden,
                              " more passages (or their ends) are not "
                              "shown, to keep the page small."));
  }
  html.Close();
}

absl::Status WriteCluster(const Corpus& corpus, const Report& report,
                          const ReportCluster& cluster, size_t number,
                          bool detailed, const ReportPageOptions& page,
                          TextScratch* original_scratch,
                          TextScratch* copy_scratch, HtmlWriter& html) {
  const ReportRecord& first = report.records[cluster.original];
  std::vector<uint32_t> outlets = {first.outlet};
  for (const ReportCopy& copy : cluster.copies) {
    outlets.push_back(report.records[copy.document].outlet);
  }
  std::sort(outlets.begin(), outlets.end());
  outlets.erase(std::unique(outlets.begin(), outlets.end()), outlets.end());
  std::string data_outlets = " ";
  for (uint32_t o : outlets) absl::StrAppend(&data_outlets, o, " ");

  html.Open("div", {{"class", "cluster"},
                    {"id", absl::StrCat("story-", number)},
                    {"data-outlets", data_outlets}});
  html.Open("details");
  html.Open("summary");
  html.Element("span", {{"class", "size"}}, absl::StrCat(cluster.size()));
  html.Element("span", {{"class", "title"}, {"dir", "auto"}},
               first.title.empty() ? "(no title)" : first.title);
  html.Text(" ");
  html.Element(
      "span", {{"class", "meta"}},
      absl::StrCat("first ", OutletName(report, first.outlet), ", ",
                   DateText(first), " \xC2\xB7 ", cluster.copies.size(),
                   cluster.copies.size() == 1 ? " copy" : " copies", " in ",
                   outlets.size(),
                   outlets.size() == 1 ? " outlet" : " outlets"));
  html.Close();
  html.Open("div", {{"class", "body"}});
  if (!detailed) {
    // Past the page's detailed stories: who ran it and when, and the
    // scores; no timeline or texts.
    WriteMembers(report, cluster, html, corpus);
    html.Element("p", {{"class", "gap"}},
                 absl::StrCat("Timeline and texts are shown for the ",
                              page.max_detailed_clusters,
                              " largest stories only (--detailed-stories)."));
    html.Close();
    html.Close();
    html.Close();
    return absl::OkStatus();
  }
  WriteTimeline(report, cluster, html);
  WriteMembers(report, cluster, html, corpus);
  NEARDUP_ASSIGN_OR_RETURN(absl::string_view original,
                           corpus.Text(cluster.original, original_scratch));
  html.Element("h4", {},
               absl::StrCat("The original (", corpus.Id(cluster.original),
                            "), passage by passage"));
  html.Open("p", {{"class", "legend"}});
  html.Element("mark", {}, "shared by every copy (opening words)");
  html.Text(" ");
  html.Element("mark", {{"class", "some"}}, "shared by some copies");
  html.Text(" plain: in no copy");
  html.Close();
  WriteOriginal(cluster, original, page, html);
  size_t unchanged = 0;
  size_t not_shown = 0;
  bool heading = false;
  // A story of hundreds of copies (a templated item) would otherwise quote
  // a few kilobytes for each of them.
  const size_t cluster_budget = page.max_text_bytes * 4;
  const size_t story_start = html.out()->size();
  for (const ReportCopy& copy : cluster.copies) {
    if (copy.dropped.empty() && copy.added.empty()) {
      ++unchanged;
      continue;
    }
    if (html.out()->size() - story_start > cluster_budget) {
      ++not_shown;
      continue;
    }
    if (!heading) {
      html.Element(
          "h4", {},
          "What each copy changed (struck: a passage of the original it "
          "dropped, by number and opening words; blue: a passage it "
          "added)");
      heading = true;
    }
    NEARDUP_ASSIGN_OR_RETURN(absl::string_view text,
                             corpus.Text(copy.document, copy_scratch));
    WriteChanges(report, cluster, copy, original, text, page, corpus, html);
  }
  if (not_shown > 0) {
    html.Element("p", {{"class", "gap"}},
                 absl::StrCat("The changes of ", not_shown, " more ",
                              not_shown == 1 ? "copy are" : "copies are",
                              " not quoted, to keep the page small; the "
                              "table above counts them."));
  }
  if (unchanged > 0) {
    html.Element(
        "p", {{"class", "note"}},
        unchanged == cluster.copies.size()
            ? std::string("Every copy shares every passage of the "
                          "original and adds none.")
            : absl::StrCat(unchanged,
                           unchanged == 1 ? " copy shares" : " copies share",
                           " every passage of the original and "
                           "add none."));
  }
  html.Close();
  html.Close();
  html.Close();
  return absl::OkStatus();
}

}  // namespace

absl::Status AppendReportHtml(const Corpus& corpus, const Report& report,
                              const ReportPageOptions& page, std::string* out) {
  HtmlWriter html(out);
  html.Raw("<!DOCTYPE html>\n");
  html.Open("html", {{"lang", "en"}});
  html.Open("head");
  html.Void("meta", {{"charset", "utf-8"}});
  html.Void("meta", {{"name", "viewport"},
                     {"content", "width=device-width, initial-scale=1"}});
  html.Element("title", {}, page.title);
  html.Open("style");
  html.Raw(kStyle);
  html.Close();
  html.Close();
  html.Open("body");
  html.Open("header");
  html.Element("h1", {}, page.title);
  html.Element(
      "p", {{"class", "sub"}},
      absl::StrCat(page.subtitle, page.subtitle.empty() ? "" : " \xC2\xB7 ",
                   "made by neardup report"));
  html.Open("nav");
  html.Element("a", {{"href", "#overview"}}, "Overview");
  html.Element("a", {{"href", "#matrix"}}, "Who reprints whom");
  html.Element("a", {{"href", "#stories"}}, "Stories");
  html.Close();
  html.Close();
  WriteOverview(report, html);
  WriteMatrix(report, page, html);

  html.Open("section", {{"id", "stories"}});
  html.Element("h2", {},
               absl::StrCat("Stories (", report.clusters.size(), ")"));
  html.Element("p", {{"class", "note"}},
               "Largest first. Open a story for its timeline, its members "
               "and what each copy changed.");
  html.Open("div", {{"id", "controls"}, {"hidden", ""}});
  html.Open("label");
  html.Text("Outlet ");
  html.Open("select", {{"id", "outlet-filter"}});
  html.Element("option", {{"value", ""}}, "all outlets");
  for (size_t o = 0; o < report.outlets.size(); ++o) {
    html.Element("option", {{"value", absl::StrCat(o)}},
                 OutletName(report, static_cast<uint32_t>(o)));
  }
  html.Close();
  html.Close();
  html.Open("label");
  html.Text("Title ");
  html.Void("input", {{"id", "title-search"},
                      {"type", "search"},
                      {"placeholder", "words in the title"}});
  html.Close();
  html.Element("span", {{"id", "shown"}}, "");
  html.Close();
  TextScratch original_scratch;
  TextScratch copy_scratch;
  for (size_t c = 0; c < report.clusters.size(); ++c) {
    const bool detailed =
        page.max_detailed_clusters == 0 || c < page.max_detailed_clusters;
    NEARDUP_RETURN_IF_ERROR(
        WriteCluster(corpus, report, report.clusters[c], c + 1, detailed, page,
                     &original_scratch, &copy_scratch, html));
  }
  html.Close();
  html.Open("script");
  html.Raw(kScript);
  html.Close();
  html.CloseAll();
  out->push_back('\n');
  return absl::OkStatus();
}

}  // namespace neardup
