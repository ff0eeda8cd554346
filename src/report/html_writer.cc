#include "src/internal/html_writer.h"

#include <string>

#include "src/internal/utf8_repair.h"

namespace neardup::internal {

void AppendHtmlEscaped(absl::string_view text, std::string* out) {
  size_t run = 0;  // Start of the bytes not yet copied.
  size_t pos = 0;
  auto flush = [&](absl::string_view replacement, size_t skip) {
    out->append(text.data() + run, pos - run);
    out->append(replacement.data(), replacement.size());
    pos += skip;
    run = pos;
  };
  while (pos < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[pos]);
    if (c >= 0x80) {
      size_t invalid = 0;
      const size_t length = Utf8SequenceLength(text, pos, &invalid);
      if (length != 0) {
        pos += length;
      } else {
        flush(kUtf8Replacement, invalid);
      }
      continue;
    }
    switch (c) {
      case '&':
        flush("&amp;", 1);
        break;
      case '<':
        flush("&lt;", 1);
        break;
      case '>':
        flush("&gt;", 1);
        break;
      case '"':
        flush("&quot;", 1);
        break;
      case '\'':
        flush("&#39;", 1);
        break;
      default:
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
          flush(kUtf8Replacement, 1);
        } else {
          ++pos;
        }
    }
  }
  out->append(text.data() + run, text.size() - run);
}

void HtmlWriter::StartTag(absl::string_view tag, Attributes attributes) {
  out_->push_back('<');
  out_->append(tag.data(), tag.size());
  for (const auto& [name, value] : attributes) {
    out_->push_back(' ');
    out_->append(name.data(), name.size());
    if (value.empty()) continue;
    out_->append("=\"");
    AppendHtmlEscaped(value, out_);
    out_->push_back('"');
  }
  out_->push_back('>');
}

void HtmlWriter::Open(absl::string_view tag, Attributes attributes) {
  StartTag(tag, attributes);
  open_.emplace_back(tag);
}

void HtmlWriter::Void(absl::string_view tag, Attributes attributes) {
  StartTag(tag, attributes);
}

void HtmlWriter::Close() {
  if (open_.empty()) return;
  out_->append("</");
  out_->append(open_.back());
  out_->push_back('>');
  open_.pop_back();
}

void HtmlWriter::CloseAll() {
  while (!open_.empty()) Close();
}

void HtmlWriter::Text(absl::string_view text) { AppendHtmlEscaped(text, out_); }

void HtmlWriter::Element(absl::string_view tag, Attributes attributes,
                         absl::string_view text) {
  Open(tag, attributes);
  Text(text);
  Close();
}

}  // namespace neardup::internal
