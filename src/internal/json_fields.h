// Locating a member's value inside a JSON object's text.
//
// simdjson's DOM says what a record holds but not where: it copies strings
// out. The corpus keeps only the input bytes, so it needs the byte range of
// the text value in the line to serve it later as a slice (or to re-parse
// just that string). This scanner finds it. It trusts its input to be one
// well-formed JSON object, as simdjson has already checked, and only guards
// against running off the end.
#ifndef NEARDUP_SRC_INTERNAL_JSON_FIELDS_H_
#define NEARDUP_SRC_INTERNAL_JSON_FIELDS_H_

#include <cstddef>
#include <cstring>

#include "absl/strings/string_view.h"

namespace neardup::internal {
namespace json_fields_internal {

inline size_t SkipSpace(absl::string_view json, size_t pos) {
  while (pos < json.size()) {
    char c = json[pos];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    ++pos;
  }
  return pos;
}

// json[*pos] is the opening quote; on success *pos is just past the
// closing one.
inline bool SkipString(absl::string_view json, size_t* pos) {
  const size_t open = *pos;
  size_t from = open + 1;
  while (from < json.size()) {
    const void* hit = std::memchr(json.data() + from, '"', json.size() - from);
    if (hit == nullptr) return false;
    const size_t quote = static_cast<const char*>(hit) - json.data();
    // A quote preceded by an odd number of backslashes is escaped.
    size_t backslashes = 0;
    while (quote - backslashes > open + 1 &&
           json[quote - backslashes - 1] == '\\') {
      ++backslashes;
    }
    if (backslashes % 2 == 0) {
      *pos = quote + 1;
      return true;
    }
    from = quote + 1;
  }
  return false;
}

inline bool SkipValue(absl::string_view json, size_t* pos) {
  size_t p = *pos;
  if (p >= json.size()) return false;
  const char first = json[p];
  if (first == '"') return SkipString(json, pos);
  if (first == '{' || first == '[') {
    size_t depth = 0;
    while (p < json.size()) {
      const char c = json[p];
      if (c == '"') {
        if (!SkipString(json, &p)) return false;
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) {
          *pos = p + 1;
          return true;
        }
      }
      ++p;
    }
    return false;
  }
  // Number, true, false or null: runs to the next delimiter.
  while (p < json.size()) {
    const char c = json[p];
    if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' ||
        c == '\n' || c == '\r') {
      break;
    }
    ++p;
  }
  if (p == *pos) return false;
  *pos = p;
  return true;
}

}  // namespace json_fields_internal

// Finds the value of the object's member number `ordinal` (0-based, in
// source order). On success sets [*begin, *end) to the value's bytes (a
// string includes its quotes) and returns true. Returns false if the object
// has fewer members or `json` is not a well-formed object.
inline bool FindMemberValue(absl::string_view json, size_t ordinal,
                            size_t* begin, size_t* end) {
  using namespace json_fields_internal;
  size_t p = SkipSpace(json, 0);
  if (p >= json.size() || json[p] != '{') return false;
  ++p;
  for (size_t member = 0;; ++member) {
    p = SkipSpace(json, p);
    if (p >= json.size() || json[p] != '"') return false;
    if (!SkipString(json, &p)) return false;
    p = SkipSpace(json, p);
    if (p >= json.size() || json[p] != ':') return false;
    p = SkipSpace(json, p + 1);
    const size_t value_begin = p;
    if (!SkipValue(json, &p)) return false;
    if (member == ordinal) {
      *begin = value_begin;
      *end = p;
      return true;
    }
    p = SkipSpace(json, p);
    if (p >= json.size() || json[p] != ',') return false;
    ++p;
  }
}

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_JSON_FIELDS_H_
