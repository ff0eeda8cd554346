// RecordParser: one JSON-lines record at a time, by LoadCorpus's rules
// (src/internal/record_fields.h holds them for both).
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "neardup/index.h"
#include "simdjson.h"
#include "src/internal/record_fields.h"
#include "src/internal/utf8_repair.h"

namespace neardup {

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
  const bool repaired = error == simdjson::UTF8_ERROR;
  if (repaired) {
    // As LoadCorpus does: keep the record, each bad sequence replaced.
    m.sanitized.clear();
    internal::AppendSanitizedUtf8(line, &m.sanitized);
    error =
        m.parser.parse(m.sanitized.data(), m.sanitized.size(), true).get(root);
  }
  // Under OnError::kFail the message ends with the same advice LoadCorpus
  // gives; a caller that skips bad records has no use for it.
  const bool advise = m.options.on_error == OnError::kFail;
  if (error) {
    return absl::InvalidArgumentError(
        absl::StrCat(internal::InvalidJsonMessage(error, line),
                     advise ? "; fix the line or pass --on-error skip" : ""));
  }
  id->clear();
  internal::RecordFields fields;
  internal::RecordProblem problem;
  if (!internal::ReadRecordFields(root, m.options, repaired, id, &fields,
                                  &problem)) {
    return absl::InvalidArgumentError(absl::StrCat(
        problem.message, advise ? problem.skip_hint : absl::string_view()));
  }
  text->assign(fields.text.data(), fields.text.size());
  return absl::OkStatus();
}

}  // namespace neardup
