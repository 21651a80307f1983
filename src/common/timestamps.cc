#include "common/timestamps.h"

#include <cmath>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/strings.h"
#include "common/units.h"

namespace mayak {
namespace {

absl::Time FromUnixNanosSafe(int64_t unix_nanos) { return absl::FromUnixNanos(unix_nanos); }

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

absl::StatusOr<int64_t> ParseRfc3339(std::string_view text) {
  // RFC 3339 allows lower-case 't' and 'z'; absl wants upper case.
  std::string s = ToUpper(StripWhitespace(text));
  // absl accepts 't' and 'T'; also accept the common space separator.
  if (s.size() > 10 && s[10] == ' ') s[10] = 'T';
  static constexpr const char* kFormats[] = {
      "%Y-%m-%dT%H:%M:%E*S%Ez",  // with offset or Z
      "%Y-%m-%dT%H:%M:%E*S",     // no offset: UTC
      "%Y-%m-%dT%H:%M%Ez",      "%Y-%m-%dT%H:%M", "%Y-%m-%d",
  };
  for (const char* format : kFormats) {
    absl::Time t;
    std::string err;
    if (absl::ParseTime(format, s, absl::UTCTimeZone(), &t, &err)) {
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

absl::StatusOr<int64_t> ParseTimeBound(std::string_view text, int64_t now_nanos) {
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
  if (auto t = ParseRfc3339(s); t.ok()) return *t;
  return absl::InvalidArgumentError(StrCat(
      "'", text,
      "' is not a time: use RFC 3339 (2026-11-24T21:30:00Z), epoch milliseconds, now, now-15m, "
      "or a duration ago such as 1h"));
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
