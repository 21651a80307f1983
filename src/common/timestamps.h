// Timestamps are int64 nanoseconds since the Unix epoch, UTC, everywhere in
// Mayak. These functions convert them from and to the forms people and
// clients send.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mayak {

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;

// "2026-11-24T21:30:00.123Z": milliseconds, for the server's own log.
std::string FormatRfc3339Millis(int64_t unix_nanos);
// As short as the value allows without losing precision: ".123Z", ".123456Z"
// or ".123456789Z", and no fraction for whole seconds.
std::string FormatRfc3339(int64_t unix_nanos);

// Parses an RFC 3339 timestamp ("2026-11-24T21:30:00Z", "...T21:30:00.5+03:00",
// a space instead of 'T'); without an offset the time is taken in `zone`
// (UTC unless told); a bare date "2026-11-24" means its midnight there.
absl::StatusOr<int64_t> ParseRfc3339(std::string_view text,
                                     const absl::TimeZone& zone = absl::UTCTimeZone());

// A query's `timezone`: an IANA name ("Europe/Moscow", from the system's
// tzdata), "UTC" or "Z", or a fixed offset ("+03:00", "-0530"). The error
// names the value and the forms that work.
absl::StatusOr<absl::TimeZone> ParseTimeZone(std::string_view name);
// RFC 3339 with `zone`'s offset at that instant ("2026-11-24T13:00:00+03:00";
// "Z" where the offset is 0), fractions as FormatRfc3339.
std::string FormatRfc3339In(int64_t unix_nanos, const absl::TimeZone& zone);
// How far east of UTC `zone` is at `unix_nanos`, in nanoseconds.
int64_t UtcOffsetNanos(const absl::TimeZone& zone, int64_t unix_nanos);

inline constexpr int64_t kNanosPerDay = 86400 * kNanosPerSecond;

// The UTC day (days since the epoch) of a timestamp, and its "2026-11-24"
// name, as partitions are named; ParseDay reads the name back.
int64_t DayOf(int64_t unix_nanos);
std::string DayName(int64_t day);
absl::StatusOr<int64_t> ParseDay(std::string_view text);

// An epoch number whose unit is guessed from its magnitude, as Elasticsearch
// and most shippers do: seconds below 1e11 (fractions kept), milliseconds below
// 1e14, microseconds below 1e17, else nanoseconds.
int64_t EpochNumberToNanos(double value);
int64_t EpochIntegerToNanos(int64_t value);

// A query time bound: "now", "now-15m", "now+1h", a bare duration "1h" (meaning
// that long ago, as the CLI's --from 1h), RFC 3339, or epoch milliseconds.
// Times without an offset are read in `zone`.
absl::StatusOr<int64_t> ParseTimeBound(std::string_view text, int64_t now_nanos,
                                       const absl::TimeZone& zone = absl::UTCTimeZone());

}  // namespace mayak
