// A small HTML writer for `neardup report`: elements opened and closed in
// order, every piece of user text escaped, so a title of "<script>" shows
// as text and a page is well formed whatever the corpus holds.
//
// Tag and attribute names are the caller's constants; attribute values and
// text are escaped. Raw() is for the page's own markup (its style sheet,
// its script, SVG drawn by svg.h), never for data.
//
// Example:
//
//   std::string page;
//   neardup::internal::HtmlWriter html(&page);
//   html.Open("p", {{"dir", "auto"}, {"class", "title"}});
//   html.Text(title);  // "<b>" becomes "&lt;b&gt;"
//   html.Close();
//   html.CloseAll();
#ifndef NEARDUP_SRC_INTERNAL_HTML_WRITER_H_
#define NEARDUP_SRC_INTERNAL_HTML_WRITER_H_

#include <cstddef>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace neardup::internal {

// Appends `text` escaped for HTML text and quoted attribute values: & < > "
// and ' become entities, control characters other than tab, line feed and
// carriage return (which HTML forbids) and each invalid UTF-8 sequence
// become U+FFFD, so the output is valid UTF-8 whatever the input.
void AppendHtmlEscaped(absl::string_view text, std::string* out);

class HtmlWriter {
 public:
  using Attributes =
      std::initializer_list<std::pair<absl::string_view, absl::string_view>>;

  explicit HtmlWriter(std::string* out) : out_(out) {}

  // <tag name="value" ...>; an empty value writes the bare name (hidden,
  // open). Close() ends it.
  void Open(absl::string_view tag, Attributes attributes = {});
  // An element without content or end tag (<meta>, <input>, <br>).
  void Void(absl::string_view tag, Attributes attributes = {});
  // Ends the innermost open element; nothing when none is open.
  void Close();
  // Ends every open element.
  void CloseAll();
  // Escaped text.
  void Text(absl::string_view text);
  // Open(tag, attributes), Text(text), Close().
  void Element(absl::string_view tag, Attributes attributes,
               absl::string_view text);
  // Trusted markup, written as is.
  void Raw(absl::string_view markup) {
    out_->append(markup.data(), markup.size());
  }

  size_t depth() const { return open_.size(); }
  std::string* out() { return out_; }

 private:
  void StartTag(absl::string_view tag, Attributes attributes);

  std::string* out_;
  std::vector<std::string> open_;
};

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_HTML_WRITER_H_
