#include "src/internal/iso_date.h"

#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"

namespace neardup::internal {
namespace {

// Reads exactly `digits` decimal digits at *pos.
bool ReadDigits(absl::string_view text, size_t* pos, int digits, int* value) {
  if (*pos + digits > text.size()) return false;
  int v = 0;
  for (int i = 0; i < digits; ++i) {
    const char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += digits;
  *value = v;
  return true;
}

bool IsLeap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

bool Consume(absl::string_view text, size_t* pos, char c) {
  if (*pos < text.size() && text[*pos] == c) {
    ++*pos;
    return true;
  }
  return false;
}

// Zone designator at *pos (Z, +hh, +hhmm, +hh:mm); offset in seconds east.
bool ReadZone(absl::string_view text, size_t* pos, int64_t* offset) {
  if (Consume(text, pos, 'Z') || Consume(text, pos, 'z')) {
    *offset = 0;
    return true;
  }
  if (*pos >= text.size()) return false;
  const char sign = text[*pos];
  if (sign != '+' && sign != '-') return false;
  ++*pos;
  int hours = 0;
  int minutes = 0;
  if (!ReadDigits(text, pos, 2, &hours) || hours > 23) return false;
  if (*pos < text.size()) {
    Consume(text, pos, ':');
    if (!ReadDigits(text, pos, 2, &minutes) || minutes > 59) return false;
  }
  *offset = (hours * 3600 + minutes * 60) * (sign == '-' ? -1 : 1);
  return true;
}

}  // namespace

int64_t DaysFromCivil(int64_t year, int month, int day) {
  // Howard Hinnant's days_from_civil.
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t yoe = year - era * 400;
  const int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool ParseIsoDate(absl::string_view text, IsoDate* out) {
  text = absl::StripAsciiWhitespace(text);
  size_t pos = 0;
  int year = 0;
  int month = 0;
  int day = 1;
  if (!ReadDigits(text, &pos, 4, &year)) return false;
  const bool extended = Consume(text, &pos, '-');
  if (!ReadDigits(text, &pos, 2, &month) || month < 1 || month > 12) {
    return false;
  }
  if (pos == text.size()) {
    if (!extended) return false;  // "201507" is ambiguous; refuse it.
  } else if (extended
                 ? !Consume(text, &pos, '-') || !ReadDigits(text, &pos, 2, &day)
                 : !ReadDigits(text, &pos, 2, &day)) {
    return false;
  }
  if (day < 1 || day > DaysInMonth(year, month)) return false;
  IsoDate date;
  date.unix_seconds = DaysFromCivil(year, month, day) * 86400;
  date.date_only = true;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return false;
    ++pos;
    int hour = 0;
    int minute = 0;
    int second = 0;
    if (!ReadDigits(text, &pos, 2, &hour) || hour > 24) return false;
    const bool colon = Consume(text, &pos, ':');
    if (!ReadDigits(text, &pos, 2, &minute) || minute > 59) return false;
    if (colon ? Consume(text, &pos, ':')
              : pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      // 60 is a leap second; it is counted as the next minute's start.
      if (!ReadDigits(text, &pos, 2, &second) || second > 60) return false;
      if (Consume(text, &pos, '.') || Consume(text, &pos, ',')) {
        const size_t digits_begin = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          ++pos;
        }
        if (pos == digits_begin) return false;
      }
    }
    if (hour == 24 && (minute != 0 || second != 0)) return false;
    int64_t offset = 0;
    if (pos < text.size() && !ReadZone(text, &pos, &offset)) return false;
    date.unix_seconds += hour * 3600 + minute * 60 + second - offset;
    date.date_only = false;
  }
  if (pos != text.size()) return false;
  *out = date;
  return true;
}

std::string FormatIsoDate(const IsoDate& date) {
  int64_t days = date.unix_seconds / 86400;
  int64_t rem = date.unix_seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // Howard Hinnant's civil_from_days.
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  if (date.date_only) return absl::StrFormat("%04d-%02d-%02d", y, m, d);
  return absl::StrFormat("%04d-%02d-%02d %02d:%02d UTC", y, m, d, rem / 3600,
                         rem % 3600 / 60);
}

}  // namespace neardup::internal
