// Small, allocation-free JSON emitters for the output hot path.
#ifndef NEARDUP_SRC_INTERNAL_JSON_WRITER_H_
#define NEARDUP_SRC_INTERNAL_JSON_WRITER_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace neardup::internal {

// Appends `text` as a quoted JSON string: '"', '\\' and control characters
// escaped (\n, \t, ... or \u00XX), other UTF-8 passed through, and each
// invalid UTF-8 sequence written as \ufffd, so the output is always valid
// JSON and valid UTF-8.
void AppendJsonString(absl::string_view text, std::string* out);

// Appends a similarity in [0, 1] with at most 6 decimals and no trailing
// zeros ("1", "0.8125", "0.333333"). Same bytes on every platform.
void AppendSimilarity(double value, std::string* out);

// Appends an unsigned integer.
void AppendUint(uint64_t value, std::string* out);

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_JSON_WRITER_H_
