#include "src/internal/record_fields.h"

#include <charconv>
#include <string>
#include <string_view>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "src/internal/json_writer.h"

namespace neardup::internal {

std::string QuoteForMessage(absl::string_view text) {
  constexpr size_t kMaxBytes = 100;
  bool cut = false;
  if (text.size() > kMaxBytes) {
    size_t end = kMaxBytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
      --end;
    }
    text = text.substr(0, end);
    cut = true;
  }
  std::string quoted;
  AppendJsonString(text, &quoted);
  if (cut) quoted.append("...");
  return quoted;
}

absl::string_view JsonErrorName(simdjson::error_code error) {
  switch (error) {
    case simdjson::CAPACITY:
      return "CAPACITY";
    case simdjson::MEMALLOC:
      return "MEMALLOC";
    case simdjson::TAPE_ERROR:
      return "TAPE_ERROR";
    case simdjson::DEPTH_ERROR:
      return "DEPTH_ERROR";
    case simdjson::STRING_ERROR:
      return "STRING_ERROR";
    case simdjson::T_ATOM_ERROR:
      return "T_ATOM_ERROR";
    case simdjson::F_ATOM_ERROR:
      return "F_ATOM_ERROR";
    case simdjson::N_ATOM_ERROR:
      return "N_ATOM_ERROR";
    case simdjson::NUMBER_ERROR:
      return "NUMBER_ERROR";
    case simdjson::UTF8_ERROR:
      return "UTF8_ERROR";
    case simdjson::EMPTY:
      return "EMPTY";
    case simdjson::UNESCAPED_CHARS:
      return "UNESCAPED_CHARS";
    case simdjson::UNCLOSED_STRING:
      return "UNCLOSED_STRING";
    case simdjson::NUMBER_OUT_OF_RANGE:
      return "NUMBER_OUT_OF_RANGE";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "INCOMPLETE_ARRAY_OR_OBJECT";
    case simdjson::TRAILING_CONTENT:
      return "TRAILING_CONTENT";
    default:
      return "ERROR";
  }
}

std::string InvalidJsonMessage(simdjson::error_code error,
                               absl::string_view line) {
  // simdjson reports a NUL byte as a broken structure or an unescaped
  // character, which does not point at it; a NUL is also the first sign of
  // a UTF-16 file.
  if (const size_t nul = line.find('\0'); nul != absl::string_view::npos) {
    return absl::StrCat(
        "not valid JSON: a NUL byte at column ", nul + 1,
        " (raw NUL bytes are not JSON: convert a UTF-16 file to UTF-8, and "
        "write a NUL inside a text as \\u0000)");
  }
  return absl::StrCat("not valid JSON (", JsonErrorName(error), ": ",
                      simdjson::error_message(error), ")");
}

absl::string_view JsonTypeName(simdjson::dom::element_type type) {
  switch (type) {
    case simdjson::dom::element_type::ARRAY:
      return "array";
    case simdjson::dom::element_type::OBJECT:
      return "object";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
      return "integer";
    case simdjson::dom::element_type::DOUBLE:
      return "non-integer number";
    case simdjson::dom::element_type::STRING:
      return "string";
    case simdjson::dom::element_type::BOOL:
      return "boolean";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
  }
  return "unknown value";
}

bool ReadRecordFields(const simdjson::dom::element& root,
                      const InputOptions& options, bool repaired,
                      std::string* id, RecordFields* fields,
                      RecordProblem* problem) {
  auto refuse = [problem](absl::string_view skip_hint, auto&&... message) {
    problem->message = absl::StrCat(message...);
    problem->skip_hint = skip_hint;
    return false;
  };
  simdjson::dom::object object;
  if (root.get(object) != simdjson::SUCCESS) {
    return refuse(", or pass --on-error skip", "not a JSON object (got ",
                  JsonTypeName(root.type()),
                  "); each line must be one object such as {\"id\": ..., "
                  "\"text\": ...}");
  }
  simdjson::dom::element id_value, text_value;
  bool have_id = false, have_text = false;
  size_t ordinal = 0;
  const std::string_view id_field(options.id_field);
  const std::string_view text_field(options.text_field);
  for (simdjson::dom::key_value_pair field : object) {
    // The first of repeated keys counts, as in simdjson's own lookups.
    if (!have_id && field.key == id_field) {
      have_id = true;
      id_value = field.value;
    }
    if (!have_text && field.key == text_field) {
      have_text = true;
      text_value = field.value;
      fields->text_ordinal = ordinal;
    }
    ++ordinal;
  }
  if (!have_id) {
    return refuse("", "missing field ", QuoteForMessage(options.id_field),
                  "; use --id-field to name the field that holds the id");
  }
  if (!have_text) {
    return refuse("", "missing field ", QuoteForMessage(options.text_field),
                  "; use --text-field to name the field that holds the text");
  }
  constexpr absl::string_view kFixHint =
      "; fix the record or pass --on-error skip";
  // The id is appended only once every check has passed, so a refusal
  // leaves *id alone.
  char digits[24];
  std::string_view id_text;
  switch (id_value.type()) {
    case simdjson::dom::element_type::STRING:
      id_text = id_value.get_string().value_unsafe();
      break;
    case simdjson::dom::element_type::INT64: {
      auto [end, ec] = std::to_chars(digits, digits + sizeof(digits),
                                     id_value.get_int64().value_unsafe());
      id_text = std::string_view(digits, end - digits);
      break;
    }
    case simdjson::dom::element_type::UINT64: {
      auto [end, ec] = std::to_chars(digits, digits + sizeof(digits),
                                     id_value.get_uint64().value_unsafe());
      id_text = std::string_view(digits, end - digits);
      break;
    }
    default:
      return refuse(kFixHint, "field ", QuoteForMessage(options.id_field),
                    " must be a string or an integer, got ",
                    JsonTypeName(id_value.type()));
  }
  if (!text_value.is_string()) {
    return refuse(kFixHint, "field ", QuoteForMessage(options.text_field),
                  " must be a string, got ", JsonTypeName(text_value.type()));
  }
  const std::string_view text = text_value.get_string().value_unsafe();
  if (text.size() > options.max_document_bytes) {
    return refuse("; split the document or pass --on-error skip", "text is ",
                  text.size(), " bytes, over the limit of ",
                  options.max_document_bytes, " bytes");
  }
  // absl::string_view is not std::string_view in this Abseil.
  const absl::string_view id_view(id_text.data(), id_text.size());
  if (repaired && absl::StrContains(id_view, "\xEF\xBF\xBD")) {
    return refuse("; fix the id in the source or pass --on-error skip", "id ",
                  QuoteForMessage(id_view),
                  " is not valid UTF-8 (shown with U+FFFD); text can be "
                  "repaired but ids must stay exact");
  }
  id->append(id_text.data(), id_text.size());
  fields->text = text;
  return true;
}

}  // namespace neardup::internal
