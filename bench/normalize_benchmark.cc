// Normalisation throughput per mode, in input bytes per second.
//
// Input: the `text` fields of SaudiNewsNet (Arabic news) when
// ../shared/data/saudinewsnet-dev.jsonl.zst is present, otherwise a
// synthetic mix of Arabic and English news-like text. The label says which.
//
//   build-release/bench/normalize_benchmark --benchmark_filter=BM_Normalize
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"
#include "benchmark/benchmark.h"
#include "neardup/normalize.h"
#include "src/internal/normalize_internal.h"
#include "src/internal/read_file.h"
#include "src/internal/utf8.h"

namespace neardup {
namespace {

constexpr size_t kMaxCorpusBytes = 8 << 20;

// Appends the JSON string starting after the opening quote at json[pos] to
// `out`, unescaped. Returns the position after the closing quote.
size_t AppendJsonString(std::string_view json, size_t pos, std::string* out) {
  while (pos < json.size() && json[pos] != '"') {
    if (json[pos] != '\\' || pos + 1 >= json.size()) {
      out->push_back(json[pos++]);
      continue;
    }
    const char escaped = json[pos + 1];
    pos += 2;
    switch (escaped) {
      case 'n':
        out->push_back('\n');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'u': {
        if (pos + 4 > json.size()) return json.size();
        char32_t c = static_cast<char32_t>(
            std::stoul(std::string(json.substr(pos, 4)), nullptr, 16));
        pos += 4;
        // A surrogate pair.
        if (c >= 0xD800 && c <= 0xDBFF && pos + 6 <= json.size() &&
            json[pos] == '\\' && json[pos + 1] == 'u') {
          const auto low = static_cast<char32_t>(
              std::stoul(std::string(json.substr(pos + 2, 4)), nullptr, 16));
          if (low >= 0xDC00 && low <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
            pos += 6;
          }
        }
        internal::AppendUtf8(c, out);
        break;
      }
      default:
        out->push_back(escaped);
        break;
    }
  }
  return pos + 1;
}

// ../shared/data relative to the project root, found from this file's path
// (the bench target has no NEARDUP_SOURCE_DIR); NEARDUP_DATA_DIR overrides.
std::string DataDir() {
  if (const char* dir = std::getenv("NEARDUP_DATA_DIR")) return dir;
  std::string path = __FILE__;
  for (int i = 0; i < 2; ++i) {
    const size_t slash = path.rfind('/');
    path.resize(slash == std::string::npos ? 0 : slash);
  }
  return (path.empty() ? std::string("..") : path) + "/../shared/data";
}

// The `text` of each record, separated by blank lines.
std::string LoadNewsText() {
  absl::StatusOr<internal::InputBytes> input =
      internal::ReadInput(DataDir() + "/saudinewsnet-dev.jsonl.zst");
  if (!input.ok()) return "";
  const std::string_view data(input->data.data(), input->size);
  std::string text;
  constexpr std::string_view kKey = "\"text\": \"";
  for (size_t pos = data.find(kKey);
       pos != std::string_view::npos && text.size() < kMaxCorpusBytes;
       pos = data.find(kKey, pos)) {
    pos = AppendJsonString(data, pos + kKey.size(), &text);
    text += "\n\n";
  }
  return text;
}

// Arabic and English sentences with the variation real news has: diacritics,
// Arabic punctuation and digits, quotes, tatweel, mixed case.
std::string SyntheticNewsText() {
  static constexpr std::string_view kSentences[] = {
      "قال وزير الخارجية إن الاجتماع سيعقد غداً، وأضاف «نحن مستعدون». ",
      "بلغ عدد الزوار ١٢٥ ألف زائر في المدينة المنورة خلال شهر رمضان؛ وهذا "
      "رقم قياسيٌ جداً. ",
      "The Minister said on Monday that talks “would resume” next week – "
      "officials declined to comment. ",
      "الـــرياض ـ واس ؟  المملكة العربية السعودية\n\n",
  };
  std::mt19937 rng(7);
  std::uniform_int_distribution<size_t> pick(0, std::size(kSentences) - 1);
  std::string text;
  while (text.size() < kMaxCorpusBytes) text += kSentences[pick(rng)];
  return text;
}

struct Corpus {
  std::string text;
  std::string label;
};

const Corpus& GetCorpus() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    c->text = LoadNewsText();
    c->label = "saudinewsnet";
    if (c->text.empty()) {
      c->text = SyntheticNewsText();
      c->label = "synthetic";
    }
    return c;
  }();
  return *corpus;
}

// Consecutive pieces of about `size` bytes each (cut at code point
// boundaries), covering the whole corpus, to be normalised in turn. Feeding
// the same piece over and over would let the branch predictor learn it by
// heart: on this machine that inflated the figures for 16 KiB pieces by
// nearly 2x over what unseen text gets.
std::vector<absl::string_view> Pieces(size_t size) {
  const std::string& text = GetCorpus().text;
  std::vector<absl::string_view> pieces;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = std::min(begin + size, text.size());
    while (end < text.size() &&
           (static_cast<uint8_t>(text[end]) & 0xC0) == 0x80) {
      --end;
    }
    pieces.emplace_back(text.data() + begin, end - begin);
    begin = end;
  }
  return pieces;
}

// Normalises the corpus piece by piece with `normalize`, counting bytes.
template <typename Normalize>
void RunOverPieces(benchmark::State& state, Normalize normalize) {
  const std::vector<absl::string_view> pieces =
      Pieces(static_cast<size_t>(state.range(0)));
  NormalizedText out;
  size_t next = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const absl::string_view piece = pieces[next];
    next = next + 1 == pieces.size() ? 0 : next + 1;
    normalize(piece, &out);
    benchmark::DoNotOptimize(out.code_points.data());
    bytes += static_cast<int64_t>(piece.size());
  }
  state.SetBytesProcessed(bytes);
  state.SetLabel(GetCorpus().label);
}

void RunNormalizer(benchmark::State& state, NormalizeMode mode,
                   bool record_offsets) {
  absl::StatusOr<Normalizer> normalizer =
      Normalizer::Create({.mode = mode, .record_offsets = record_offsets});
  if (!normalizer.ok()) {
    state.SkipWithError(normalizer.status().ToString().c_str());
    return;
  }
  RunOverPieces(state, [&](absl::string_view piece, NormalizedText* out) {
    normalizer->Normalize(piece, out);
  });
}

void BM_Normalize_None(benchmark::State& state) {
  RunNormalizer(state, NormalizeMode::kNone, false);
}
void BM_Normalize_NoneWithOffsets(benchmark::State& state) {
  RunNormalizer(state, NormalizeMode::kNone, true);
}
void BM_Normalize_Whitespace(benchmark::State& state) {
  RunNormalizer(state, NormalizeMode::kWhitespace, false);
}
void BM_Normalize_Full(benchmark::State& state) {
  RunNormalizer(state, NormalizeMode::kFull, false);
}
void BM_Normalize_FullWithOffsets(benchmark::State& state) {
  RunNormalizer(state, NormalizeMode::kFull, true);
}

// Full mode asking ICU about every code point: what the table saves.
void BM_Normalize_IcuOnly(benchmark::State& state) {
  RunOverPieces(state, [](absl::string_view piece, NormalizedText* out) {
    internal::NormalizeFullWithIcuOnly(piece, /*record_offsets=*/false, out);
  });
}

#define NEARDUP_NORMALIZE_SIZES \
  Arg(1 << 10)->Arg(16 << 10)->Arg(256 << 10)->Arg(4 << 20)

BENCHMARK(BM_Normalize_None)->NEARDUP_NORMALIZE_SIZES;
BENCHMARK(BM_Normalize_NoneWithOffsets)->NEARDUP_NORMALIZE_SIZES;
BENCHMARK(BM_Normalize_Whitespace)->NEARDUP_NORMALIZE_SIZES;
BENCHMARK(BM_Normalize_Full)->NEARDUP_NORMALIZE_SIZES;
BENCHMARK(BM_Normalize_FullWithOffsets)->NEARDUP_NORMALIZE_SIZES;
BENCHMARK(BM_Normalize_IcuOnly)->NEARDUP_NORMALIZE_SIZES;

}  // namespace
}  // namespace neardup
