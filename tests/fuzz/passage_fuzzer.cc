// libFuzzer target: passage segmentation, byte spans and passage removal on
// arbitrary text, and the PassageMatcher over it.
//
// An input is:
//   byte 0   max_chars: 1 + byte % 64 below 192 (so long paragraphs are cut
//            into sentence windows), else the default 500;
//   byte 1   which passages RemovePassages drops (passage i when bit i % 8
//            is set); with bit 7 set, a PassageMatcher also indexes the
//            text's two halves and the first half again, and matches the
//            whole text;
//   the rest the text.
// Promises checked:
//   - every span lies inside the text, is not empty, starts and ends on
//     UTF-8 boundaries and has no white space at either end; spans are in
//     text order and do not overlap;
//   - every byte of a code point that is not white space lies in exactly
//     one span (passage.h: "every byte that is not white space belongs to
//     exactly one passage");
//   - RemovePassages drops the chosen spans and white space only: the text
//     left, without white space, is the text without the spans, without
//     white space (checked exactly for valid UTF-8);
//   - PassageMatcher: repeats point at passages of their documents that
//     Segment() returns, originals come first, and Match() spans lie in the
//     query text.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "neardup/passage.h"
#include "src/internal/normalize_internal.h"
#include "src/internal/utf8.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using neardup::PassageSpan;

// Calls fn(pos, length, space) for each code point of `text` (an invalid
// sequence is one, and not white space).
template <typename Fn>
void ForEachCodePoint(absl::string_view text, Fn&& fn) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  for (size_t pos = 0; pos < text.size();) {
    char32_t c;
    bool invalid = false;
    const uint32_t length = neardup::internal::DecodeUtf8CodePoint(
        bytes + pos, bytes + text.size(), &c, &invalid);
    fn(pos, length, !invalid && neardup::internal::IsPythonWhitespace(c));
    pos += length;
  }
}

// The bytes of `text` that are not white space.
std::string WithoutSpace(absl::string_view text) {
  std::string out;
  ForEachCodePoint(text, [&](size_t pos, uint32_t length, bool space) {
    if (!space) out.append(text.data() + pos, length);
  });
  return out;
}

void CheckSpans(absl::string_view text, const std::vector<PassageSpan>& spans,
                const std::vector<bool>& boundary) {
  // 0: white space; 1: other text, not yet covered; 2: covered.
  std::vector<uint8_t> state(text.size(), 0);
  ForEachCodePoint(text, [&](size_t pos, uint32_t length, bool space) {
    for (uint32_t k = 0; k < length; ++k) state[pos + k] = space ? 0 : 1;
  });
  uint32_t previous_end = 0;
  for (size_t i = 0; i < spans.size(); ++i) {
    const PassageSpan s = spans[i];
    NEARDUP_FUZZ_CHECK(s.begin < s.end && s.end <= text.size(), "span ", i,
                       " [", s.begin, ", ", s.end, ") of ", text.size());
    NEARDUP_FUZZ_CHECK(s.begin >= previous_end, "span ", i, " overlaps");
    NEARDUP_FUZZ_CHECK(boundary[s.begin] && boundary[s.end], "span ", i, " [",
                       s.begin, ", ", s.end, ") splits a UTF-8 sequence");
    NEARDUP_FUZZ_CHECK(state[s.begin] == 1 && state[s.end - 1] == 1, "span ", i,
                       " [", s.begin, ", ", s.end,
                       ") starts or ends with white space");
    for (uint32_t k = s.begin; k < s.end; ++k) {
      if (state[k] == 1) state[k] = 2;
    }
    previous_end = s.end;
  }
  for (size_t k = 0; k < text.size(); ++k) {
    NEARDUP_FUZZ_CHECK(state[k] != 1, "byte ", k, " is in no passage");
  }
}

void CheckRemoval(absl::string_view text, const std::vector<PassageSpan>& spans,
                  uint8_t mask) {
  std::vector<PassageSpan> dropped;
  std::string kept;
  uint32_t from = 0;
  size_t dropped_bytes = 0;
  for (size_t i = 0; i < spans.size(); ++i) {
    if (!((mask >> (i % 8)) & 1)) continue;
    dropped.push_back(spans[i]);
    kept += WithoutSpace(text.substr(from, spans[i].begin - from));
    from = spans[i].end;
    dropped_bytes += spans[i].end - spans[i].begin;
  }
  kept += WithoutSpace(text.substr(from));
  const std::string removed = neardup::RemovePassages(text, dropped);
  NEARDUP_FUZZ_CHECK(removed.size() + dropped_bytes <= text.size());
  if (neardup::fuzz::IsValidUtf8(text)) {
    NEARDUP_FUZZ_CHECK(WithoutSpace(removed) == kept,
                       "RemovePassages changed text outside the spans");
  }
}

void CheckMatcher(absl::string_view text, int max_chars) {
  const std::string first(text.substr(0, text.size() / 2));
  const std::string second(text.substr(text.size() / 2));
  neardup::PassageOptions options;
  options.ngram = 2;
  options.num_perm = 16;
  options.min_chars = 1;
  options.max_chars = max_chars;
  options.threads = 1;
  absl::StatusOr<neardup::PassageMatcher> matcher =
      neardup::PassageMatcher::Create(options);
  NEARDUP_FUZZ_CHECK(matcher.ok(), matcher.status().message());
  const std::string* documents[] = {&first, &second, &first};
  std::vector<std::vector<PassageSpan>> segments;
  for (const std::string* document : documents) {
    NEARDUP_FUZZ_CHECK(matcher->Add(*document).ok());
    segments.emplace_back();
    neardup::Segment(*document, {.max_chars = max_chars}, &segments.back());
  }
  const absl::Status built = matcher->Build();
  NEARDUP_FUZZ_CHECK(built.ok(), built.message());
  auto is_passage = [&](const neardup::PassageRef& ref) {
    if (ref.document >= segments.size()) return false;
    for (const PassageSpan& s : segments[ref.document]) {
      if (s == ref.span) return true;
    }
    return false;
  };
  for (const neardup::RepeatedPassage& r : matcher->repeats()) {
    NEARDUP_FUZZ_CHECK(is_passage(r.passage) && is_passage(r.original));
    NEARDUP_FUZZ_CHECK(r.original.document < r.passage.document ||
                       (r.original.document == r.passage.document &&
                        r.original.span.begin < r.passage.span.begin));
    NEARDUP_FUZZ_CHECK(r.jaccard >= 0 && r.jaccard <= 1);
  }
  absl::StatusOr<std::vector<neardup::PassageMatch>> matches =
      matcher->Match(text);
  NEARDUP_FUZZ_CHECK(matches.ok(), matches.status().message());
  for (const neardup::PassageMatch& m : *matches) {
    NEARDUP_FUZZ_CHECK(m.span.begin < m.span.end && m.span.end <= text.size());
    NEARDUP_FUZZ_CHECK(is_passage(m.indexed));
    NEARDUP_FUZZ_CHECK(m.jaccard >= options.threshold && m.jaccard <= 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const int max_chars = data[0] < 192 ? 1 + data[0] % 64 : 500;
  const uint8_t mask = data[1];
  const absl::string_view text(reinterpret_cast<const char*>(data) + 2,
                               size - 2);
  std::vector<PassageSpan> spans;
  neardup::Segment(text, {.max_chars = max_chars}, &spans);
  CheckSpans(text, spans, neardup::fuzz::Utf8Boundaries(text));
  CheckRemoval(text, spans, mask);
  if (mask & 128) CheckMatcher(text, max_chars);
  return 0;
}
