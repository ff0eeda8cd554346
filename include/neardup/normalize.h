// Text normalisation: the first stage of the neardup pipeline.
//
// News copies of one story differ in exactly the details normalisation
// removes: Arabic comma vs ASCII comma, «» vs “”, diacritics, tatweel, alef
// forms, Arabic-Indic digits, letter case and runs of white space. The
// normaliser turns UTF-8 into a sequence of code points with those
// differences folded away, and remembers for every output code point which
// input bytes it came from, so matches can be reported as byte spans of the
// caller's original text.
//
// Example:
//
//   absl::StatusOr<neardup::Normalizer> normalizer =
//       neardup::Normalizer::Create({});  // full mode
//   if (!normalizer.ok()) return normalizer.status();
//   neardup::NormalizedText out;
//   normalizer->Normalize("«أهلاً»  World", &out);
//   // out.code_points holds U"\"اهلا\" world"; out.source_begin[i] and
//   // out.source_end[i] delimit the input bytes behind code point i.
#ifndef NEARDUP_INCLUDE_NEARDUP_NORMALIZE_H_
#define NEARDUP_INCLUDE_NEARDUP_NORMALIZE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace neardup {

enum class NormalizeMode {
  // Code points exactly as given (invalid UTF-8 still becomes U+FFFD).
  kNone,
  // Runs of white space collapsed to one U+0020; leading white space dropped.
  // "White space" is what Python's str.isspace() accepts, so results match
  // ground truth made with `re.sub(r"\s+", " ", text).lstrip()`.
  kWhitespace,
  // The default: NFKC with case folding (ICU's NFKC_Casefold), punctuation
  // variants unified, Arabic folded (diacritics and tatweel removed, alef
  // forms to bare alef, alef maqsura to yaa, taa marbuta to haa,
  // Arabic-Indic and Persian digits to ASCII), then white space as kWhitespace.
  kFull,
};

// Bumped whenever any mode's output changes for some input. Persisted indexes
// record it, because a change invalidates every stored signature.
inline constexpr int kNormalizationVersion = 1;

// "none", "ws" or "full".
absl::string_view NormalizeModeName(NormalizeMode mode);

// Parses "none", "ws" or "full". InvalidArgument otherwise.
absl::StatusOr<NormalizeMode> ParseNormalizeMode(absl::string_view name);

struct NormalizeOptions {
  NormalizeMode mode = NormalizeMode::kFull;
  // When false, NormalizedText::source_begin/source_end stay empty. Clustering
  // whole documents does not need them; passage matching does.
  bool record_offsets = true;
};

// The output of Normalizer::Normalize. Reuse one object per thread: its
// vectors keep their capacity, so steady-state normalisation allocates nothing.
struct NormalizedText {
  std::vector<char32_t> code_points;
  // When offsets are recorded, code point i came from input bytes
  // [source_begin[i], source_end[i]). Spans are non-decreasing, never split a
  // UTF-8 sequence, and a code point produced by a run of several input code
  // points (a collapsed white-space run, a base letter plus removed
  // diacritics) covers the whole run.
  std::vector<uint32_t> source_begin;
  std::vector<uint32_t> source_end;
  // Number of invalid UTF-8 sequences in the input, each replaced by U+FFFD.
  size_t invalid_utf8 = 0;

  void Clear() {
    code_points.clear();
    source_begin.clear();
    source_end.clear();
    invalid_utf8 = 0;
  }
};

// Converts UTF-8 text to normalised code points.
//
// Thread safety: Normalize() is const and may be called from many threads at
// once, each with its own NormalizedText.
class Normalizer {
 public:
  // Fails (Internal) only if ICU's normalisation data cannot be loaded.
  static absl::StatusOr<Normalizer> Create(const NormalizeOptions& options);

  Normalizer(Normalizer&&) noexcept;
  Normalizer& operator=(Normalizer&&) noexcept;
  ~Normalizer();

  // Replaces the contents of `out` with the normalised form of `utf8`. Never
  // fails: invalid UTF-8 sequences become U+FFFD and are counted. Inputs
  // must be shorter than 4 GiB (offsets are 32-bit); callers reject larger
  // documents before calling.
  void Normalize(absl::string_view utf8, NormalizedText* out) const;

  const NormalizeOptions& options() const { return options_; }

 private:
  struct Tables;
  Normalizer(NormalizeOptions options, std::unique_ptr<const Tables> tables);

  NormalizeOptions options_;
  std::unique_ptr<const Tables> tables_;
};

}  // namespace neardup

#endif  // NEARDUP_INCLUDE_NEARDUP_NORMALIZE_H_
