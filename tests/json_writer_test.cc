#include "src/internal/json_writer.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simdjson.h"

namespace neardup::internal {
namespace {

std::string Json(std::string_view text) {
  std::string out;
  AppendJsonString(absl::string_view(text.data(), text.size()), &out);
  return out;
}

// Parses `json` (one JSON string) with simdjson and returns its value;
// fails the test if it is not valid JSON.
std::string ParseString(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  simdjson::error_code error = parser.parse(json).get(element);
  EXPECT_EQ(error, simdjson::SUCCESS)
      << simdjson::error_message(error) << " in " << json;
  std::string_view value;
  if (error || element.get_string().get(value)) return "<invalid>";
  return std::string(value);
}

TEST(AppendJsonString, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(Json("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Json("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(Json(std::string_view("\x00\x01\x1f", 3)),
            R"("\u0000\u0001\u001f")");
}

TEST(AppendJsonString, PassesDelAndValidUtf8Through) {
  EXPECT_EQ(Json("\x7f"), "\"\x7f\"");
  EXPECT_EQ(Json("caf\xC3\xA9"), "\"caf\xC3\xA9\"");
  EXPECT_EQ(Json("\xD8\xA7\xD9\x84"), "\"\xD8\xA7\xD9\x84\"");  // Arabic.
  EXPECT_EQ(Json("\xF0\x9F\x98\x80"), "\"\xF0\x9F\x98\x80\"");  // Emoji.
  EXPECT_EQ(Json("/"), "\"/\"");
  EXPECT_EQ(Json(""), "\"\"");
}

TEST(AppendJsonString, ReplacesEachMaximalInvalidSubpart) {
  // Examples follow the Unicode standard's table 3-8 conventions.
  EXPECT_EQ(Json("a\xFF"
                 "b"),
            R"("a\ufffdb")");
  EXPECT_EQ(Json("\x80"), R"("\ufffd")");            // Stray continuation.
  EXPECT_EQ(Json("\xC3"), R"("\ufffd")");            // Truncated at the end.
  EXPECT_EQ(Json("\xC0\xAF"), R"("\ufffd\ufffd")");  // C0 is never valid.
  // E0 80: overlong, E0 needs A0..BF next, so E0 and 80 are separate.
  EXPECT_EQ(Json("\xE0\x80"), R"("\ufffd\ufffd")");
  // A surrogate (ED A0 80) is three bad bytes.
  EXPECT_EQ(Json("\xED\xA0\x80"), R"("\ufffd\ufffd\ufffd")");
  // A truncated four-byte sequence is one subpart; the next byte is fresh.
  EXPECT_EQ(Json("\xF0\x9F\x98"
                 "x"),
            R"("\ufffdx")");
  EXPECT_EQ(Json("\xF4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");
}

TEST(AppendJsonString, AppendsToExistingContent) {
  std::string out = "[";
  AppendJsonString("x", &out);
  EXPECT_EQ(out, "[\"x\"");
}

TEST(AppendJsonString, AnyBytesGiveValidJsonThatRoundTripsValidText) {
  std::mt19937_64 random(20240521);
  // Bias toward interesting bytes so that every class shows up often.
  static const char kAlphabet[] =
      "a\"\\\n\x01\x1f\x7f\x80\xBF\xC2\xC3\xA9\xD8\xA7\xE0\xED"
      "\xA0\xEF\xBF\xBD\xF0\x9F\x98\xF4\x90\xFF";
  const std::string alphabet(kAlphabet, sizeof(kAlphabet) - 1);
  for (int round = 0; round < 2000; ++round) {
    std::string input;
    const size_t length = random() % 24;
    for (size_t i = 0; i < length; ++i) {
      input.push_back(random() % 4 == 0 ? static_cast<char>(random() % 256)
                                        : alphabet[random() % alphabet.size()]);
    }
    const std::string json = Json(input);
    const std::string parsed = ParseString(json);
    if (simdjson::validate_utf8(input.data(), input.size())) {
      EXPECT_EQ(parsed, input) << json;
    } else {
      EXPECT_NE(parsed.find("\xEF\xBF\xBD"), std::string::npos) << json;
      EXPECT_TRUE(simdjson::validate_utf8(json.data(), json.size()));
    }
  }
}

std::string Similarity(double value) {
  std::string out;
  AppendSimilarity(value, &out);
  return out;
}

TEST(AppendSimilarity, TrimsTrailingZeros) {
  EXPECT_EQ(Similarity(1.0), "1");
  EXPECT_EQ(Similarity(0.0), "0");
  EXPECT_EQ(Similarity(0.5), "0.5");
  EXPECT_EQ(Similarity(0.8125), "0.8125");
  EXPECT_EQ(Similarity(0.25), "0.25");
}

TEST(AppendSimilarity, RoundsToSixDecimals) {
  EXPECT_EQ(Similarity(5.0 / 6.0), "0.833333");
  EXPECT_EQ(Similarity(1.0 / 3.0), "0.333333");
  EXPECT_EQ(Similarity(2.0 / 3.0), "0.666667");
  EXPECT_EQ(Similarity(0.9999996), "1");
  EXPECT_EQ(Similarity(0.0000004), "0");
  EXPECT_EQ(Similarity(0.0000006), "0.000001");
}

TEST(AppendSimilarity, BreaksExactTiesToEven) {
  // k/128 are exact in binary, so these are true ties at the 7th decimal.
  EXPECT_EQ(Similarity(1.0 / 128), "0.007812");  // ...12|5 -> even 2.
  EXPECT_EQ(Similarity(3.0 / 128), "0.023438");  // ...37|5 -> even 8.
}

TEST(AppendSimilarity, ClampsOutOfRangeValues) {
  EXPECT_EQ(Similarity(-0.25), "0");
  EXPECT_EQ(Similarity(-0.0), "0");
  EXPECT_EQ(Similarity(1.5), "1");
  EXPECT_EQ(Similarity(std::numeric_limits<double>::infinity()), "1");
  EXPECT_EQ(Similarity(std::numeric_limits<double>::quiet_NaN()), "0");
}

TEST(AppendSimilarity, OutputParsesAsANumberWithinHalfAMillionth) {
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  simdjson::dom::parser parser;
  for (int i = 0; i < 1000; ++i) {
    const double value = uniform(random);
    const std::string text = Similarity(value);
    double parsed = -1;
    simdjson::padded_string json(text);
    ASSERT_EQ(parser.parse(json).get(parsed), simdjson::SUCCESS) << text;
    EXPECT_LE(std::fabs(parsed - value), 5e-7 + 1e-12) << text;
    EXPECT_LE(text.size(), 8u) << text;
    EXPECT_NE(text.back(), '0') << text;
  }
}

TEST(AppendUint, WritesDecimalDigits) {
  std::string out = "n=";
  AppendUint(0, &out);
  EXPECT_EQ(out, "n=0");
  out.clear();
  AppendUint(42, &out);
  EXPECT_EQ(out, "42");
  out.clear();
  AppendUint(std::numeric_limits<uint64_t>::max(), &out);
  EXPECT_EQ(out, "18446744073709551615");
}

}  // namespace
}  // namespace neardup::internal
