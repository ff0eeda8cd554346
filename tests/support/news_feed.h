// JSON-lines records, and a feed of news-size articles as JSON lines, for
// end-to-end tests that need realistic sizes (3-4 KB an article, about one
// story in eight copied): the crash campaign and the disk-full tests. Built
// from GenerateStory() (news_corpus.h), so the same arguments give the same
// bytes.
//
// Example:
//
//   std::vector<std::string> ids;
//   std::string jsonl = neardup::testing::NewsFeed(2000, 7, &ids);
#ifndef NEARDUP_TESTS_SUPPORT_NEWS_FEED_H_
#define NEARDUP_TESTS_SUPPORT_NEWS_FEED_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "src/internal/json_writer.h"
#include "tests/support/news_corpus.h"

namespace neardup::testing {

// One JSON-lines record {"id":ID,"text":TEXT} with its line end, both
// escaped as JSON.
inline std::string JsonRecord(absl::string_view id, absl::string_view text) {
  std::string line = "{\"id\":";
  internal::AppendJsonString(id, &line);
  line += ",\"text\":";
  internal::AppendJsonString(text, &line);
  line += "}\n";
  return line;
}

// `docs` articles of the corpus with seed `seed`, one {"id","text"} line
// each, stories in order (an original, then its copies). Ids are
// "s<seed>-<number>"; `ids`, when given, receives them in order.
inline std::string NewsFeed(size_t docs, uint64_t seed,
                            std::vector<std::string>* ids = nullptr) {
  NewsSpec spec;
  spec.seed = seed;
  std::string jsonl;
  size_t written = 0;
  for (uint64_t story = 0; written < docs; ++story) {
    for (const NewsDoc& doc : GenerateStory(spec, story).docs) {
      if (written == docs) break;
      const std::string id = absl::StrFormat("s%d-%06d", seed, written);
      jsonl += JsonRecord(id, doc.text);
      if (ids != nullptr) ids->push_back(id);
      ++written;
    }
  }
  return jsonl;
}

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_SUPPORT_NEWS_FEED_H_
