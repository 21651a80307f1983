#include "common/timestamps.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/strings.h"
#include "common/units.h"

namespace mayak {
namespace {

absl::Time FromUnixNanosSafe(int64_t unix_nanos) { return absl::FromUnixNanos(unix_nanos); }

// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
// days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int DaysInMonth(int64_t y, int64_t m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// Reads `count` decimal digits at `p`; false unless all are digits.
bool Digits(const char* p, int count, int64_t* out) {
  int64_t v = 0;
  for (int i = 0; i < count; ++i) {
    if (p[i] < '0' || p[i] > '9') return false;
    v = v * 10 + (p[i] - '0');
  }
  *out = v;
  return true;
}

// The form nearly every sender writes, YYYY-MM-DDTHH:MM:SS[.fraction]
// followed by Z or +HH:MM, read without absl's general parser (a fifth of
// the CPU of normalizing a record went there). Anything else, including
// out-of-range fields and leap seconds, is left to that parser.
std::optional<int64_t> ParseCommonRfc3339(std::string_view s) {
  if (s.size() < 20) return std::nullopt;
  const char* p = s.data();
  int64_t year, month, day, hour, minute, second;
  if (!Digits(p, 4, &year) || p[4] != '-' || !Digits(p + 5, 2, &month) || p[7] != '-' ||
      !Digits(p + 8, 2, &day) || (p[10] != 'T' && p[10] != 't' && p[10] != ' ') ||
      !Digits(p + 11, 2, &hour) || p[13] != ':' || !Digits(p + 14, 2, &minute) || p[16] != ':' ||
      !Digits(p + 17, 2, &second)) {
    return std::nullopt;
  }
  if (year < 1700 || year > 2200 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  size_t i = 19;
  int64_t fraction = 0;
  if (i < s.size() && s[i] == '.') {
    const size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    const size_t digits = i - start;
    if (digits == 0 || digits > 9) return std::nullopt;
    Digits(p + start, static_cast<int>(digits), &fraction);
    for (size_t k = digits; k < 9; ++k) fraction *= 10;
  }
  int64_t offset_seconds = 0;
  if (i + 1 == s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    // UTC
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int64_t oh, om;
    if (!Digits(p + i + 1, 2, &oh) || !Digits(p + i + 4, 2, &om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_seconds = (oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  const int64_t seconds =
      DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  return seconds * kNanosPerSecond + fraction;
}

}  // namespace

std::string FormatRfc3339Millis(int64_t unix_nanos) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", FromUnixNanosSafe(unix_nanos),
                          absl::UTCTimeZone());
}

std::string FormatRfc3339(int64_t unix_nanos) {
  const char* format = "%Y-%m-%dT%H:%M:%E9SZ";
  int64_t sub = unix_nanos % kNanosPerSecond;
  if (sub < 0) sub += kNanosPerSecond;
  if (sub == 0) {
    format = "%Y-%m-%dT%H:%M:%SZ";
  } else if (sub % 1'000'000 == 0) {
    format = "%Y-%m-%dT%H:%M:%E3SZ";
  } else if (sub % 1'000 == 0) {
    format = "%Y-%m-%dT%H:%M:%E6SZ";
  }
  return absl::FormatTime(format, FromUnixNanosSafe(unix_nanos), absl::UTCTimeZone());
}

absl::StatusOr<int64_t> ParseRfc3339(std::string_view text, const absl::TimeZone& zone) {
  // The fast path reads times without an offset as UTC.
  const bool utc = zone == absl::UTCTimeZone();
  if (utc) {
    if (std::optional<int64_t> common = ParseCommonRfc3339(text)) return *common;
  }
  // RFC 3339 allows lower-case 't' and 'z'; absl wants upper case.
  std::string s = ToUpper(StripWhitespace(text));
  // absl accepts 't' and 'T'; also accept the common space separator.
  if (s.size() > 10 && s[10] == ' ') s[10] = 'T';
  static constexpr const char* kFormats[] = {
      "%Y-%m-%dT%H:%M:%E*S%Ez",  // with offset or Z
      "%Y-%m-%dT%H:%M:%E*S",     // no offset: in `zone`
      "%Y-%m-%dT%H:%M%Ez",      "%Y-%m-%dT%H:%M", "%Y-%m-%d",
  };
  for (const char* format : kFormats) {
    absl::Time t;
    std::string err;
    if (absl::ParseTime(format, s, zone, &t, &err)) {
      return absl::ToUnixNanos(t);
    }
  }
  return absl::InvalidArgumentError(
      StrCat("'", text, "' is not an RFC 3339 timestamp (e.g. 2026-11-24T21:30:00Z)"));
}

int64_t EpochNumberToNanos(double value) {
  const double magnitude = std::fabs(value);
  double nanos = value;
  if (magnitude < 1e11) {
    nanos = value * 1e9;
  } else if (magnitude < 1e14) {
    nanos = value * 1e6;
  } else if (magnitude < 1e17) {
    nanos = value * 1e3;
  }
  // Clamp to what int64 nanoseconds can hold (years 1677..2262).
  if (nanos >= 9.2e18) return INT64_MAX;
  if (nanos <= -9.2e18) return INT64_MIN;
  return static_cast<int64_t>(std::llround(nanos));
}

int64_t EpochIntegerToNanos(int64_t value) {
  const int64_t magnitude = value < 0 ? -(value + 1) : value;
  int64_t scale = 1;
  if (magnitude < 100'000'000'000LL) {
    scale = kNanosPerSecond;
  } else if (magnitude < 100'000'000'000'000LL) {
    scale = 1'000'000;
  } else if (magnitude < 100'000'000'000'000'000LL) {
    scale = 1'000;
  }
  // Saturates like EpochNumberToNanos: epoch milliseconds past the year 2262
  // do not fit in int64 nanoseconds.
  int64_t nanos = 0;
  if (__builtin_mul_overflow(value, scale, &nanos)) return value < 0 ? INT64_MIN : INT64_MAX;
  return nanos;
}

absl::StatusOr<int64_t> ParseTimeBound(std::string_view text, int64_t now_nanos,
                                       const absl::TimeZone& zone) {
  std::string_view s = StripWhitespace(text);
  if (s.empty()) return absl::InvalidArgumentError("empty time");
  if (s == "now") return now_nanos;
  if (s.starts_with("now")) {
    std::string_view rest = s.substr(3);
    const char sign = rest.empty() ? '\0' : rest[0];
    if (sign == '-' || sign == '+') {
      auto d = ParseDurationNanos(rest.substr(1));
      if (!d.ok()) {
        return absl::InvalidArgumentError(StrCat(
            "'", text,
            "' is not a relative time: expected now-<duration> such as now-15m, now-2h, now-7d"));
      }
      return sign == '-' ? now_nanos - *d : now_nanos + *d;
    }
  }
  int64_t integer = 0;
  if (ParseInt(s, &integer)) return EpochIntegerToNanos(integer);
  if (auto d = ParseDurationNanos(s); d.ok()) return now_nanos - *d;
  if (auto t = ParseRfc3339(s, zone); t.ok()) return *t;
  return absl::InvalidArgumentError(StrCat(
      "'", text,
      "' is not a time: use RFC 3339 (2026-11-24T21:30:00Z), epoch milliseconds, now, now-15m, "
      "or a duration ago such as 1h"));
}

absl::StatusOr<absl::TimeZone> ParseTimeZone(std::string_view name) {
  const std::string_view s = StripWhitespace(name);
  if (s.empty() || s == "Z" || s == "z" || EqualsIgnoreCase(s, "UTC")) return absl::UTCTimeZone();
  if (s[0] == '+' || s[0] == '-') {
    // +HH:MM, +HHMM or +HH.
    std::string digits;
    for (char c : s.substr(1)) {
      if (c != ':') digits.push_back(c);
    }
    int hours = 0;
    int minutes = 0;
    const bool shaped = (digits.size() == 2 || digits.size() == 4) &&
                        std::all_of(digits.begin(), digits.end(), IsAsciiDigit);
    if (shaped) {
      hours = std::stoi(digits.substr(0, 2));
      minutes = digits.size() == 4 ? std::stoi(digits.substr(2)) : 0;
    }
    if (!shaped || hours > 18 || minutes > 59) {
      return absl::InvalidArgumentError(
          StrCat("timezone '", name, "' is not an offset such as +03:00 or -05:30"));
    }
    const int seconds = (hours * 3600 + minutes * 60) * (s[0] == '-' ? -1 : 1);
    return absl::FixedTimeZone(seconds);
  }
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(std::string(s), &zone)) {
    return absl::InvalidArgumentError(
        StrCat("timezone '", name,
               "' is not a time zone this server knows: use an IANA name such as "
               "Europe/Moscow, UTC, or an offset such as +03:00"));
  }
  return zone;
}

int64_t UtcOffsetNanos(const absl::TimeZone& zone, int64_t unix_nanos) {
  return int64_t{zone.At(absl::FromUnixNanos(unix_nanos)).offset} * kNanosPerSecond;
}

std::string FormatRfc3339In(int64_t unix_nanos, const absl::TimeZone& zone) {
  const int64_t offset = UtcOffsetNanos(zone, unix_nanos);
  if (offset == 0) return FormatRfc3339(unix_nanos);
  // The local wall time, formatted as if UTC, with the offset in place of Z.
  std::string text = FormatRfc3339(unix_nanos + offset);
  text.pop_back();
  const int64_t minutes = (offset < 0 ? -offset : offset) / (60 * kNanosPerSecond);
  return absl::StrFormat("%s%c%02d:%02d", text, offset < 0 ? '-' : '+', minutes / 60, minutes % 60);
}

int64_t DayOf(int64_t unix_nanos) {
  return unix_nanos >= 0 ? unix_nanos / kNanosPerDay
                         : -((-unix_nanos + kNanosPerDay - 1) / kNanosPerDay);
}

std::string DayName(int64_t day) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(day * 86400), absl::UTCTimeZone());
}

absl::StatusOr<int64_t> ParseDay(std::string_view text) {
  absl::Time time;
  std::string error;
  if (text.size() != 10 ||
      !absl::ParseTime("%Y-%m-%d", std::string(text), absl::UTCTimeZone(), &time, &error)) {
    return absl::InvalidArgumentError(StrCat("'", text, "' is not a day (YYYY-MM-DD)"));
  }
  return DayOf(absl::ToUnixNanos(time));
}

}  // namespace mayak
