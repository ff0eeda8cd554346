// RecordParser: one JSON-lines record at a time, with LoadCorpus's rules.
#include <charconv>
#include <string>

#include "absl/strings/str_cat.h"
#include "neardup/index.h"
#include "simdjson.h"
#include "src/internal/utf8_repair.h"

namespace neardup {
namespace {

absl::string_view TypeName(simdjson::dom::element_type type) {
  switch (type) {
    case simdjson::dom::element_type::ARRAY:
      return "an array";
    case simdjson::dom::element_type::OBJECT:
      return "an object";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
      return "an integer";
    case simdjson::dom::element_type::DOUBLE:
      return "a number";
    case simdjson::dom::element_type::STRING:
      return "a string";
    case simdjson::dom::element_type::BOOL:
      return "a boolean";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
  }
  return "a value";
}

}  // namespace

struct RecordParser::Impl {
  InputOptions options;
  simdjson::dom::parser parser;
  std::string sanitized;
};

RecordParser::RecordParser(const InputOptions& options)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
}

RecordParser::~RecordParser() = default;

absl::Status RecordParser::Parse(absl::string_view line, std::string* id,
                                 std::string* text) {
  Impl& m = *impl_;
  simdjson::dom::element root;
  simdjson::error_code error =
      m.parser.parse(line.data(), line.size(), true).get(root);
  if (error == simdjson::UTF8_ERROR) {
    m.sanitized.clear();
    internal::AppendSanitizedUtf8(line, &m.sanitized);
    error =
        m.parser.parse(m.sanitized.data(), m.sanitized.size(), true).get(root);
  }
  if (error) {
    return absl::InvalidArgumentError(
        absl::StrCat("not valid JSON (", simdjson::error_message(error), ")"));
  }
  simdjson::dom::object object;
  if (root.get(object) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a JSON object (got ", TypeName(root.type()),
                     "); each line must be one object such as {\"id\": ..., "
                     "\"text\": ...}"));
  }
  simdjson::dom::element id_value, text_value;
  bool have_id = false, have_text = false;
  const std::string_view id_field(m.options.id_field);
  const std::string_view text_field(m.options.text_field);
  for (simdjson::dom::key_value_pair field : object) {
    if (!have_id && field.key == id_field) {
      have_id = true;
      id_value = field.value;
    }
    if (!have_text && field.key == text_field) {
      have_text = true;
      text_value = field.value;
    }
  }
  if (!have_id) {
    return absl::InvalidArgumentError(
        absl::StrCat("missing field \"", m.options.id_field,
                     "\"; use --id-field to name the field that holds the id"));
  }
  if (!have_text) {
    return absl::InvalidArgumentError(absl::StrCat(
        "missing field \"", m.options.text_field,
        "\"; use --text-field to name the field that holds the text"));
  }
  char digits[24];
  switch (id_value.type()) {
    case simdjson::dom::element_type::STRING: {
      std::string_view v = id_value.get_string().value_unsafe();
      id->assign(v.data(), v.size());
      break;
    }
    case simdjson::dom::element_type::INT64: {
      auto [ptr, ec] = std::to_chars(digits, digits + sizeof(digits),
                                     id_value.get_int64().value_unsafe());
      id->assign(digits, ptr);
      break;
    }
    case simdjson::dom::element_type::UINT64: {
      auto [ptr, ec] = std::to_chars(digits, digits + sizeof(digits),
                                     id_value.get_uint64().value_unsafe());
      id->assign(digits, ptr);
      break;
    }
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("field \"", m.options.id_field,
                       "\" must be a string or an integer, got ",
                       TypeName(id_value.type())));
  }
  if (!text_value.is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat("field \"", m.options.text_field,
                     "\" must be a string, got ", TypeName(text_value.type())));
  }
  std::string_view v = text_value.get_string().value_unsafe();
  if (v.size() > m.options.max_document_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("text is ", v.size(), " bytes, over the limit of ",
                     m.options.max_document_bytes, " bytes"));
  }
  text->assign(v.data(), v.size());
  return absl::OkStatus();
}

}  // namespace neardup
