#include "tests/support/news_corpus.h"

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_format.h"
#include "tests/support/generator.h"

namespace neardup::testing {
namespace {

// Words per lexicon beyond the function words. Together with the Zipf
// exponent and the topic mix below, this sets how much unrelated articles
// share; see the calibration note in news_corpus.h.
constexpr size_t kLexiconWords = 60000;
constexpr size_t kTopics = 120;
constexpr size_t kTopicWords = 300;
constexpr size_t kTopicFirstRank = 400;  // Topic slices skip the head.

struct Lexicon {
  std::vector<std::string> words;        // By rank, most frequent first.
  std::vector<double> cumulative;        // Zipf-Mandelbrot weights, summed.
  std::vector<double> topic_cumulative;  // Zipf over kTopicWords ranks.
  bool capitalise = false;
  std::string_view comma;
  std::vector<std::string_view> commas;  // Variants a copy may swap in.
  std::vector<std::string_view> headers;
  std::vector<std::string_view> trailers;
  std::vector<std::string_view> outlets;
};

size_t Draw(Rng& rng, const std::vector<double>& cumulative) {
  const double u = rng.UniformDouble() * cumulative.back();
  const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
  return std::min<size_t>(it - cumulative.begin(), cumulative.size() - 1);
}

std::vector<double> ZipfCumulative(size_t n, double offset) {
  std::vector<double> cumulative(n);
  double total = 0;
  for (size_t r = 0; r < n; ++r) {
    total += 1.0 / (static_cast<double>(r) + offset);
    cumulative[r] = total;
  }
  return cumulative;
}

// Made-up words whose length grows with rank, as in real lexicons.
std::string EnglishWord(Rng& rng, size_t rank) {
  static constexpr std::string_view kOnsets[] = {
      "b",  "c",  "d",   "f",   "g",  "h",  "j",  "k",  "l",  "m",
      "n",  "p",  "r",   "s",   "t",  "v",  "w",  "br", "cr", "dr",
      "st", "tr", "pl",  "sh",  "ch", "th", "gr", "fl", "sp", "qu",
      "bl", "cl", "gl",  "sl",  "sm", "sn", "sw", "tw", "wr", "kn",
      "ph", "sc", "str", "spr", "z",  "x",  "y",  "pr", "fr", "wh"};
  static constexpr std::string_view kVowels[] = {"a",  "e",  "i",  "o", "u",
                                                 "ea", "ou", "ai", "y", "io",
                                                 "ee", "oo", "au", "ie"};
  static constexpr std::string_view kCodas[] = {
      "",  "",   "",   "n",  "r",  "s",  "t",  "l",  "nd", "st", "ng", "rk",
      "m", "ct", "ck", "ft", "lt", "mp", "nt", "pt", "rd", "rt", "sk", "sp",
      "x", "z",  "ld", "rn", "rm", "sh", "th", "ch", "gh", "p",  "b",  "d"};
  static constexpr std::string_view kSuffixes[] = {
      "", "", "", "", "s", "ed", "ing", "er", "ion", "ly", "al", "ment"};
  const int syllables =
      1 + (rank > 300) + (rank > 4000) + static_cast<int>(rng.Uniform(2));
  std::string word;
  for (int s = 0; s < syllables; ++s) {
    word += kOnsets[rng.Uniform(std::size(kOnsets))];
    word += kVowels[rng.Uniform(std::size(kVowels))];
    word += kCodas[rng.Uniform(std::size(kCodas))];
  }
  word += kSuffixes[rng.Uniform(std::size(kSuffixes))];
  return word;
}

// Made-up Arabic words: a three-letter root in a derivation pattern, often
// with the article or a conjunction, as Arabic news writes them.
std::string ArabicWord(Rng& rng, size_t rank) {
  static constexpr std::string_view kLetters[] = {
      "ب", "ت", "ث", "ج", "ح", "خ", "د", "ذ", "ر", "ز", "س", "ش", "ص", "ض",
      "ط", "ظ", "ع", "غ", "ف", "ق", "ك", "ل", "م", "ن", "ه", "و", "ي"};
  // 1, 2, 3 stand for the root letters.
  static constexpr std::string_view kPatterns[] = {
      "123",   "1ا23",  "م123",  "12ي3",  "ت12ي3",  "123ة",   "م12و3",
      "ا123",  "1ا2ي3", "م1ا23", "ت1ا23", "مست123", "ا1ت2ا3", "12ا3",
      "1و2ي3", "123ات", "م123ة", "ت123",  "12ي3ة",  "ا1ت23",  "1234",
      "12ا34", "م1234", "1ا234", "123و4", "ت1234",  "12ي34",  "1234ة"};
  std::string root[4];
  for (std::string& letter : root) {
    letter = kLetters[rng.Uniform(std::size(kLetters))];
  }
  std::string word;
  if (rank > 200) {
    const uint64_t prefix = rng.Uniform(100);
    if (prefix < 32) {
      word = "ال";
    } else if (prefix < 37) {
      word = "وال";
    } else if (prefix < 42) {
      word = "و";
    } else if (prefix < 46) {
      word = "ب";
    }
  }
  const std::string_view pattern =
      kPatterns[rng.Uniform(rank > 2000 ? std::size(kPatterns) : 8)];
  for (char c : pattern) {
    if (c >= '1' && c <= '4') {
      word += root[c - '1'];
    } else {
      word += c;
    }
  }
  return word;
}

Lexicon BuildLexicon(Language language) {
  // Real function words head the lexicon, as they head real word counts.
  static constexpr std::string_view kEnglishHead[] = {
      "new",   "year", "people", "two", "percent", "first", "last",
      "other", "he",   "she",    "we",  "his",     "her",   "one"};
  static constexpr std::string_view kArabicHead[] = {
      "العام", "المملكة", "الدولة", "الوزير",
      "رئيس",  "مجلس",    "خادم",   "الحرمين"};
  Lexicon lexicon;
  Rng rng(language == Language::kArabic ? 0xA2AB1CULL : 0xE6611540ULL);
  absl::flat_hash_set<std::string> seen;
  auto add = [&](std::string word) {
    if (seen.insert(word).second) lexicon.words.push_back(std::move(word));
  };
  if (language == Language::kArabic) {
    for (std::string_view w : FunctionWords(language)) add(std::string(w));
    for (std::string_view w : kArabicHead) add(std::string(w));
    while (lexicon.words.size() < kLexiconWords) {
      add(ArabicWord(rng, lexicon.words.size()));
    }
    lexicon.comma = "،";
    lexicon.commas = {"،", ","};
    lexicon.headers = {"الرياض - واس:", "جدة - واس", "(واس) -", "متابعات:"};
    lexicon.trailers = {"المصدر: وكالة الأنباء السعودية.",
                        "تابعونا على حسابات الصحيفة.", "(واس)"};
    lexicon.outlets = {"was",          "okaz",     "riyadh",    "alwatan",
                       "aleqtisadiya", "almadina", "aljazirah", "alyaum",
                       "almowaten",    "sabq",     "ajel",      "slaati",
                       "alsharq"};
  } else {
    for (std::string_view w : FunctionWords(language)) add(std::string(w));
    for (std::string_view w : kEnglishHead) add(std::string(w));
    while (lexicon.words.size() < kLexiconWords) {
      add(EnglishWord(rng, lexicon.words.size()));
    }
    lexicon.capitalise = true;
    lexicon.comma = ",";
    lexicon.commas = {",", ";"};
    lexicon.headers = {"LONDON (Wire) -", "By Staff Reporter", "(Wire) -",
                       "NEW YORK, Jan 5 (Wire) -"};
    lexicon.trailers = {"(Reporting by the wire desk; editing by staff)",
                        "Copyright the wire service.",
                        "Read more on our site."};
    lexicon.outlets = {"wire",          "daily-ledger",  "morning-post",
                       "city-herald",   "the-courier",   "evening-star",
                       "metro-times",   "national-news", "the-observer",
                       "coast-gazette", "valley-press",  "online-daily"};
  }
  lexicon.cumulative = ZipfCumulative(lexicon.words.size(), 20);
  lexicon.topic_cumulative = ZipfCumulative(kTopicWords, 1.0);
  return lexicon;
}

const Lexicon& LexiconFor(Language language) {
  static const Lexicon* const english =
      new Lexicon(BuildLexicon(Language::kEnglish));
  static const Lexicon* const arabic =
      new Lexicon(BuildLexicon(Language::kArabic));
  return language == Language::kArabic ? *arabic : *english;
}

// An article as paragraphs of sentences of words, so that copies can be
// edited word by word and paragraph by paragraph before rendering.
using Sentence = std::vector<std::string>;
using Paragraph = std::vector<Sentence>;
struct Article {
  std::vector<Paragraph> paragraphs;
};

struct StoryStyle {
  size_t topic = 0;
  std::vector<std::string> names;  // People and places this story repeats.
};

std::string DrawWord(Rng& rng, const Lexicon& lexicon,
                     const StoryStyle& style) {
  const uint64_t kind = rng.Uniform(100);
  if (kind < 74) return lexicon.words[Draw(rng, lexicon.cumulative)];
  if (kind < 93) {
    const size_t rank = kTopicFirstRank + style.topic * kTopicWords +
                        Draw(rng, lexicon.topic_cumulative);
    return lexicon.words[rank % lexicon.words.size()];
  }
  if (kind < 98) return style.names[rng.Uniform(style.names.size())];
  return absl::StrFormat("%d", rng.UniformInt(2, 9999));
}

Sentence DrawSentence(Rng& rng, const Lexicon& lexicon,
                      const StoryStyle& style) {
  const int words = static_cast<int>(rng.UniformInt(9, 26));
  Sentence sentence;
  for (int w = 0; w < words; ++w) {
    std::string word = DrawWord(rng, lexicon, style);
    if (w == 0 && lexicon.capitalise && word[0] >= 'a' && word[0] <= 'z') {
      word[0] = static_cast<char>(word[0] - 'a' + 'A');
    }
    if (w + 1 < words && w > 2 && rng.Bernoulli(0.07)) {
      word += lexicon.comma;
    }
    sentence.push_back(std::move(word));
  }
  sentence.back() += '.';
  return sentence;
}

std::string Render(const Article& article, std::string_view header,
                   std::string_view trailer) {
  std::string text;
  if (!header.empty()) {
    text += header;
    text += ' ';
  }
  for (size_t p = 0; p < article.paragraphs.size(); ++p) {
    if (p > 0) text += "\n\n";
    for (size_t s = 0; s < article.paragraphs[p].size(); ++s) {
      if (s > 0) text += ' ';
      const Sentence& sentence = article.paragraphs[p][s];
      for (size_t w = 0; w < sentence.size(); ++w) {
        if (w > 0) text += ' ';
        text += sentence[w];
      }
    }
  }
  if (!trailer.empty()) {
    text += "\n\n";
    text += trailer;
  }
  return text;
}

Article DrawArticle(Rng& rng, const Lexicon& lexicon, const StoryStyle& style,
                    size_t target_bytes) {
  Article article;
  size_t bytes = 0;
  while (bytes < target_bytes) {
    Paragraph paragraph;
    const int sentences = static_cast<int>(rng.UniformInt(1, 4));
    for (int s = 0; s < sentences && bytes < target_bytes; ++s) {
      paragraph.push_back(DrawSentence(rng, lexicon, style));
      for (const std::string& word : paragraph.back()) bytes += word.size() + 1;
    }
    bytes += 1;
    article.paragraphs.push_back(std::move(paragraph));
  }
  return article;
}

// Replaces each word with probability `rate` by another word of the story,
// keeping its punctuation, and swaps comma variants now and then.
void Substitute(Rng& rng, const Lexicon& lexicon, const StoryStyle& style,
                double rate, Article* article) {
  for (Paragraph& paragraph : article->paragraphs) {
    for (Sentence& sentence : paragraph) {
      for (std::string& word : sentence) {
        if (!rng.Bernoulli(rate)) continue;
        std::string_view tail;
        if (!word.empty() && word.back() == '.') tail = ".";
        for (std::string_view comma : lexicon.commas) {
          if (word.size() > comma.size() &&
              std::string_view(word).substr(word.size() - comma.size()) ==
                  comma) {
            tail = lexicon.commas[rng.Uniform(lexicon.commas.size())];
          }
        }
        word = DrawWord(rng, lexicon, style);
        word += tail;
      }
    }
  }
}

std::string DateAfter(uint64_t story, uint64_t hours_later) {
  // Stories spread over about two years from 2024-01-01, one every few
  // minutes; copies follow within days. Days are 28 a month for simplicity.
  const uint64_t minutes = story * 7 % (2 * 336 * 24 * 60) + hours_later * 60;
  const uint64_t day = minutes / (24 * 60);
  const uint64_t minute_of_day = minutes % (24 * 60);
  return absl::StrFormat(
      "%04d-%02d-%02dT%02d:%02d:00Z", static_cast<int>(2024 + day / 336),
      static_cast<int>(day % 336 / 28 + 1), static_cast<int>(day % 28 + 1),
      static_cast<int>(minute_of_day / 60),
      static_cast<int>(minute_of_day % 60));
}

std::string Title(const Article& article) {
  std::string title;
  const Sentence& first = article.paragraphs.front().front();
  for (size_t w = 0; w < std::min<size_t>(first.size(), 9); ++w) {
    if (w > 0) title += ' ';
    title += first[w];
  }
  while (!title.empty() && (title.back() == '.' || title.back() == ',')) {
    title.pop_back();
  }
  return title;
}

}  // namespace

const char* CopyKindName(CopyKind kind) {
  switch (kind) {
    case CopyKind::kOriginal:
      return "original";
    case CopyKind::kLight:
      return "light";
    case CopyKind::kMedium:
      return "medium";
    case CopyKind::kDropped:
      return "dropped";
    case CopyKind::kTruncated:
      return "truncated";
  }
  return "unknown";
}

NewsStory GenerateStory(const NewsSpec& spec, uint64_t story) {
  Rng rng(Mix64(spec.seed ^ Mix64(story + 0x5eed)));
  const Language language = rng.Bernoulli(spec.arabic_fraction)
                                ? Language::kArabic
                                : Language::kEnglish;
  const Lexicon& lexicon = LexiconFor(language);
  StoryStyle style;
  style.topic = rng.Uniform(kTopics);
  for (int k = 0; k < 5; ++k) {
    // Names come from the lexicon's tail, where words are rare.
    style.names.push_back(lexicon.words[lexicon.words.size() / 2 +
                                        rng.Uniform(lexicon.words.size() / 2)]);
    if (lexicon.capitalise) {
      std::string& name = style.names.back();
      if (name[0] >= 'a' && name[0] <= 'z') {
        name[0] = static_cast<char>(name[0] - 'a' + 'A');
      }
    }
  }
  const size_t target = static_cast<size_t>(
      rng.UniformInt(spec.min_bytes, std::max(spec.min_bytes, spec.max_bytes)));
  const Article original = DrawArticle(rng, lexicon, style, target);
  const std::string_view origin =
      lexicon.outlets[rng.Uniform(lexicon.outlets.size())];

  NewsStory out;
  out.docs.push_back({Title(original), std::string(origin), DateAfter(story, 0),
                      Render(original, "", ""), CopyKind::kOriginal});
  if (!rng.Bernoulli(spec.copied_fraction)) return out;

  const int copies = static_cast<int>(rng.UniformInt(1, 4));
  uint64_t hours = 0;
  for (int c = 0; c < copies; ++c) {
    Article copy = original;
    const uint64_t draw = rng.Uniform(100);
    CopyKind kind;
    if (draw < 50) {
      kind = CopyKind::kLight;
      Substitute(rng, lexicon, style, rng.UniformDouble() * 0.04, &copy);
    } else if (draw < 70) {
      kind = CopyKind::kMedium;
      Substitute(rng, lexicon, style, 0.04 + rng.UniformDouble() * 0.08, &copy);
    } else if (draw < 85 || copy.paragraphs.size() < 3) {
      kind = CopyKind::kDropped;
      const int drop = static_cast<int>(rng.UniformInt(1, 2));
      for (int d = 0; d < drop && copy.paragraphs.size() > 1; ++d) {
        copy.paragraphs.erase(
            copy.paragraphs.begin() +
            static_cast<ptrdiff_t>(rng.Uniform(copy.paragraphs.size())));
      }
      Substitute(rng, lexicon, style, rng.UniformDouble() * 0.02, &copy);
    } else {
      kind = CopyKind::kTruncated;
      const double keep = 0.3 + 0.5 * rng.UniformDouble();
      const size_t kept = std::max<size_t>(
          1, static_cast<size_t>(keep * copy.paragraphs.size()));
      copy.paragraphs.resize(kept);
      Substitute(rng, lexicon, style, rng.UniformDouble() * 0.02, &copy);
    }
    const std::string_view header =
        rng.Bernoulli(0.4)
            ? lexicon.headers[rng.Uniform(lexicon.headers.size())]
            : "";
    const std::string_view trailer =
        rng.Bernoulli(0.3)
            ? lexicon.trailers[rng.Uniform(lexicon.trailers.size())]
            : "";
    hours += rng.UniformInt(1, 30);
    out.docs.push_back(
        {Title(copy),
         std::string(lexicon.outlets[rng.Uniform(lexicon.outlets.size())]),
         DateAfter(story, hours), Render(copy, header, trailer), kind});
  }
  return out;
}

}  // namespace neardup::testing
