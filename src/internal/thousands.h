// Counts as people read them in messages and reports: "14,848". Shared by
// the command line's summaries and the HTML report, which cannot use tools/.
//
//   std::string line = absl::StrCat(internal::Thousands(n), " documents");
#ifndef NEARDUP_SRC_INTERNAL_THOUSANDS_H_
#define NEARDUP_SRC_INTERNAL_THOUSANDS_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"

namespace neardup::internal {

// `value` in decimal with a comma between groups of three digits.
inline std::string Thousands(uint64_t value) {
  const std::string digits = absl::StrCat(value);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_THOUSANDS_H_
