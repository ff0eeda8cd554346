#include "src/internal/json_writer.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <system_error>

#include "absl/strings/string_view.h"
#include "src/internal/utf8_repair.h"

namespace neardup::internal {
namespace {

// What AppendJsonString must do with each byte value.
enum ByteClass : uint8_t {
  kCopy = 0,     // Printable ASCII, DEL: copied as is.
  kEscape = 1,   // '"', '\\' and control characters.
  kNonAscii = 2  // Lead or continuation byte: checked for valid UTF-8.
};

constexpr std::array<uint8_t, 256> MakeByteClasses() {
  std::array<uint8_t, 256> classes{};
  for (int c = 0; c < 256; ++c) {
    if (c < 0x20 || c == '"' || c == '\\') {
      classes[c] = kEscape;
    } else if (c >= 0x80) {
      classes[c] = kNonAscii;
    } else {
      classes[c] = kCopy;
    }
  }
  return classes;
}

constexpr std::array<uint8_t, 256> kByteClasses = MakeByteClasses();

void AppendEscape(unsigned char c, std::string* out) {
  switch (c) {
    case '"':
      out->append("\\\"");
      return;
    case '\\':
      out->append("\\\\");
      return;
    case '\n':
      out->append("\\n");
      return;
    case '\r':
      out->append("\\r");
      return;
    case '\t':
      out->append("\\t");
      return;
    case '\b':
      out->append("\\b");
      return;
    case '\f':
      out->append("\\f");
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      char buffer[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out->append(buffer, sizeof(buffer));
      return;
    }
  }
}

}  // namespace

void AppendJsonString(absl::string_view text, std::string* out) {
  out->reserve(out->size() + text.size() + 2);
  out->push_back('"');
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  size_t run_begin = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const uint8_t byte_class = kByteClasses[bytes[pos]];
    if (byte_class == kCopy) {
      ++pos;
      continue;
    }
    if (byte_class == kNonAscii) {
      size_t invalid = 0;
      size_t length = Utf8SequenceLength(text, pos, &invalid);
      if (length != 0) {
        pos += length;
        continue;
      }
      out->append(text.data() + run_begin, pos - run_begin);
      // Escaped rather than raw U+FFFD so a reader sees the output is pure
      // ASCII at this point, whatever its terminal encoding.
      out->append("\\ufffd");
      pos += invalid;
      run_begin = pos;
      continue;
    }
    out->append(text.data() + run_begin, pos - run_begin);
    AppendEscape(bytes[pos], out);
    ++pos;
    run_begin = pos;
  }
  out->append(text.data() + run_begin, text.size() - run_begin);
  out->push_back('"');
}

// Rounding rule: the exact binary value of the (clamped) double is rounded to
// the nearest multiple of 1e-6, ties to even, which is what std::to_chars
// with fixed precision guarantees (it never consults the locale or the FPU
// rounding mode). NaN is written as 0.
void AppendSimilarity(double value, std::string* out) {
  if (!(value > 0)) value = 0;  // Also catches NaN.
  if (value > 1) value = 1;
  char buffer[16];
  std::to_chars_result result = std::to_chars(
      buffer, buffer + sizeof(buffer), value, std::chars_format::fixed, 6);
  // "x.dddddd" always fits; the guard only protects against a library bug.
  if (result.ec != std::errc()) {
    out->push_back('0');
    return;
  }
  char* end = result.ptr;
  while (end > buffer && end[-1] == '0') --end;
  if (end > buffer && end[-1] == '.') --end;
  out->append(buffer, end - buffer);
}

void AppendUint(uint64_t value, std::string* out) {
  char buffer[20];
  std::to_chars_result result =
      std::to_chars(buffer, buffer + sizeof(buffer), value);
  out->append(buffer, result.ptr - buffer);
}

}  // namespace neardup::internal
