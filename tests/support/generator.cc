#include "tests/support/generator.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "xxhash.h"

namespace neardup::testing {
namespace {

uint64_t RotateLeft(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

// ---------------------------------------------------------------------------
// Rng

uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9;
  x ^= x >> 27;
  x *= 0x94d049bb133111eb;
  x ^= x >> 31;
  return x;
}

Rng::Rng(uint64_t seed) {
  // splitmix64: consecutive outputs of a Weyl sequence, mixed. Never yields
  // the all-zero state xoshiro cannot leave.
  for (uint64_t& word : state_) {
    seed += 0x9e3779b97f4a7c15;
    word = Mix64(seed);
  }
}

uint64_t Rng::Next() {
  const uint64_t result = RotateLeft(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = RotateLeft(state_[3], 45);
  return result;
}

uint64_t Rng::Uniform(uint64_t n) {
  if (n == 0) return 0;
  // Reject the lowest (2^64 mod n) values so every residue is equally likely.
  const uint64_t threshold = (0 - n) % n;
  for (;;) {
    const uint64_t r = Next();
    if (r >= threshold) return r % n;
  }
}

int64_t Rng::UniformInt(int64_t lo, int64_t hi) {
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  const uint64_t offset = span == UINT64_MAX ? Next() : Uniform(span + 1);
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + offset);
}

double Rng::UniformDouble() {
  return static_cast<double>(Next() >> 11) * 0x1.0p-53;
}

bool Rng::Bernoulli(double p) { return UniformDouble() < p; }

// ---------------------------------------------------------------------------
// UTF-8

std::u32string DecodeUtf8(absl::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  size_t i = 0;
  while (i < size) {
    const unsigned char lead = p[i];
    if (lead < 0x80) {
      out.push_back(lead);
      ++i;
      continue;
    }
    int length = 0;
    char32_t code_point = 0;
    char32_t minimum = 0;
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
      code_point = lead & 0x1f;
      minimum = 0x80;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      code_point = lead & 0x0f;
      minimum = 0x800;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      code_point = lead & 0x07;
      minimum = 0x10000;
    }
    bool valid = length > 0 && i + length <= size;
    for (int k = 1; valid && k < length; ++k) {
      const unsigned char next = p[i + k];
      if ((next & 0xc0) != 0x80) {
        valid = false;
      } else {
        code_point = (code_point << 6) | (next & 0x3f);
      }
    }
    if (valid && (code_point < minimum || code_point > 0x10ffff ||
                  (code_point >= 0xd800 && code_point <= 0xdfff))) {
      valid = false;
    }
    if (valid) {
      out.push_back(code_point);
      i += length;
    } else {
      out.push_back(0xfffd);
      ++i;
    }
  }
  return out;
}

namespace {

void AppendUtf8(char32_t c, std::string* out) {
  if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) c = 0xfffd;
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3f)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3f)));
  }
}

}  // namespace

std::string EncodeUtf8(std::u32string_view code_points) {
  std::string out;
  out.reserve(code_points.size() * 2);
  for (char32_t c : code_points) AppendUtf8(c, &out);
  return out;
}

// ---------------------------------------------------------------------------
// Brute-force reference

namespace {

std::set<std::u32string> NgramStdSet(absl::string_view text, int ngram) {
  const std::u32string code_points = DecodeUtf8(text);
  std::set<std::u32string> ngrams;
  const size_t n = static_cast<size_t>(ngram);
  if (code_points.empty()) return ngrams;
  if (code_points.size() < n) {
    ngrams.insert(code_points);
    return ngrams;
  }
  for (size_t i = 0; i + n <= code_points.size(); ++i) {
    ngrams.insert(code_points.substr(i, n));
  }
  return ngrams;
}

size_t IntersectionSize(const std::set<std::u32string>& a,
                        const std::set<std::u32string>& b) {
  const std::set<std::u32string>& small = a.size() <= b.size() ? a : b;
  const std::set<std::u32string>& large = a.size() <= b.size() ? b : a;
  size_t count = 0;
  for (const std::u32string& ngram : small) count += large.count(ngram);
  return count;
}

}  // namespace

std::vector<std::u32string> NgramSet(absl::string_view text, int ngram) {
  std::set<std::u32string> ngrams = NgramStdSet(text, ngram);
  return std::vector<std::u32string>(ngrams.begin(), ngrams.end());
}

double BruteForceJaccard(absl::string_view a, absl::string_view b, int ngram) {
  const std::set<std::u32string> set_a = NgramStdSet(a, ngram);
  const std::set<std::u32string> set_b = NgramStdSet(b, ngram);
  const size_t intersection = IntersectionSize(set_a, set_b);
  const size_t union_size = set_a.size() + set_b.size() - intersection;
  if (union_size == 0) return 0;
  return static_cast<double>(intersection) / static_cast<double>(union_size);
}

double BruteForceContainment(absl::string_view a, absl::string_view b,
                             int ngram) {
  const std::set<std::u32string> set_a = NgramStdSet(a, ngram);
  const std::set<std::u32string> set_b = NgramStdSet(b, ngram);
  const size_t smaller = std::min(set_a.size(), set_b.size());
  if (smaller == 0) return 0;
  return static_cast<double>(IntersectionSize(set_a, set_b)) /
         static_cast<double>(smaller);
}

namespace {

// Every document's distinct n-grams as dense integer ids, sorted ascending,
// where ids are given in order of increasing document frequency (rarest
// first): the global order prefix filtering needs.
std::vector<std::vector<uint32_t>> DocumentIdSets(
    const std::vector<GeneratedDoc>& docs, int ngram) {
  const size_t n = static_cast<size_t>(ngram);
  std::vector<std::u32string> texts;
  texts.reserve(docs.size());
  for (const GeneratedDoc& doc : docs) texts.push_back(DecodeUtf8(doc.text));

  // The same n-gram set as NgramStdSet, as sorted views into `texts`.
  std::vector<std::vector<std::u32string_view>> sets(docs.size());
  for (size_t d = 0; d < texts.size(); ++d) {
    const std::u32string_view text = texts[d];
    std::vector<std::u32string_view>& set = sets[d];
    if (text.empty()) continue;
    if (text.size() < n) {
      set.push_back(text);
      continue;
    }
    for (size_t i = 0; i + n <= text.size(); ++i) {
      set.push_back(text.substr(i, n));
    }
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
  }

  struct Entry {
    uint32_t first_seen;
    uint32_t frequency;
  };
  std::unordered_map<std::u32string_view, Entry> entries;
  for (const auto& set : sets) {
    for (std::u32string_view gram : set) {
      auto [it, inserted] = entries.try_emplace(
          gram, Entry{static_cast<uint32_t>(entries.size()), 0});
      ++it->second.frequency;
    }
  }
  // Rank by (frequency, first seen): rarest first, a total order that depends
  // only on the texts, not on hashing.
  std::vector<uint64_t> order;  // frequency << 32 | first seen
  order.reserve(entries.size());
  for (const auto& [gram, entry] : entries) {
    order.push_back((uint64_t{entry.frequency} << 32) | entry.first_seen);
  }
  std::sort(order.begin(), order.end());
  std::vector<uint32_t> rank_of_first_seen(entries.size());
  for (size_t r = 0; r < order.size(); ++r) {
    rank_of_first_seen[order[r] & 0xffffffff] = static_cast<uint32_t>(r);
  }

  std::vector<std::vector<uint32_t>> ids(docs.size());
  for (size_t d = 0; d < sets.size(); ++d) {
    ids[d].reserve(sets[d].size());
    for (std::u32string_view gram : sets[d]) {
      ids[d].push_back(rank_of_first_seen[entries.at(gram).first_seen]);
    }
    std::sort(ids[d].begin(), ids[d].end());
  }
  return ids;
}

}  // namespace

std::vector<TruePair> BruteForcePairs(const std::vector<GeneratedDoc>& docs,
                                      int ngram, double min_jaccard) {
  const std::vector<std::vector<uint32_t>> sets = DocumentIdSets(docs, ngram);
  const uint32_t count = static_cast<uint32_t>(docs.size());
  std::vector<TruePair> pairs;
  // Counts |A ∩ B| exactly, giving up as soon as J >= t is out of reach:
  // J >= t  <=>  |A ∩ B| >= t / (1 + t) * (|A| + |B|), and J <= min / max of
  // the set sizes.
  auto verify = [&](uint32_t i, uint32_t j) {
    const std::vector<uint32_t>& a = sets[i];
    const std::vector<uint32_t>& b = sets[j];
    const double smaller = static_cast<double>(std::min(a.size(), b.size()));
    const double larger = static_cast<double>(std::max(a.size(), b.size()));
    if (min_jaccard > 0 && smaller < min_jaccard * larger) return;
    const double needed = min_jaccard > 0
                              ? min_jaccard / (1 + min_jaccard) *
                                    static_cast<double>(a.size() + b.size())
                              : 0;
    const uint32_t* pa = a.data();
    const uint32_t* const end_a = pa + a.size();
    const uint32_t* pb = b.data();
    const uint32_t* const end_b = pb + b.size();
    size_t intersection = 0;
    while (pa != end_a && pb != end_b) {
      if (*pa < *pb) {
        ++pa;
      } else if (*pb < *pa) {
        ++pb;
      } else {
        ++intersection;
        ++pa;
        ++pb;
      }
      const size_t remaining =
          static_cast<size_t>(std::min(end_a - pa, end_b - pb));
      // The 1e-9 slack keeps rounding from discarding a pair at exactly t.
      if (static_cast<double>(intersection + remaining) < needed - 1e-9) {
        return;
      }
    }
    const size_t union_size = a.size() + b.size() - intersection;
    const double jaccard = union_size == 0
                               ? 0
                               : static_cast<double>(intersection) /
                                     static_cast<double>(union_size);
    if (jaccard >= min_jaccard) pairs.push_back({i, j, jaccard});
  };

  if (min_jaccard <= 0) {
    for (uint32_t i = 0; i < count; ++i) {
      for (uint32_t j = i + 1; j < count; ++j) verify(i, j);
    }
    return pairs;
  }

  // Prefix filtering (Chaudhuri et al. 2006; Bayardo et al. 2007), exact:
  // J(A, B) >= t implies o = |A ∩ B| >= t * max(|A|, |B|). List the common
  // n-grams in the global order c1 < c2 < ... < co; in A, o - 1 of them
  // follow c1, so c1 is among A's first |A| - o + 1 ids, and likewise in B.
  // With alpha(X) = floor(t * |X|) <= o, the prefixes of |X| - alpha(X) + 1
  // ids are at least that long, so every qualifying pair shares an id in
  // both prefixes. Candidates sharing one are then counted in full.
  std::vector<std::vector<uint32_t>> postings;  // id -> docs with it in
                                                // their prefix
  std::vector<uint32_t> last_candidate_of(count, UINT32_MAX);
  for (uint32_t i = 0; i < count; ++i) {
    const std::vector<uint32_t>& set = sets[i];
    if (set.empty()) continue;  // J = 0 with everything.
    const double scaled = min_jaccard * static_cast<double>(set.size());
    // Rounding could only push alpha up by one ulp's worth; step back so the
    // prefix errs on the long side.
    const size_t alpha = static_cast<size_t>(std::floor(scaled * (1 - 1e-12)));
    const size_t prefix = std::min(set.size(), set.size() - alpha + 1);
    std::vector<uint32_t> candidates;
    for (size_t k = 0; k < prefix; ++k) {
      const uint32_t id = set[k];
      if (id >= postings.size()) postings.resize(id + 1);
      for (uint32_t j : postings[id]) {
        if (last_candidate_of[j] != i) {
          last_candidate_of[j] = i;
          candidates.push_back(j);
        }
      }
      postings[id].push_back(i);
    }
    for (uint32_t j : candidates) verify(j, i);
  }
  std::sort(pairs.begin(), pairs.end(),
            [](const TruePair& x, const TruePair& y) {
              return x.a != y.a ? x.a < y.a : x.b < y.b;
            });
  return pairs;
}

// ---------------------------------------------------------------------------
// Vocabulary

namespace {

struct TopicWords {
  const char* name;
  std::vector<std::string_view> words;
};

struct Vocabulary {
  std::vector<std::string_view> function_words;
  std::vector<std::string_view> general_words;
  std::vector<TopicWords> topics;
  std::vector<std::string_view> first_names;
  std::vector<std::string_view> last_names;
  std::string_view comma;
  bool capitalise = false;
};

const Vocabulary& EnglishVocabulary() {
  static const Vocabulary* const vocabulary = new Vocabulary{
      // Function words, most frequent first.
      {"the",     "of",    "and",   "to",     "in",     "a",     "said",
       "on",      "for",   "that",  "is",     "was",    "with",  "by",
       "at",      "from",  "as",    "it",     "has",    "have",  "will",
       "be",      "are",   "were",  "its",    "their",  "after", "an",
       "this",    "which", "not",   "but",    "over",   "more",  "than",
       "also",    "had",   "been",  "who",    "would",  "they",  "about",
       "into",    "up",    "while", "before", "during", "under", "against",
       "between", "some",  "most",  "other",  "all",    "such",  "there",
       "no",      "per",   "when",  "could"},
      // General news words.
      {"government", "officials",   "minister",  "people",        "country",
       "city",       "report",      "statement", "ministry",      "spokesman",
       "president",  "week",        "year",      "month",         "Monday",
       "Tuesday",    "Wednesday",   "Thursday",  "Friday",        "Saturday",
       "Sunday",     "million",     "billion",   "percent",       "region",
       "national",   "local",       "public",    "international", "state",
       "agency",     "according",   "expected",  "plans",         "announced",
       "told",       "reporters",   "added",     "official",      "new",
       "early",      "late",        "first",     "second",        "third",
       "last",       "next",        "previous",  "recent",        "several",
       "many",       "around",      "nearly",    "hundreds",      "thousands",
       "capital",    "authorities", "residents", "workers",       "council",
       "committee",  "board",       "group",     "programme",     "project",
       "plan",       "decision",    "meeting",   "talks",         "conference",
       "support",    "citizens",    "sources",   "measures",      "efforts",
       "situation",  "stage",       "media",     "district"},
      {{"politics",
        {"parliament", "election",   "vote",     "voters",     "opposition",
         "party",      "coalition",  "cabinet",  "prime",      "lawmakers",
         "bill",       "law",        "reform",   "campaign",   "candidate",
         "ballot",     "seats",      "majority", "speaker",    "constitution",
         "senate",     "referendum", "protest",  "protesters", "negotiations",
         "agreement",  "treaty",     "diplomat", "embassy",    "sanctions",
         "ceasefire",  "border",     "security", "troops",     "defence",
         "foreign",    "leader",     "leaders",  "summit",     "delegation"}},
       {"economy",
        {"economy",  "inflation",  "prices",  "bank",         "central",
         "interest", "rates",      "oil",     "exports",      "imports",
         "trade",    "market",     "markets", "shares",       "investors",
         "growth",   "budget",     "deficit", "debt",         "currency",
         "dollar",   "tax",        "taxes",   "companies",    "company",
         "profit",   "revenue",    "jobs",    "unemployment", "wages",
         "output",   "production", "energy",  "fuel",         "barrels",
         "crude",    "stocks",     "bonds",   "loans",        "finance"}},
       {"sport",
        {"team",     "match",      "league",     "season",  "coach",
         "players",  "player",     "goal",       "goals",   "championship",
         "final",    "cup",        "club",       "striker", "midfielder",
         "defender", "stadium",    "fans",       "victory", "defeat",
         "draw",     "tournament", "qualifiers", "squad",   "injury",
         "penalty",  "referee",    "points",     "title",   "medal",
         "race",     "runner",     "world",      "record",  "minutes",
         "half",     "score",      "win",        "lost",    "training"}},
       {"weather",
        {"rain",     "storm",       "storms",       "flooding",   "floods",
         "wind",     "winds",       "temperatures", "heat",       "weather",
         "forecast", "forecasters", "coast",        "coastal",    "roads",
         "drivers",  "schools",     "closed",       "warning",    "warnings",
         "rainfall", "snow",        "dust",         "visibility", "sea",
         "waves",    "dam",         "valley",       "rescue",     "emergency",
         "shelters", "damage",      "power",        "outage",     "homes",
         "villages", "crews",       "drought",      "water",      "humidity"}},
       {"health",
        {"hospital", "hospitals", "health",    "patients",  "doctors",
         "nurses",   "vaccine",   "vaccines",  "disease",   "outbreak",
         "cases",    "virus",     "treatment", "clinic",    "clinics",
         "medicine", "medical",   "care",      "infection", "infections",
         "surgery",  "children",  "mothers",   "study",     "researchers",
         "trial",    "drug",      "drugs",     "pharmacy",  "insurance",
         "beds",     "staff",     "shortage",  "awareness", "screening",
         "cancer",   "diabetes",  "heart",     "blood",     "symptoms"}},
       {"technology",
        {"technology",   "internet",  "data",     "users",     "app",
         "apps",         "software",  "phones",   "network",   "networks",
         "digital",      "online",    "platform", "startup",   "startups",
         "cyber",        "attack",    "hackers",  "privacy",   "artificial",
         "intelligence", "chips",     "devices",  "satellite", "launch",
         "engineers",    "computing", "cloud",    "services",  "service",
         "connection",   "broadband", "mobile",   "telecom",   "operators",
         "innovation",   "research",  "systems",  "electric",  "batteries"}}},
      {"James", "Sarah", "Daniel", "Laura", "Michael", "Helen", "Robert",
       "Maria", "Thomas", "Anna", "Peter", "Grace", "David", "Emma", "Samuel",
       "Ruth"},
      {"Carter", "Whitfield", "Morgan", "Ellison", "Barnes", "Hayward",
       "Collins", "Reyes", "Foster", "Lindqvist", "Okafor", "Brennan", "Marsh",
       "Howell", "Sutton", "Price"},
      ",",
      true};
  return *vocabulary;
}

const Vocabulary& ArabicVocabulary() {
  static const Vocabulary* const vocabulary = new Vocabulary{
      // Function words, most frequent first.
      {"في",    "من",  "على",  "إلى",  "أن",    "التي",  "الذي", "مع",
       "عن",    "هذا", "هذه",  "بعد",  "قبل",   "كما",   "وقال", "قال",
       "وأضاف", "حيث", "خلال", "بين",  "أو",    "لا",    "ما",   "كان",
       "كانت",  "وفي", "إن",   "ذلك",  "تلك",   "منذ",   "حتى",  "عند",
       "أمام",  "ضد",  "لدى",  "نحو",  "أكثر",  "أيضا",  "وذلك", "وهو",
       "وهي",   "كل",  "بعض",  "غير",  "عبر",   "دون",   "لم",   "لن",
       "قد",    "وقد", "ثم",   "فيما", "بينما", "اليوم", "أمس"},
      // General news words.
      {"الحكومة",  "المسؤولين", "الوزير",    "الوزارة",  "الناس",    "البلاد",
       "المدينة",  "التقرير",   "بيان",      "المتحدث",  "الرئيس",   "الأسبوع",
       "العام",    "الشهر",     "الاثنين",   "الثلاثاء", "الأربعاء", "الخميس",
       "الجمعة",   "السبت",     "الأحد",     "مليون",    "مليار",    "بالمئة",
       "المنطقة",  "الوطنية",   "المحلية",   "العامة",   "الدولية",  "الدولة",
       "وكالة",    "وفقا",      "المتوقع",   "خطة",      "أعلن",     "أعلنت",
       "صرح",      "للصحفيين",  "مسؤول",     "الجديد",   "الجديدة",  "الأول",
       "الثاني",   "الثالث",    "الماضي",    "المقبل",   "السابق",   "الأخيرة",
       "عدة",      "العديد",    "حوالي",     "مئات",     "آلاف",     "العاصمة",
       "السلطات",  "السكان",    "العمال",    "المجلس",   "اللجنة",   "مجموعة",
       "برنامج",   "مشروع",     "قرار",      "اجتماع",   "محادثات",  "مؤتمر",
       "دعم",      "المواطنين", "الجهات",    "المختصة",  "مصادر",    "رسمية",
       "الإعلام",  "الأوضاع",   "الإجراءات", "المرحلة",  "تنفيذ",    "جهود",
       "المحافظة", "الحي"},
      {{"politics",
        {"البرلمان",  "الانتخابات", "التصويت",   "الناخبين",   "المعارضة",
         "الحزب",     "الائتلاف",   "الوزراء",   "رئيس",       "النواب",
         "القانون",   "الإصلاح",    "الحملة",    "المرشح",     "المقاعد",
         "الأغلبية",  "الدستور",    "الاستفتاء", "الاحتجاجات", "المتظاهرين",
         "المفاوضات", "الاتفاق",    "المعاهدة",  "الدبلوماسي", "السفارة",
         "العقوبات",  "وقف",        "إطلاق",     "النار",      "الحدود",
         "الأمن",     "القوات",     "الدفاع",    "الخارجية",   "القادة",
         "القمة",     "الوفد",      "السياسية",  "الجلسة",     "الحوار"}},
       {"economy",
        {"الاقتصاد",  "التضخم",  "الأسعار",   "البنك",      "المركزي",
         "الفائدة",   "النفط",   "الصادرات",  "الواردات",   "التجارة",
         "السوق",     "الأسواق", "الأسهم",    "المستثمرين", "النمو",
         "الميزانية", "العجز",   "الدين",     "العملة",     "الدولار",
         "الضرائب",   "الشركات", "الشركة",    "الأرباح",    "الإيرادات",
         "الوظائف",   "البطالة", "الأجور",    "الإنتاج",    "الطاقة",
         "الوقود",    "برميل",   "الخام",     "البورصة",    "السندات",
         "القروض",    "التمويل", "الاستثمار", "الريال",     "الدينار"}},
       {"sport", {"المنتخب",  "المباراة", "الدوري",    "الموسم",    "المدرب",
                  "اللاعبين", "اللاعب",   "هدف",       "الأهداف",   "البطولة",
                  "النهائي",  "الكأس",    "النادي",    "المهاجم",   "الوسط",
                  "المدافع",  "الملعب",   "الجماهير",  "الفوز",     "الخسارة",
                  "التعادل",  "التصفيات", "الإصابة",   "ركلة",      "الجزاء",
                  "الحكم",    "النقاط",   "اللقب",     "الميدالية", "السباق",
                  "العداء",   "العالم",   "الرقم",     "القياسي",   "الدقيقة",
                  "الشوط",    "الفريق",   "التدريبات", "المنافسة",  "الجولة"}},
       {"weather",
        {"الأمطار", "العاصفة",  "السيول",   "الفيضانات", "الرياح",  "درجات",
         "الحرارة", "الطقس",    "التوقعات", "الأرصاد",   "الساحل",  "الساحلية",
         "الطرق",   "السائقين", "المدارس",  "إغلاق",     "تحذير",   "التحذيرات",
         "الثلوج",  "الغبار",   "الرؤية",   "البحر",     "الأمواج", "السد",
         "الوادي",  "الإنقاذ",  "الطوارئ",  "الملاجئ",   "الأضرار", "الكهرباء",
         "انقطاع",  "المنازل",  "القرى",    "الفرق",     "الجفاف",  "المياه",
         "الشتاء",  "الصيف",    "الرطوبة",  "الضباب"}},
       {"health",
        {"المستشفى", "المستشفيات", "الصحة",    "المرضى",  "الأطباء", "الممرضين",
         "اللقاح",   "اللقاحات",   "المرض",    "تفشي",    "الحالات", "الفيروس",
         "العلاج",   "العيادة",    "العيادات", "الدواء",  "الطبية",  "الرعاية",
         "العدوى",   "الجراحة",    "الأطفال",  "الأمهات", "الدراسة", "الباحثين",
         "التجربة",  "الأدوية",    "الصيدلية", "التأمين", "الأسرة",  "الكوادر",
         "نقص",      "التوعية",    "الفحص",    "السرطان", "السكري",  "القلب",
         "الدم",     "الأعراض",    "الوقاية",  "الإصابات"}},
       {"technology",
        {"التقنية",   "الإنترنت",    "البيانات", "المستخدمين", "التطبيق",
         "التطبيقات", "البرمجيات",   "الهواتف",  "الشبكة",     "الشبكات",
         "الرقمية",   "الإلكترونية", "المنصة",   "الناشئة",    "السيبراني",
         "الهجوم",    "القراصنة",    "الخصوصية", "الذكاء",     "الاصطناعي",
         "الرقائق",   "الأجهزة",     "القمر",    "الصناعي",    "المهندسين",
         "الحوسبة",   "السحابية",    "الخدمات",  "الخدمة",     "الاتصال",
         "النطاق",    "العريض",      "المحمول",  "الاتصالات",  "المشغلين",
         "الابتكار",  "البحث",       "الأنظمة",  "البطاريات",  "الشرائح"}}},
      {"محمد", "أحمد", "خالد", "سالم", "فاطمة", "مريم", "عمر", "يوسف", "ليلى",
       "نورة", "حسن", "علي", "سارة", "هند", "ماجد", "طارق"},
      {"العتيبي", "الحربي", "المنصوري", "الشمري", "القحطاني", "الزهراني",
       "الكعبي", "الهاشمي", "النعيمي", "السويدي", "البلوشي", "الدوسري",
       "المطيري", "العمري", "الخطيب", "الحسيني"},
      "،",
      false};
  return *vocabulary;
}

const Vocabulary& VocabularyFor(Language language) {
  return language == Language::kArabic ? ArabicVocabulary()
                                       : EnglishVocabulary();
}

}  // namespace

const std::vector<std::string_view>& FunctionWords(Language language) {
  return VocabularyFor(language).function_words;
}

namespace {

// Draws rank r in [0, size) with probability proportional to 1 / (r + 1).
// Sums and one product of exactly representable terms, in a fixed order, so
// the draw is the same on every IEEE-754 platform.
size_t ZipfRank(Rng& rng, size_t size) {
  static const std::vector<double>* const cumulative = [] {
    auto* sums = new std::vector<double>;
    double total = 0;
    for (int r = 0; r < 256; ++r) {
      total += 1.0 / (r + 1);
      sums->push_back(total);
    }
    return sums;
  }();
  size = std::min(size, cumulative->size());
  const double u = rng.UniformDouble();
  const double scaled = u * (*cumulative)[size - 1];
  const auto it =
      std::upper_bound(cumulative->begin(), cumulative->begin() + size, scaled);
  return std::min(static_cast<size_t>(it - cumulative->begin()), size - 1);
}

// Per-article choices that make articles on one topic different texts.
struct ArticleStyle {
  size_t topic = 0;
  size_t topic_offset = 0;    // Rotates which topic words are most frequent.
  size_t general_offset = 0;  // Same for general words.
  std::vector<std::string> people;
};

ArticleStyle DrawStyle(Rng& rng, const Vocabulary& vocabulary) {
  ArticleStyle style;
  style.topic = rng.Uniform(vocabulary.topics.size());
  style.topic_offset = rng.Uniform(vocabulary.topics[style.topic].words.size());
  style.general_offset = rng.Uniform(vocabulary.general_words.size());
  for (int k = 0; k < 3; ++k) {
    std::string name(
        vocabulary.first_names[rng.Uniform(vocabulary.first_names.size())]);
    name += ' ';
    name += vocabulary.last_names[rng.Uniform(vocabulary.last_names.size())];
    style.people.push_back(std::move(name));
  }
  return style;
}

std::string DrawWord(Rng& rng, const Vocabulary& vocabulary,
                     const ArticleStyle& style) {
  const uint64_t kind = rng.Uniform(100);
  if (kind < 45) {
    const auto& words = vocabulary.function_words;
    return std::string(words[ZipfRank(rng, words.size())]);
  }
  if (kind < 80) {
    const auto& words = vocabulary.topics[style.topic].words;
    const size_t rank = ZipfRank(rng, words.size());
    return std::string(words[(rank + style.topic_offset) % words.size()]);
  }
  if (kind < 96) {
    const auto& words = vocabulary.general_words;
    const size_t rank = ZipfRank(rng, words.size());
    return std::string(words[(rank + style.general_offset) % words.size()]);
  }
  if (kind < 98) return style.people[rng.Uniform(style.people.size())];
  return absl::StrFormat("%d", rng.UniformInt(2, 2000));
}

void CapitaliseFirst(std::string* word) {
  if (!word->empty() && (*word)[0] >= 'a' && (*word)[0] <= 'z') {
    (*word)[0] = static_cast<char>((*word)[0] - 'a' + 'A');
  }
}

}  // namespace

std::string GenerateArticle(Rng& rng, Language language, int paragraphs) {
  const Vocabulary& vocabulary = VocabularyFor(language);
  const ArticleStyle style = DrawStyle(rng, vocabulary);
  std::string article;
  for (int p = 0; p < paragraphs; ++p) {
    if (p > 0) article += "\n\n";
    const int sentences = static_cast<int>(rng.UniformInt(2, 6));
    for (int s = 0; s < sentences; ++s) {
      if (s > 0) article += ' ';
      const int words = static_cast<int>(rng.UniformInt(8, 20));
      for (int w = 0; w < words; ++w) {
        std::string word = DrawWord(rng, vocabulary, style);
        if (w == 0 && vocabulary.capitalise) CapitaliseFirst(&word);
        if (w > 0) article += ' ';
        article += word;
        if (w + 1 < words && w > 1 && rng.Bernoulli(0.06)) {
          article += vocabulary.comma;
        }
      }
      article += '.';
    }
  }
  return article;
}

// ---------------------------------------------------------------------------
// EditToJaccard

namespace {

// An n-gram identified exactly when n <= 6 (six 21-bit code points packed in
// 128 bits, unused slots filled with a value no code point has), otherwise by
// its 128-bit XXH3 hash. Only equality matters: keys are never ordered or
// persisted, so the edited text does not depend on the hash values.
struct NgramKey {
  uint64_t low = 0;
  uint64_t high = 0;
  bool operator==(const NgramKey& other) const {
    return low == other.low && high == other.high;
  }
};

NgramKey MakeKey(const char32_t* code_points, size_t length, size_t ngram) {
  NgramKey key;
  if (ngram <= 6) {
    constexpr uint64_t kPadding = 0x1fffff;  // Above U+10FFFF.
    for (size_t i = 0; i < 6; ++i) {
      const uint64_t value = i < length ? code_points[i] : kPadding;
      if (i < 3) {
        key.low |= value << (21 * i);
      } else {
        key.high |= value << (21 * (i - 3));
      }
    }
    return key;
  }
  const XXH128_hash_t hash =
      XXH3_128bits(code_points, length * sizeof(char32_t));
  key.low = hash.low64;
  key.high = hash.high64;
  return key;
}

// The n-gram multiset of the edited text, kept up to date edit by edit,
// together with which n-grams the original had: enough to know the exact
// Jaccard after every edit without rescanning the text.
class JaccardTracker {
 public:
  JaccardTracker(std::u32string original, size_t ngram)
      : text_(std::move(original)), ngram_(ngram) {
    slots_.resize(1024);
    AddAll(+1);
    for (Slot& slot : slots_) {
      if (slot.count > 0) slot.in_original = true;
    }
    original_distinct_ = distinct_;
    intersection_ = distinct_;
  }

  const std::u32string& text() const { return text_; }
  size_t original_distinct() const { return original_distinct_; }

  double Jaccard() const {
    const size_t union_size = original_distinct_ + distinct_ - intersection_;
    if (union_size == 0) return 0;
    return static_cast<double>(intersection_) / static_cast<double>(union_size);
  }

  // Replaces text_[begin, end) with `replacement`, updating only the n-grams
  // that overlap the edit.
  void Replace(size_t begin, size_t end, std::u32string_view replacement) {
    const size_t n = ngram_;
    const size_t old_size = text_.size();
    const size_t new_size = old_size - (end - begin) + replacement.size();
    if (old_size < n || new_size < n) {
      AddAll(-1);
      text_.replace(begin, end - begin, replacement);
      AddAll(+1);
      return;
    }
    // Old n-grams starting in [first, end) overlap or span the edit; after
    // it, those starting in [first, begin + |replacement|) are new.
    const size_t first = begin >= n - 1 ? begin - (n - 1) : 0;
    AddStarts(first, std::min(end, old_size - n + 1), -1);
    text_.replace(begin, end - begin, replacement);
    AddStarts(first, std::min(begin + replacement.size(), new_size - n + 1),
              +1);
  }

 private:
  struct Slot {
    NgramKey key;
    int32_t count = 0;
    bool used = false;
    bool in_original = false;
  };

  static size_t SlotHash(const NgramKey& key) {
    return static_cast<size_t>(Mix64(key.low ^ RotateLeft(key.high, 29)));
  }

  Slot& FindOrInsert(const NgramKey& key) {
    if (2 * (used_ + 1) > slots_.size()) Grow();
    const size_t mask = slots_.size() - 1;
    for (size_t i = SlotHash(key) & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (!slot.used) {
        slot.used = true;
        slot.key = key;
        ++used_;
        return slot;
      }
      if (slot.key == key) return slot;
    }
  }

  void Grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.resize(old.size() * 2);
    used_ = 0;
    for (const Slot& slot : old) {
      if (slot.used) FindOrInsert(slot.key) = slot;
    }
  }

  void Update(const NgramKey& key, int delta) {
    Slot& slot = FindOrInsert(key);
    if (delta > 0) {
      if (slot.count++ == 0) {
        ++distinct_;
        if (slot.in_original) ++intersection_;
      }
    } else if (--slot.count == 0) {
      --distinct_;
      if (slot.in_original) --intersection_;
    }
  }

  void AddStarts(size_t first, size_t last, int delta) {
    for (size_t i = first; i < last; ++i) {
      Update(MakeKey(text_.data() + i, ngram_, ngram_), delta);
    }
  }

  void AddAll(int delta) {
    if (text_.empty()) return;
    if (text_.size() < ngram_) {
      Update(MakeKey(text_.data(), text_.size(), ngram_), delta);
      return;
    }
    AddStarts(0, text_.size() - ngram_ + 1, delta);
  }

  std::u32string text_;
  size_t ngram_;
  std::vector<Slot> slots_;
  size_t used_ = 0;
  size_t distinct_ = 0;
  size_t original_distinct_ = 0;
  size_t intersection_ = 0;
};

bool IsSpace(char32_t c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

bool IsPunctuation(char32_t c) {
  switch (c) {
    case '.':
    case ',':
    case ';':
    case ':':
    case '!':
    case '?':
    case '"':
    case '\'':
    case '(':
    case ')':
    case '-':
    case U'،':
    case U'؛':
    case U'؟':
    case U'«':
    case U'»':
    case U'“':
    case U'”':
      return true;
    default:
      return false;
  }
}

bool IsWordChar(char32_t c) { return !IsSpace(c) && !IsPunctuation(c); }

Language DetectLanguage(std::u32string_view text) {
  size_t arabic = 0;
  size_t latin = 0;
  for (char32_t c : text) {
    if (c >= 0x600 && c <= 0x6ff) {
      ++arabic;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      ++latin;
    }
  }
  return arabic > latin ? Language::kArabic : Language::kEnglish;
}

// A word [begin, end) near a random position, or begin == end if the text
// has no word.
std::pair<size_t, size_t> PickWord(Rng& rng, std::u32string_view text) {
  const size_t size = text.size();
  if (size == 0) return {0, 0};
  size_t position = rng.Uniform(size);
  while (position < size && !IsWordChar(text[position])) ++position;
  if (position == size) {
    position = 0;
    while (position < size && !IsWordChar(text[position])) ++position;
    if (position == size) return {0, 0};
  }
  size_t begin = position;
  while (begin > 0 && IsWordChar(text[begin - 1])) --begin;
  size_t end = position;
  while (end < size && IsWordChar(text[end])) ++end;
  return {begin, end};
}

struct Edit {
  size_t begin = 0;
  size_t end = 0;
  std::u32string replacement;
};

// A random edit of the text, or an empty one (begin == end, no replacement)
// when none applies. `fine` asks for the smallest edits: punctuation and
// single letters.
Edit ProposeEdit(Rng& rng, std::u32string_view text,
                 const Vocabulary& vocabulary, const ArticleStyle& style,
                 bool fine) {
  Edit edit;
  const auto [begin, end] = PickWord(rng, text);
  if (begin == end) return edit;
  const uint64_t roll = fine ? 80 + rng.Uniform(20) : rng.Uniform(100);
  if (roll < 40) {  // Substitute the word.
    edit.begin = begin;
    edit.end = end;
    edit.replacement = DecodeUtf8(DrawWord(rng, vocabulary, style));
    if (edit.replacement == text.substr(begin, end - begin)) {
      edit.replacement = DecodeUtf8(DrawWord(rng, vocabulary, style));
    }
  } else if (roll < 60) {  // Insert a word before it.
    edit.begin = begin;
    edit.end = begin;
    edit.replacement = DecodeUtf8(DrawWord(rng, vocabulary, style));
    edit.replacement += U' ';
  } else if (roll < 80) {  // Delete it with one neighbouring space.
    if (end < text.size() && text[end] == ' ') {
      edit.begin = begin;
      edit.end = end + 1;
    } else if (begin > 0 && text[begin - 1] == ' ') {
      edit.begin = begin - 1;
      edit.end = end;
    }
    // Otherwise the word stands alone between line breaks: leave it, so
    // paragraphs never merge.
  } else if (roll < 90) {  // Toggle or swap a comma after it.
    edit.begin = end;
    edit.end = end;
    const char32_t next = end < text.size() ? text[end] : 0;
    if (next == ',' || next == U'،') {
      edit.end = end + 1;
      if (rng.Bernoulli(0.5)) edit.replacement = next == ',' ? U"،" : U",";
    } else {
      edit.replacement = DecodeUtf8(
          absl::string_view(vocabulary.comma.data(), vocabulary.comma.size()));
    }
  } else {  // Change one letter.
    const size_t at = begin + rng.Uniform(end - begin);
    const std::u32string donor = DecodeUtf8(DrawWord(rng, vocabulary, style));
    const char32_t letter = donor[rng.Uniform(donor.size())];
    if (IsWordChar(letter) && letter != text[at]) {
      edit.begin = at;
      edit.end = at + 1;
      edit.replacement = std::u32string(1, letter);
    }
  }
  return edit;
}

}  // namespace

std::string EditToJaccard(absl::string_view text, double target, int ngram,
                          Rng& rng, double tolerance) {
  if (target >= 1 || ngram < 1) return std::string(text);
  std::u32string code_points = DecodeUtf8(text);
  const Vocabulary& vocabulary = VocabularyFor(DetectLanguage(code_points));
  JaccardTracker tracker(std::move(code_points), static_cast<size_t>(ngram));
  if (tracker.original_distinct() == 0) return std::string(text);

  // Aim for the middle half of the tolerance band while large edits can get
  // there, so copies are not all bunched at one edge of it.
  double band = tolerance / 2;
  int rejected_in_a_row = 0;
  const size_t max_steps = 50 * tracker.text().size() + 1000;
  for (size_t step = 0; step < max_steps && tracker.Jaccard() > target + band;
       ++step) {
    // A fresh style per edit: edits draw from the whole vocabulary.
    const ArticleStyle style = DrawStyle(rng, vocabulary);
    const bool fine = rejected_in_a_row >= 20;
    const Edit edit = ProposeEdit(rng, tracker.text(), vocabulary, style, fine);
    if (edit.begin == edit.end && edit.replacement.empty()) continue;
    const std::u32string removed =
        tracker.text().substr(edit.begin, edit.end - edit.begin);
    tracker.Replace(edit.begin, edit.end, edit.replacement);
    if (tracker.Jaccard() < target - band) {
      tracker.Replace(edit.begin, edit.begin + edit.replacement.size(),
                      removed);
      ++rejected_in_a_row;
      if (rejected_in_a_row >= 60) band = tolerance;
      if (rejected_in_a_row >= 400) break;  // Too short to land closer.
    } else {
      rejected_in_a_row = 0;
    }
  }
  return EncodeUtf8(tracker.text());
}

// ---------------------------------------------------------------------------
// Truncate and corpora

std::string Truncate(absl::string_view text, double fraction) {
  std::vector<size_t> breaks;  // Offsets of each "\n\n" separator.
  for (size_t at = text.find("\n\n"); at != absl::string_view::npos;
       at = text.find("\n\n", at + 2)) {
    breaks.push_back(at);
  }
  const size_t paragraphs = breaks.size() + 1;
  double wanted = std::floor(fraction * static_cast<double>(paragraphs));
  wanted = std::clamp(wanted, 1.0, static_cast<double>(paragraphs));
  const size_t keep = static_cast<size_t>(wanted);
  if (keep == paragraphs) return std::string(text);
  return std::string(text.substr(0, breaks[keep - 1]));
}

std::vector<GeneratedDoc> GenerateCorpus(const CorpusSpec& spec) {
  std::vector<GeneratedDoc> docs;
  for (size_t s = 0; s < spec.stories; ++s) {
    Rng rng(Mix64(spec.seed ^ Mix64(s + 1)));
    const Language language = rng.UniformDouble() < spec.arabic_fraction
                                  ? Language::kArabic
                                  : Language::kEnglish;
    const int paragraphs = static_cast<int>(
        rng.UniformInt(spec.min_paragraphs,
                       std::max(spec.min_paragraphs, spec.max_paragraphs)));
    const uint32_t story = static_cast<uint32_t>(s);
    std::string original = GenerateArticle(rng, language, paragraphs);
    const int copies =
        static_cast<int>(rng.UniformInt(0, std::max(0, spec.max_copies)));
    for (int c = 0; c < copies; ++c) {
      // Separate statements keep the compiler from fusing multiply-add,
      // which would change the last bit on some platforms.
      const double span = spec.max_similarity - spec.min_similarity;
      const double offset = span * rng.UniformDouble();
      const double target = spec.min_similarity + offset;
      docs.push_back(
          {"", EditToJaccard(original, target, spec.ngram, rng), story, false});
    }
    docs.push_back({"", std::move(original), story, true});
  }
  Rng shuffle(Mix64(spec.seed ^ 0x5eed5eed5eed5eed));
  for (size_t i = docs.size(); i > 1; --i) {
    std::swap(docs[i - 1], docs[shuffle.Uniform(i)]);
  }
  for (size_t i = 0; i < docs.size(); ++i) {
    docs[i].id = absl::StrFormat("gen-%06d", i);
  }
  return docs;
}

}  // namespace neardup::testing
