// libFuzzer target: UTF-8 decoding and every normalisation mode on
// arbitrary bytes.
//
// The whole input is the text. Promises checked:
//   - the three UTF-8 decoders agree: DecodeUtf8 (the bulk decoder),
//     DecodeUtf8CodePoint one at a time, and Utf8SequenceLength (the
//     repairer's, used by the JSON writer and the loader), on every code
//     point, every offset and the count of invalid sequences;
//   - kNone gives exactly the decoded code points;
//   - kWhitespace gives kNone's code points with each run of white space
//     (Python's str.isspace()) collapsed to one U+0020 and a leading run
//     dropped;
//   - kFull's fast path gives exactly what the ICU-only reference path
//     gives: code points, offsets and the invalid count (the differential
//     check the normaliser's tests make on samples, here on every input);
//   - in every mode, with offsets on: one span per code point, each within
//     the text, begin <= end, begins and ends non-decreasing and on UTF-8
//     boundaries; with offsets off: the same code points;
//   - output code points are scalar values (no surrogates, nothing above
//     U+10FFFF, no removal marker).
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "neardup/normalize.h"
#include "src/internal/normalize_internal.h"
#include "src/internal/utf8.h"
#include "src/internal/utf8_repair.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using neardup::NormalizedText;
using neardup::NormalizeMode;
using neardup::Normalizer;

const Normalizer& GetNormalizer(NormalizeMode mode, bool offsets) {
  static const Normalizer* normalizers[3][2] = {};
  const Normalizer*& slot = normalizers[static_cast<int>(mode)][offsets];
  if (slot == nullptr) {
    absl::StatusOr<Normalizer> made =
        Normalizer::Create({.mode = mode, .record_offsets = offsets});
    NEARDUP_FUZZ_CHECK(made.ok(), made.status().message());
    slot = new Normalizer(*std::move(made));
  }
  return *slot;
}

void CheckDecoders(absl::string_view text, std::vector<char32_t>* decoded) {
  std::vector<uint32_t> offsets;
  const size_t invalid = neardup::internal::DecodeUtf8(text, decoded, &offsets);
  NEARDUP_FUZZ_CHECK(offsets.size() == decoded->size());
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  size_t pos = 0, count = 0, invalid_seen = 0;
  while (pos < text.size()) {
    NEARDUP_FUZZ_CHECK(count < decoded->size(), "decoder stopped at ", pos);
    char32_t c = 0;
    bool bad = false;
    const uint32_t length = neardup::internal::DecodeUtf8CodePoint(
        bytes + pos, bytes + text.size(), &c, &bad);
    size_t repair_invalid = 0;
    const size_t repair_length =
        neardup::internal::Utf8SequenceLength(text, pos, &repair_invalid);
    NEARDUP_FUZZ_CHECK(
        (repair_length != 0 ? repair_length : repair_invalid) == length,
        "at byte ", pos, ": ", length, " vs ", repair_length, "/",
        repair_invalid);
    NEARDUP_FUZZ_CHECK(bad == (repair_length == 0), "at byte ", pos);
    NEARDUP_FUZZ_CHECK(offsets[count] == pos, "code point ", count, " at ",
                       offsets[count], ", expected ", pos);
    NEARDUP_FUZZ_CHECK((*decoded)[count] == c, "code point ", count);
    invalid_seen += bad;
    pos += length;
    ++count;
  }
  NEARDUP_FUZZ_CHECK(count == decoded->size());
  NEARDUP_FUZZ_CHECK(invalid == invalid_seen);
  std::string repaired;
  NEARDUP_FUZZ_CHECK(neardup::internal::AppendSanitizedUtf8(text, &repaired) ==
                     invalid);
  std::string encoded;
  neardup::internal::AppendUtf8(decoded->data(),
                                decoded->data() + decoded->size(), &encoded);
  NEARDUP_FUZZ_CHECK(encoded == repaired);
}

void CheckSpans(absl::string_view text, const NormalizedText& out,
                const std::vector<bool>& boundary, absl::string_view mode) {
  NEARDUP_FUZZ_CHECK(out.source_begin.size() == out.code_points.size(), mode);
  NEARDUP_FUZZ_CHECK(out.source_end.size() == out.code_points.size(), mode);
  for (size_t i = 0; i < out.code_points.size(); ++i) {
    const char32_t c = out.code_points[i];
    NEARDUP_FUZZ_CHECK(c <= 0x10FFFF && (c < 0xD800 || c > 0xDFFF), mode,
                       ": code point ", i, " is ", static_cast<uint32_t>(c));
    const uint32_t begin = out.source_begin[i], end = out.source_end[i];
    NEARDUP_FUZZ_CHECK(begin <= end && end <= text.size(), mode, ": span ", i,
                       " [", begin, ", ", end, ")");
    NEARDUP_FUZZ_CHECK(boundary[begin] && boundary[end], mode, ": span ", i,
                       " [", begin, ", ", end, ") splits a sequence");
    if (i > 0) {
      NEARDUP_FUZZ_CHECK(
          begin >= out.source_begin[i - 1] && end >= out.source_end[i - 1],
          mode, ": span ", i, " goes back");
    }
  }
}

bool SameOutput(const NormalizedText& a, const NormalizedText& b) {
  return a.code_points == b.code_points && a.source_begin == b.source_begin &&
         a.source_end == b.source_end && a.invalid_utf8 == b.invalid_utf8;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<char32_t> decoded;
  CheckDecoders(text, &decoded);
  const std::vector<bool> boundary = neardup::fuzz::Utf8Boundaries(text);
  size_t invalid = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t invalid_length = 0;
    const size_t length =
        neardup::internal::Utf8SequenceLength(text, pos, &invalid_length);
    invalid += length == 0;
    pos += length != 0 ? length : invalid_length;
  }

  NormalizedText with, without;
  for (NormalizeMode mode : {NormalizeMode::kNone, NormalizeMode::kWhitespace,
                             NormalizeMode::kFull}) {
    const absl::string_view name = neardup::NormalizeModeName(mode);
    GetNormalizer(mode, true).Normalize(text, &with);
    GetNormalizer(mode, false).Normalize(text, &without);
    CheckSpans(text, with, boundary, name);
    NEARDUP_FUZZ_CHECK(with.code_points == without.code_points, name);
    NEARDUP_FUZZ_CHECK(without.source_begin.empty(), name);
    NEARDUP_FUZZ_CHECK(with.invalid_utf8 == invalid, name);
    NEARDUP_FUZZ_CHECK(without.invalid_utf8 == invalid, name);
    switch (mode) {
      case NormalizeMode::kNone:
        NEARDUP_FUZZ_CHECK(with.code_points == decoded);
        break;
      case NormalizeMode::kWhitespace: {
        std::vector<char32_t> expected;
        bool in_space = true;  // A leading run is dropped.
        for (char32_t c : decoded) {
          if (neardup::internal::IsPythonWhitespace(c)) {
            if (!in_space) expected.push_back(U' ');
            in_space = true;
          } else {
            expected.push_back(c);
            in_space = false;
          }
        }
        NEARDUP_FUZZ_CHECK(with.code_points == expected);
        break;
      }
      case NormalizeMode::kFull: {
        NormalizedText reference;
        neardup::internal::NormalizeFullWithIcuOnly(text, true, &reference);
        NEARDUP_FUZZ_CHECK(SameOutput(with, reference),
                           "fast path and ICU path differ");
        neardup::internal::NormalizeFullWithIcuOnly(text, false, &reference);
        NEARDUP_FUZZ_CHECK(reference.code_points == without.code_points,
                           "fast path and ICU path differ without offsets");
        for (char32_t c : with.code_points) {
          NEARDUP_FUZZ_CHECK(c != neardup::internal::kFoldRemoved);
        }
        break;
      }
    }
  }
  return 0;
}
