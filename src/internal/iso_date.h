// ISO 8601 dates and date-times, as news feeds write them, to Unix seconds.
//
// Accepted (a few feeds' variants of ISO 8601, not the whole standard):
//   2015-07-21                       a date: midnight UTC of that day
//   20150721, 2015-07                basic format; a month: its first day
//   2015-07-21T02:51:32              date-time, 'T' or one space between
//   2015-07-21 02:51, 20150721T025132
//   ...:32.123                       fractions of a second (dropped)
//   ...Z, ...+03:00, ...+0300, ...-05  a zone: converted to UTC
// A date-time without a zone is taken as UTC. Leading and trailing white
// space is ignored. Anything else (21/07/2015, "yesterday", 2015-02-30,
// 25:00) is refused: the caller reports it and orders the document last.
#ifndef NEARDUP_SRC_INTERNAL_ISO_DATE_H_
#define NEARDUP_SRC_INTERNAL_ISO_DATE_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace neardup::internal {

struct IsoDate {
  int64_t unix_seconds = 0;  // UTC.
  bool date_only = false;    // No time of day was given.
};

// Parses `text`. On success fills *out and returns true; otherwise returns
// false and leaves *out as it was. Years 0000 to 9999.
bool ParseIsoDate(absl::string_view text, IsoDate* out);

// Days since 1970-01-01 of a proleptic Gregorian date (month 1-12).
int64_t DaysFromCivil(int64_t year, int month, int day);

// "2015-07-21 02:51 UTC", or "2015-07-21" for a date without a time.
std::string FormatIsoDate(const IsoDate& date);

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_ISO_DATE_H_
