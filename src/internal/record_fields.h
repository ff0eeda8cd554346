// The rules for reading one JSON-lines record, shared by every reader.
//
// `LoadCorpus` (batch) and `RecordParser` (one line at a time, for
// `neardup stream`) must accept and refuse exactly the same records with the
// same messages, so the rules live here once: which member is the id and
// which the text, which JSON types they may have, the size limit, and what
// each refusal says. Callers add the location ("feed.jsonl:12: ") and, when
// they stop at bad records, the `skip_hint`.
//
//   simdjson::dom::element root = ...;  // One parsed line.
//   std::string id;
//   internal::RecordFields fields;
//   internal::RecordProblem problem;
//   if (!internal::ReadRecordFields(root, options, &id, &fields, &problem)) {
//     return absl::InvalidArgumentError(problem.message);
//   }
#ifndef NEARDUP_SRC_INTERNAL_RECORD_FIELDS_H_
#define NEARDUP_SRC_INTERNAL_RECORD_FIELDS_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"
#include "neardup/corpus.h"
#include "simdjson.h"

namespace neardup::internal {

// A user's string quoted for an error message: JSON-escaped, so the message
// stays on one line, and cut after about 100 bytes (never inside a UTF-8
// sequence) with "..." appended.
std::string QuoteForMessage(absl::string_view text);

// simdjson's name for an error ("TAPE_ERROR"), as messages print it.
absl::string_view JsonErrorName(simdjson::error_code error);

// "not valid JSON (TAPE_ERROR: <simdjson's explanation>)" for the line that
// failed to parse; "not valid JSON: a NUL byte at column N (...)" when the
// line holds a NUL byte, which simdjson's message would not point at.
std::string InvalidJsonMessage(simdjson::error_code error,
                               absl::string_view line);

// A JSON value's type as messages print it ("integer", "array", ...).
absl::string_view JsonTypeName(simdjson::dom::element_type type);

// The text member of an accepted record.
struct RecordFields {
  // Unescaped; points into the parser's memory, so it is valid until the
  // parser parses again.
  std::string_view text;
  // The text member's position among the object's members, in source order
  // (for internal::FindMemberValue).
  size_t text_ordinal = 0;
};

// Why a record was refused.
struct RecordProblem {
  // What is wrong, and where it says what to change, what to change; no
  // location.
  std::string message;
  // Advice for callers that stop at the first bad record (for example
  // "; fix the record or pass --on-error skip"); empty when `message`
  // already says what to do.
  absl::string_view skip_hint;
};

// Reads the id and text of one parsed record, by these rules:
// - the record is a JSON object;
// - the first member named `options.id_field` is the id: a string, taken as
//   is, or an integer, taken as its decimal digits;
// - the first member named `options.text_field` is the text: a string of at
//   most `options.max_document_bytes` bytes (after unescaping);
// - when the record was `repaired` (it parsed only once its invalid UTF-8
//   was replaced by U+FFFD), the id must not hold U+FFFD. Text may be
//   repaired, an id may not: "a\xff" and "a\xfe" would both become
//   "a\uFFFD" and merge, or stop matching the id the source system keeps.
//   (A valid id could hold U+FFFD too; in a repaired record the two cannot
//   be told apart, so it is refused with a message that says why.)
// On success appends the id to *id, sets *fields and returns true. Otherwise
// fills *problem, leaves *id as it was and returns false. Never fails in any
// other way. Thread-compatible (no shared state).
bool ReadRecordFields(const simdjson::dom::element& root,
                      const InputOptions& options, bool repaired,
                      std::string* id, RecordFields* fields,
                      RecordProblem* problem);

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_RECORD_FIELDS_H_
