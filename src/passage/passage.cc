#include "neardup/passage.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "neardup/cluster.h"
#include "neardup/verify.h"
#include "src/internal/match_stages.h"
#include "src/internal/page_release.h"
#include "src/internal/parallel.h"
#include "src/internal/stage.h"
#include "src/internal/status_macros.h"
#include "src/internal/utf8.h"
#include "src/internal/validate.h"

namespace neardup {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// ---------------------------------------------------------------------------
// Segmentation.

bool IsLineBreak(char32_t c) {
  return c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029;
}

// What Python's str.isspace() accepts (as the normaliser's kWhitespace), so
// trimming agrees with what normalisation would drop anyway.
bool IsSpace(char32_t c) {
  if (c < 0x80)
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
  return c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

bool IsSentenceEnd(char32_t c) {
  return c == '.' || c == '!' || c == '?' || c == 0x061F /* ؟ */ ||
         c == 0x061B /* ؛ */ || c == 0x2026 /* … */;
}

// Closing marks that may follow the sentence's punctuation: `.»`, `?"`.
bool IsClosing(char32_t c) {
  return c == '"' || c == '\'' || c == ')' || c == ']' || c == 0xBB /* » */ ||
         c == 0x201D /* ” */ || c == 0x2019 /* ’ */;
}

// Decodes one code point at text[pos]; returns its byte length.
uint32_t Decode(absl::string_view text, size_t pos, char32_t* c) {
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  bool invalid = false;
  return internal::DecodeUtf8CodePoint(p + pos, p + text.size(), c, &invalid);
}

// Code points in text[from, to): bytes that do not continue a sequence
// (an invalid byte counts as one, as U+FFFD would).
uint32_t CountCodePoints(absl::string_view text, uint32_t from, uint32_t to) {
  uint32_t n = 0;
  for (uint32_t i = from; i < to; ++i) {
    n += (static_cast<uint8_t>(text[i]) & 0xC0) != 0x80;
  }
  return n;
}

// The length of the sentence terminator starting at bytes[pos], or 0.
uint32_t TerminatorLength(const uint8_t* bytes, uint32_t pos, uint32_t end) {
  const uint8_t b = bytes[pos];
  if (b == '.' || b == '!' || b == '?') return 1;
  if (b == 0xD8 && pos + 1 < end &&
      (bytes[pos + 1] == 0x9F || bytes[pos + 1] == 0x9B)) {
    return 2;
  }
  if (b == 0xE2 && pos + 2 < end && bytes[pos + 1] == 0x80 &&
      bytes[pos + 2] == 0xA6) {
    return 3;
  }
  return 0;
}

// The length of the line break starting at bytes[pos] (\n, \r\n, \r,
// U+2028, U+2029), or 0.
uint32_t LineBreakLength(const uint8_t* bytes, uint32_t pos, uint32_t size) {
  const uint8_t b = bytes[pos];
  if (b == '\n') return 1;
  if (b == '\r') return pos + 1 < size && bytes[pos + 1] == '\n' ? 2 : 1;
  if (b == 0xE2 && pos + 2 < size && bytes[pos + 1] == 0x80 &&
      (bytes[pos + 2] == 0xA8 || bytes[pos + 2] == 0xA9)) {
    return 3;
  }
  return 0;
}

// The code point that ends just before byte `pos` (which must be > 0 and
// on a code point boundary); sets *len to its length.
char32_t DecodeBefore(absl::string_view text, size_t pos, uint32_t* len) {
  size_t start = pos - 1;
  // Step back over at most three continuation bytes.
  while (start > 0 && pos - start < 4 &&
         (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) {
    --start;
  }
  char32_t c;
  uint32_t decoded = Decode(text, start, &c);
  if (start + decoded != pos) {  // Not one sequence: treat as one byte.
    *len = 1;
    return internal::kReplacementCharacter;
  }
  *len = decoded;
  return c;
}

// One line of a text, trimmed to [first, last).
struct Line {
  uint32_t first;
  uint32_t last;
  uint32_t cps;  // Code points in [first, last).
  bool blank;
  bool indented;       // White space before its text.
  bool ends_sentence;  // Its text ends with sentence punctuation.
};

// Whether line breaks inside runs of lines are soft wraps (Reuters-style
// text wrapped at a fixed width, paragraphs marked by indentation or blank
// lines) rather than paragraph ends. Looks at every line followed by a
// non-blank, non-indented line ("joins"): in wrapped text there are several,
// nearly all are, with the line after them, at most 100 code points, most
// end inside a sentence, and most are nearly as long as the longest (the
// wrap width). News that puts one paragraph on each line fails the width
// test (a subheading above its paragraph too) or the punctuation test; lists
// fail the evenness test.
bool IsHardWrapped(const std::vector<Line>& lines) {
  size_t joins = 0, narrow = 0, open = 0;
  uint32_t widest = 0;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    if (lines[i].blank || lines[i + 1].blank || lines[i + 1].indented) {
      continue;
    }
    ++joins;
    narrow += lines[i].cps <= 100 && lines[i + 1].cps <= 100;
    open += !lines[i].ends_sentence;
    widest = std::max(widest, lines[i].cps);
  }
  if (joins < 3 || narrow * 10 < joins * 9 || open * 2 < joins) return false;
  size_t even = 0;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    if (lines[i].blank || lines[i + 1].blank || lines[i + 1].indented) {
      continue;
    }
    even += lines[i].cps * 4 >= widest * 3;
  }
  return even * 3 >= joins * 2;
}

struct Sentence {
  uint32_t begin;  // Bytes.
  uint32_t end;
  uint32_t cp_begin;  // Code points from the paragraph's start.
  uint32_t cp_end;
};

// Cuts the trimmed paragraph [begin, end) (of `cps` code points) into
// windows of whole sentences.
void SegmentLongParagraph(absl::string_view text, uint32_t begin, uint32_t end,
                          uint32_t cps, uint32_t max_chars,
                          std::vector<PassageSpan>* out) {
  thread_local std::vector<Sentence> sentences;
  sentences.clear();
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  uint32_t sentence_begin = begin, sentence_cp = 0;
  // Code points before `counted`, from the paragraph's start.
  uint32_t counted = begin, cp = 0;
  auto count_to = [&](uint32_t to) {
    cp += CountCodePoints(text, counted, to);
    counted = to;
  };
  uint32_t pos = begin;
  while (pos < end) {
    // Only bytes that can start a terminator need a look: . ! ? (ASCII),
    // ؟ ؛ (D8 9F, D8 9B) and … (E2 80 A6).
    const uint32_t len = TerminatorLength(bytes, pos, end);
    if (len == 0) {
      ++pos;
      continue;
    }
    pos += len;
    // Take further terminators and closing marks ("?!", "...", ".»").
    while (pos < end) {
      char32_t next;
      const uint32_t next_len = Decode(text, pos, &next);
      if (!IsSentenceEnd(next) && !IsClosing(next)) break;
      pos += next_len;
    }
    if (pos >= end) break;
    char32_t next;
    Decode(text, pos, &next);
    if (!IsSpace(next)) continue;
    count_to(pos);
    sentences.push_back({sentence_begin, pos, sentence_cp, cp});
    // Skip the white space to the next sentence.
    while (pos < end) {
      const uint32_t space_len = Decode(text, pos, &next);
      if (!IsSpace(next)) break;
      pos += space_len;
    }
    count_to(pos);
    sentence_begin = pos;
    sentence_cp = cp;
  }
  if (sentence_begin < end) {
    sentences.push_back({sentence_begin, end, sentence_cp, cps});
  }
  // As even as the sentences allow: aim for equal windows of at most
  // max_chars, so a paragraph slightly over the limit does not leave a
  // tiny last window that is too short to match.
  const uint32_t windows = (cps + max_chars - 1) / max_chars;
  const uint32_t target = (cps + windows - 1) / windows;
  size_t i = 0;
  while (i < sentences.size()) {
    size_t j = i;
    while (j + 1 < sentences.size()) {
      const uint32_t current = sentences[j].cp_end - sentences[i].cp_begin;
      const uint32_t with_next =
          sentences[j + 1].cp_end - sentences[i].cp_begin;
      if (current >= target || with_next > max_chars) break;
      ++j;
    }
    out->push_back({sentences[i].begin, sentences[j].end});
    i = j + 1;
  }
}

// ---------------------------------------------------------------------------
// Matching.

using internal::FirstError;
using internal::StageProgress;

// A passage of a document, numbered in input order.
struct Passage {
  uint32_t document;
  PassageSpan span;
};

// Per-worker buffers, reused across documents.
struct Scratch {
  TextScratch text;
  NormalizedText normalized;
  std::vector<uint64_t> shingles;
};

constexpr size_t kDocumentsPerChunk = 32;

}  // namespace

void Segment(absl::string_view text, const SegmentOptions& options,
             std::vector<PassageSpan>* out) {
  const uint32_t max_chars =
      static_cast<uint32_t>(std::max(options.max_chars, 1));
  const uint32_t size = static_cast<uint32_t>(text.size());
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());

  // Pass 1: the lines, trimmed.
  thread_local std::vector<Line> lines;
  lines.clear();
  uint32_t pos = 0;
  while (pos < size) {
    uint32_t line_end = pos;
    uint32_t break_len = 0;
    while (line_end < size &&
           (break_len = LineBreakLength(bytes, line_end, size)) == 0) {
      ++line_end;
    }
    uint32_t first = pos;
    while (first < line_end) {
      char32_t c;
      const uint32_t len = Decode(text, first, &c);
      if (!IsSpace(c)) break;
      first += len;
    }
    uint32_t last = line_end;
    while (last > first) {
      uint32_t len;
      if (!IsSpace(DecodeBefore(text, last, &len))) break;
      last -= len;
    }
    Line line{first, last, 0, first == last, first > pos, false};
    if (!line.blank) {
      line.cps = CountCodePoints(text, first, last);
      uint32_t len;
      const char32_t end = DecodeBefore(text, last, &len);
      line.ends_sentence = IsSentenceEnd(end) || IsClosing(end);
    }
    lines.push_back(line);
    pos = line_end + break_len;
  }

  auto emit = [&](uint32_t first, uint32_t last) {
    const uint32_t cps = CountCodePoints(text, first, last);
    if (cps <= max_chars) {
      out->push_back({first, last});
    } else {
      SegmentLongParagraph(text, first, last, cps, max_chars, out);
    }
  };
  if (!IsHardWrapped(lines)) {
    for (const Line& line : lines) {
      if (!line.blank) emit(line.first, line.last);
    }
    return;
  }
  // Hard-wrapped text: a paragraph runs until a blank line or an indented
  // line.
  size_t i = 0;
  while (i < lines.size()) {
    if (lines[i].blank) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j + 1 < lines.size() && !lines[j + 1].blank &&
           !lines[j + 1].indented) {
      ++j;
    }
    emit(lines[i].first, lines[j].last);
    i = j + 1;
  }
}

absl::Status ValidatePassageOptions(const PassageOptions& options) {
  NEARDUP_RETURN_IF_ERROR(
      internal::ValidateMatchSettings({.ngram = options.ngram,
                                       .num_perm = options.num_perm,
                                       .threshold = options.threshold,
                                       .bands = options.bands,
                                       .rows = options.rows,
                                       .threads = options.threads}));
  if (options.min_chars < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--min-chars must be at least 1, got ", options.min_chars));
  }
  if (options.max_chars < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--max-chars must be at least 1, got ", options.max_chars));
  }
  // Long paragraphs are cut into windows of about max_chars, so with
  // min_chars above that no passage would ever be long enough to match.
  if (options.min_chars > options.max_chars) {
    return absl::InvalidArgumentError(
        absl::StrCat("--min-chars ", options.min_chars,
                     " is above --max-chars ", options.max_chars,
                     ", so no passage could match; lower --min-chars or raise "
                     "--max-chars"));
  }
  return absl::OkStatus();
}

namespace {

// A band key of one indexed passage; tables sort by (key, passage).
struct KeyedPassage {
  uint64_t key;
  uint32_t passage;
  friend bool operator<(const KeyedPassage& a, const KeyedPassage& b) {
    return a.key != b.key ? a.key < b.key : a.passage < b.passage;
  }
};

internal::MatchStageSettings StageSettings(const PassageOptions& options) {
  return {.normalize = options.normalize,
          .num_perm = options.num_perm,
          .algorithm = options.algorithm,
          .seed = options.seed,
          .threshold = options.threshold,
          .bands = options.bands,
          .rows = options.rows,
          .min_recall = options.min_recall};
}

// What PassageMatcher keeps from the batch to answer Match() queries.
struct IndexParts {
  BandParams bands;
  std::vector<Passage> passages;
  // One sorted table per band, present passages only.
  std::vector<std::vector<KeyedPassage>> tables;
};

absl::StatusOr<PassageResult> FindRepeatedPassagesImpl(
    const Corpus& corpus, const PassageOptions& options,
    const PassageProgress& progress, IndexParts* keep);

}  // namespace

absl::StatusOr<PassageResult> FindRepeatedPassages(
    const Corpus& corpus, const PassageOptions& options,
    const PassageProgress& progress) {
  return FindRepeatedPassagesImpl(corpus, options, progress, nullptr);
}

namespace {

absl::StatusOr<PassageResult> FindRepeatedPassagesImpl(
    const Corpus& corpus, const PassageOptions& options,
    const PassageProgress& progress, IndexParts* keep) {
  NEARDUP_RETURN_IF_ERROR(ValidatePassageOptions(options));
  if (corpus.size() >= std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError(
        "more than 4 billion documents; split the input");
  }
  NEARDUP_ASSIGN_OR_RETURN(internal::MatchStages stages,
                           internal::MakeMatchStages(StageSettings(options)));
  const BandParams bands = stages.bands;
  const Normalizer& normalizer = stages.normalizer;
  const MinHasher& hasher = stages.hasher;
  const ShingleOptions shingle_options{.ngram = options.ngram,
                                       .seed = options.seed};
  const SegmentOptions segment_options{.max_chars = options.max_chars};
  const size_t min_chars = static_cast<size_t>(options.min_chars);
  const int threads = internal::ResolveThreads(options.threads);
  const size_t n = corpus.size();

  PassageResult result;
  PassageStats& stats = result.stats;
  stats.documents = n;
  stats.bands = bands;

  std::vector<std::unique_ptr<Scratch>> scratch(threads);
  for (auto& s : scratch) s = std::make_unique<Scratch>();
  FirstError error;

  // Each pass reads every text; the input's pages are handed back as it
  // goes (src/internal/page_release.h).
  internal::PeriodicRelease release(corpus);

  // Stage 1: the passages of every document, numbered in input order.
  // Segmenting first (it is cheap) gives the number of passages, so the
  // sketches can then be written straight into one matrix.
  auto start = Clock::now();
  const size_t chunks = (n + kDocumentsPerChunk - 1) / kDocumentsPerChunk;
  std::vector<std::vector<PassageSpan>> chunk_spans(chunks);
  std::vector<uint32_t> per_document(n, 0);
  {
    StageProgress stage(progress, "segment", n);
    internal::ParallelFor(
        n, threads, kDocumentsPerChunk,
        [&](size_t begin, size_t end, int worker) {
          Scratch& s = *scratch[worker];
          std::vector<PassageSpan>& out =
              chunk_spans[begin / kDocumentsPerChunk];
          for (size_t doc = begin; doc < end; ++doc) {
            absl::StatusOr<absl::string_view> text = corpus.Text(doc, &s.text);
            if (text.ok()) release.Add(text->size());
            if (!text.ok()) {
              error.Record(doc, text.status());
              continue;
            }
            const size_t before = out.size();
            Segment(*text, segment_options, &out);
            per_document[doc] = static_cast<uint32_t>(out.size() - before);
          }
          stage.Add(end - begin, worker);
        });
  }
  if (error.any()) return error.status();
  uint64_t total = 0;
  for (const auto& spans : chunk_spans) total += spans.size();
  if (total >= std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError(
        "more than 4 billion passages; split the input");
  }
  stats.passages = total;
  std::vector<Passage> passages;
  std::vector<uint32_t> first_passage(n + 1, 0);  // Per document.
  passages.reserve(total);
  {
    size_t doc = 0;
    for (std::vector<PassageSpan>& spans : chunk_spans) {
      size_t i = 0;
      for (; doc < n && i < spans.size(); ++doc) {
        first_passage[doc] = static_cast<uint32_t>(passages.size());
        for (uint32_t j = 0; j < per_document[doc]; ++j, ++i) {
          passages.push_back({static_cast<uint32_t>(doc), spans[i]});
        }
      }
      std::vector<PassageSpan>().swap(spans);
    }
    for (; doc <= n; ++doc) {
      first_passage[doc] = static_cast<uint32_t>(passages.size());
    }
  }
  std::vector<std::vector<PassageSpan>>().swap(chunk_spans);
  std::vector<uint32_t>().swap(per_document);

  // Sketches of the passages long enough to match; the others stay absent
  // from the matrix and never become candidates.
  std::vector<uint64_t> lengths(total, 0);
  SignatureMatrix signatures;
  signatures.Resize(total, options.num_perm);
  {
    StageProgress stage(progress, "sketch", n);
    internal::ParallelFor(
        n, threads, kDocumentsPerChunk,
        [&](size_t begin, size_t end, int worker) {
          Scratch& s = *scratch[worker];
          for (size_t doc = begin; doc < end; ++doc) {
            if (first_passage[doc] == first_passage[doc + 1]) continue;
            absl::StatusOr<absl::string_view> text = corpus.Text(doc, &s.text);
            if (text.ok()) release.Add(text->size());
            if (!text.ok()) {
              error.Record(doc, text.status());
              continue;
            }
            for (uint32_t p = first_passage[doc]; p < first_passage[doc + 1];
                 ++p) {
              const PassageSpan span = passages[p].span;
              normalizer.Normalize(
                  text->substr(span.begin, span.end - span.begin),
                  &s.normalized);
              lengths[p] = s.normalized.code_points.size();
              if (lengths[p] < min_chars) continue;
              s.shingles.clear();
              HashShingles(s.normalized.code_points, shingle_options,
                           &s.shingles);
              signatures.present[p] =
                  hasher.Sketch(s.shingles, signatures.MutableRow(p));
            }
          }
          stage.Add(end - begin, worker);
        });
  }
  if (error.any()) return error.status();
  for (uint8_t present : signatures.present) {
    stats.short_passages += present == 0;
  }
  stats.sketch_seconds = SecondsSince(start);

  // Stage 2: candidate pairs of passages.
  start = Clock::now();
  if (progress) progress("candidates", 0);
  std::vector<DocPair> candidates = FindCandidatePairs(
      signatures, {.bands = bands, .seed = options.seed, .threads = threads},
      &stats.candidates);
  if (keep != nullptr) {
    keep->bands = bands;
    keep->tables.resize(bands.bands);
    internal::ParallelFor(
        bands.bands, threads, 1, [&](size_t begin, size_t end, int) {
          for (size_t band = begin; band < end; ++band) {
            std::vector<KeyedPassage>& table = keep->tables[band];
            for (size_t p = 0; p < signatures.size(); ++p) {
              if (!signatures.present[p]) continue;
              table.push_back({BandKey(signatures.Row(p), bands,
                                       static_cast<int>(band), options.seed),
                               static_cast<uint32_t>(p)});
            }
            std::sort(table.begin(), table.end());
          }
        });
  }
  std::vector<uint32_t>().swap(signatures.slots);
  stats.candidates_seconds = SecondsSince(start);

  // Stage 3: exact shingle sets of the passages in some candidate pair,
  // recomputed document by document, then exact Jaccard per candidate.
  start = Clock::now();
  constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
  std::vector<uint32_t> slot(total, kNone);
  std::vector<uint32_t> involved;  // Passage numbers, sorted below.
  for (const DocPair& p : candidates) {
    for (uint32_t q : {p.a, p.b}) {
      if (slot[q] == kNone) {
        slot[q] = 0;
        involved.push_back(q);
      }
    }
  }
  std::sort(involved.begin(), involved.end());
  for (size_t i = 0; i < involved.size(); ++i) {
    slot[involved[i]] = static_cast<uint32_t>(i);
  }
  // Runs of involved passages that share a document.
  std::vector<size_t> runs;
  for (size_t i = 0; i < involved.size(); ++i) {
    if (i == 0 ||
        passages[involved[i]].document != passages[involved[i - 1]].document) {
      runs.push_back(i);
    }
  }
  runs.push_back(involved.size());
  std::vector<std::vector<uint64_t>> sets(involved.size());
  {
    StageProgress stage(progress, "shingle sets", runs.size() - 1);
    internal::ParallelFor(
        runs.size() - 1, threads, 8, [&](size_t begin, size_t end, int worker) {
          Scratch& s = *scratch[worker];
          for (size_t r = begin; r < end; ++r) {
            const uint32_t doc = passages[involved[runs[r]]].document;
            absl::StatusOr<absl::string_view> text = corpus.Text(doc, &s.text);
            if (text.ok()) release.AddRandom(text->size());
            if (!text.ok()) {
              error.Record(doc, text.status());
              continue;
            }
            for (size_t i = runs[r]; i < runs[r + 1]; ++i) {
              const PassageSpan span = passages[involved[i]].span;
              normalizer.Normalize(
                  text->substr(span.begin, span.end - span.begin),
                  &s.normalized);
              s.shingles.clear();
              HashShingles(s.normalized.code_points, shingle_options,
                           &s.shingles);
              SortUnique(&s.shingles);
              sets[i].assign(s.shingles.begin(), s.shingles.end());
            }
          }
          stage.Add(end - begin, worker);
        });
  }
  if (error.any()) return error.status();
  scratch.clear();
  auto set_of = [&](uint32_t passage) -> absl::Span<const uint64_t> {
    return sets[slot[passage]];
  };

  std::vector<double> scores(candidates.size(), -1);
  {
    StageProgress stage(progress, "verify", candidates.size());
    const double threshold = options.threshold;
    internal::ParallelFor(
        candidates.size(), threads, 256,
        [&](size_t begin, size_t end, int worker) {
          for (size_t i = begin; i < end; ++i) {
            absl::Span<const uint64_t> a = set_of(candidates[i].a);
            absl::Span<const uint64_t> b = set_of(candidates[i].b);
            if (JaccardUpperBound(a.size(), b.size()) < threshold) continue;
            SetSimilarity sim = CompareSortedSets(a, b);
            if (sim.jaccard >= threshold) scores[i] = sim.jaccard;
          }
          stage.Add(end - begin, worker);
        });
  }
  std::vector<ScoredPair> verified;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (scores[i] < 0) continue;
    const DocPair p = candidates[i];
    verified.push_back({p.a, p.b, scores[i], 0});
    const uint32_t da = passages[p.a].document;
    const uint32_t db = passages[p.b].document;
    if (da != db) {
      result.document_pairs.push_back({std::min(da, db), std::max(da, db)});
    }
  }
  std::vector<DocPair>().swap(candidates);
  std::sort(result.document_pairs.begin(), result.document_pairs.end());
  result.document_pairs.erase(
      std::unique(result.document_pairs.begin(), result.document_pairs.end()),
      result.document_pairs.end());
  stats.verified_pairs = verified.size();

  // Stage 4: groups; the first passage in input order is the original (the
  // passage numbers follow input order).
  std::vector<Cluster> groups =
      BuildClusters(verified, lengths,
                    {.linkage = Linkage::kSingle, .keep = KeepPolicy::kFirst});
  stats.groups = groups.size();
  std::vector<std::vector<RepeatedPassage>> per_group(groups.size());
  internal::ParallelFor(
      groups.size(), threads, 16, [&](size_t begin, size_t end, int) {
        for (size_t g = begin; g < end; ++g) {
          const Cluster& group = groups[g];
          const Passage& original = passages[group.representative];
          absl::Span<const uint64_t> original_set =
              set_of(group.representative);
          // Members are in input order: a member repeats its own document
          // when the member before it is in the same document.
          uint32_t previous_doc = original.document;
          for (uint32_t m : group.members) {
            if (m == group.representative) continue;
            const Passage& member = passages[m];
            RepeatedPassage repeat;
            repeat.passage = {member.document, member.span};
            repeat.original = {original.document, original.span};
            repeat.jaccard = CompareSortedSets(original_set, set_of(m)).jaccard;
            repeat.repeats_own_document = member.document == previous_doc;
            previous_doc = member.document;
            per_group[g].push_back(repeat);
          }
        }
      });
  for (auto& group : per_group) {
    result.repeats.insert(result.repeats.end(), group.begin(), group.end());
    std::vector<RepeatedPassage>().swap(group);
  }
  std::sort(result.repeats.begin(), result.repeats.end(),
            [](const RepeatedPassage& a, const RepeatedPassage& b) {
              if (a.passage.document != b.passage.document) {
                return a.passage.document < b.passage.document;
              }
              return a.passage.span.begin < b.passage.span.begin;
            });
  for (const RepeatedPassage& r : result.repeats) {
    ++stats.repeated;
    const uint64_t bytes = r.passage.span.end - r.passage.span.begin;
    if (r.internal()) {
      ++stats.internal;
    } else {
      ++stats.shared;
    }
    if (r.repeats_own_document) {
      stats.removable_bytes += bytes;
    } else {
      stats.removable_shared_bytes += bytes;
    }
  }
  stats.verify_seconds = SecondsSince(start);
  if (keep != nullptr) keep->passages = std::move(passages);
  if (progress) progress("done", 1);
  return result;
}

}  // namespace

std::vector<PassageSpan> RemovableSpans(
    absl::Span<const RepeatedPassage> repeats, uint32_t document,
    bool include_shared) {
  auto first = std::lower_bound(repeats.begin(), repeats.end(), document,
                                [](const RepeatedPassage& r, uint32_t d) {
                                  return r.passage.document < d;
                                });
  std::vector<PassageSpan> spans;
  for (auto it = first; it != repeats.end() && it->passage.document == document;
       ++it) {
    if (it->repeats_own_document || include_shared) {
      spans.push_back(it->passage.span);
    }
  }
  return spans;
}

std::string RemovePassages(absl::string_view text,
                           absl::Span<const PassageSpan> spans) {
  std::string out(text);
  // From the last span to the first: each removal only touches bytes at or
  // after the previous span's end, so earlier spans keep their offsets, and
  // each step sees the text as the later removals left it.
  for (size_t i = spans.size(); i-- > 0;) {
    const absl::string_view current(out);
    size_t begin = spans[i].begin;
    size_t end = spans[i].end;
    // White space before: back to the previous text or the start.
    size_t before = begin;
    bool break_before = false;
    while (before > 0) {
      uint32_t len;
      char32_t c = DecodeBefore(current, before, &len);
      if (!IsSpace(c)) break;
      break_before |= IsLineBreak(c);
      before -= len;
    }
    // White space after: on to the next text or the end.
    size_t after = end;
    while (after < current.size()) {
      char32_t c;
      uint32_t len = Decode(current, after, &c);
      if (!IsSpace(c)) break;
      after += len;
    }
    const bool starts_line = before == 0 || break_before;
    const bool at_end = after == current.size();
    if (starts_line) {
      if (!at_end) {
        // A paragraph (or a line's first sentence): take the separator
        // after it, so the next text moves up into its place.
        end = after;
      } else {
        // The last text: take the separator before it instead, and keep
        // the text's final line break, if any.
        begin = before;
      }
    } else {
      // Inside a line: take the white space before it, which keeps the
      // separator after it for the text that follows.
      size_t horizontal = begin;
      while (horizontal > before) {
        uint32_t len;
        char32_t c = DecodeBefore(current, horizontal, &len);
        if (IsLineBreak(c)) break;
        horizontal -= len;
      }
      begin = horizontal;
    }
    out.erase(begin, end - begin);
  }
  return out;
}

// ---------------------------------------------------------------------------
// PassageMatcher.

struct PassageMatcher::State {
  PassageOptions options;
  std::vector<std::pair<std::string, std::string>> documents;
  bool built = false;
  PassageResult result;
  // After a successful Build(): the documents, and what Match() needs.
  std::unique_ptr<Corpus> corpus;
  std::optional<Normalizer> normalizer;
  std::optional<MinHasher> hasher;
  IndexParts index;
};

PassageMatcher::PassageMatcher(std::unique_ptr<State> state)
    : state_(std::move(state)) {}
PassageMatcher::PassageMatcher(PassageMatcher&&) noexcept = default;
PassageMatcher& PassageMatcher::operator=(PassageMatcher&&) noexcept = default;
PassageMatcher::~PassageMatcher() = default;

absl::StatusOr<PassageMatcher> PassageMatcher::Create(
    const PassageOptions& options) {
  NEARDUP_RETURN_IF_ERROR(ValidatePassageOptions(options));
  auto state = std::make_unique<State>();
  state->options = options;
  return PassageMatcher(std::move(state));
}

absl::StatusOr<uint32_t> PassageMatcher::Add(absl::string_view text) {
  if (state_->built) {
    return absl::FailedPreconditionError(
        "PassageMatcher::Add() after Build(); add every document first");
  }
  if (text.size() >= (uint64_t{1} << 32)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "document of ", text.size(), " bytes; documents must be under 4 GiB"));
  }
  if (state_->documents.size() >= std::numeric_limits<uint32_t>::max() - 1) {
    return absl::InvalidArgumentError("too many documents");
  }
  const auto number = static_cast<uint32_t>(state_->documents.size());
  state_->documents.emplace_back(absl::StrCat(number), std::string(text));
  return number;
}

absl::Status PassageMatcher::Build(const PassageProgress& progress) {
  if (state_->built) {
    return absl::FailedPreconditionError(
        "PassageMatcher::Build() called twice");
  }
  state_->built = true;
  NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<Corpus> corpus,
                           Corpus::FromDocuments(std::move(state_->documents)));
  std::vector<std::pair<std::string, std::string>>().swap(state_->documents);
  NEARDUP_ASSIGN_OR_RETURN(state_->result,
                           FindRepeatedPassagesImpl(*corpus, state_->options,
                                                    progress, &state_->index));
  NEARDUP_ASSIGN_OR_RETURN(
      internal::MatchStages stages,
      internal::MakeMatchStages(StageSettings(state_->options)));
  state_->normalizer.emplace(std::move(stages.normalizer));
  state_->hasher.emplace(std::move(stages.hasher));
  state_->corpus = std::move(corpus);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<PassageMatch>> PassageMatcher::Match(
    absl::string_view text) const {
  if (state_->corpus == nullptr) {
    return absl::FailedPreconditionError(
        "PassageMatcher::Match() needs a successful Build() first");
  }
  if (text.size() >= (uint64_t{1} << 32)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "text of ", text.size(), " bytes; texts must be under 4 GiB"));
  }
  const PassageOptions& options = state_->options;
  const IndexParts& index = state_->index;
  const ShingleOptions shingle_options{.ngram = options.ngram,
                                       .seed = options.seed};
  // Everything a query needs is local, which keeps Match() thread-safe.
  std::vector<PassageSpan> spans;
  Segment(text, {.max_chars = options.max_chars}, &spans);
  NormalizedText normalized;
  TextScratch scratch;
  std::vector<uint64_t> query_set, other_set;
  std::vector<uint32_t> signature(options.num_perm);
  std::vector<uint32_t> candidates;
  std::vector<PassageMatch> matches;
  auto shingle_set = [&](absl::string_view bytes, std::vector<uint64_t>* set) {
    state_->normalizer->Normalize(bytes, &normalized);
    set->clear();
    HashShingles(normalized.code_points, shingle_options, set);
  };
  for (const PassageSpan& span : spans) {
    shingle_set(text.substr(span.begin, span.end - span.begin), &query_set);
    if (normalized.code_points.size() <
        static_cast<size_t>(options.min_chars)) {
      continue;
    }
    if (!state_->hasher->Sketch(query_set, absl::MakeSpan(signature))) {
      continue;
    }
    SortUnique(&query_set);
    candidates.clear();
    for (int band = 0; band < index.bands.bands; ++band) {
      const std::vector<KeyedPassage>& table = index.tables[band];
      const uint64_t key = BandKey(signature, index.bands, band, options.seed);
      auto it =
          std::lower_bound(table.begin(), table.end(), KeyedPassage{key, 0});
      for (; it != table.end() && it->key == key; ++it) {
        candidates.push_back(it->passage);
      }
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()),
                     candidates.end());
    std::optional<PassageMatch> best;
    for (uint32_t candidate : candidates) {
      const Passage& passage = index.passages[candidate];
      NEARDUP_ASSIGN_OR_RETURN(
          absl::string_view document,
          state_->corpus->Text(passage.document, &scratch));
      shingle_set(document.substr(passage.span.begin,
                                  passage.span.end - passage.span.begin),
                  &other_set);
      SortUnique(&other_set);
      const double jaccard = CompareSortedSets(query_set, other_set).jaccard;
      // Candidates are in input order, so ties go to the earliest passage.
      if (jaccard >= options.threshold && (!best || jaccard > best->jaccard)) {
        best = PassageMatch{span, {passage.document, passage.span}, jaccard};
      }
    }
    if (best) matches.push_back(*best);
  }
  return matches;
}

size_t PassageMatcher::num_documents() const {
  return state_->built ? state_->result.stats.documents : 0;
}

absl::Span<const RepeatedPassage> PassageMatcher::repeats() const {
  return state_->result.repeats;
}

absl::Span<const RepeatedPassage> PassageMatcher::RepeatsIn(
    uint32_t document) const {
  absl::Span<const RepeatedPassage> all = state_->result.repeats;
  auto first = std::lower_bound(all.begin(), all.end(), document,
                                [](const RepeatedPassage& r, uint32_t d) {
                                  return r.passage.document < d;
                                });
  auto last = std::upper_bound(first, all.end(), document,
                               [](uint32_t d, const RepeatedPassage& r) {
                                 return d < r.passage.document;
                               });
  return all.subspan(first - all.begin(), last - first);
}

std::vector<PassageSpan> PassageMatcher::RemovableSpans(
    uint32_t document, bool include_shared) const {
  return neardup::RemovableSpans(state_->result.repeats, document,
                                 include_shared);
}

absl::Span<const DocPair> PassageMatcher::document_pairs() const {
  return state_->result.document_pairs;
}

const PassageStats& PassageMatcher::stats() const {
  return state_->result.stats;
}

}  // namespace neardup
