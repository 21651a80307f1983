#include "common/timestamps.h"

#include <random>
#include <string>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace mayak {
namespace {

constexpr int64_t k2026 = 1'795'515'600LL * kNanosPerSecond;  // 2026-11-24T10:20:00Z

// absl's own reading of the forms the quick path takes, as the oracle.
std::optional<int64_t> AbslRfc3339(std::string text) {
  for (char& c : text) c = c == 't' ? 'T' : c == 'z' ? 'Z' : c;
  if (text.size() > 10 && text[10] == ' ') text[10] = 'T';
  absl::Time t;
  std::string err;
  if (!absl::ParseTime("%Y-%m-%dT%H:%M:%E*S%Ez", text, absl::UTCTimeZone(), &t, &err)) {
    return std::nullopt;
  }
  return absl::ToUnixNanos(t);
}

TEST(TimestampsTest, QuickRfc3339PathAgreesWithAbsl) {
  std::mt19937_64 rng(7);
  const auto pick = [&rng](int lo, int hi) {
    return static_cast<int>(std::uniform_int_distribution<int>(lo, hi)(rng));
  };
  const char* separators[] = {"T", "t", " "};
  for (int n = 0; n < 20000; ++n) {
    // Mostly valid fields, some just out of range (day 31 of a 30-day
    // month, 29 February, hour 24, second 60).
    std::string text =
        absl::StrFormat("%04d-%02d-%02d%s%02d:%02d:%02d", pick(1700, 2200), pick(1, 12),
                        pick(1, 31), separators[pick(0, 2)], pick(0, n % 7 == 0 ? 24 : 23),
                        pick(0, 59), pick(0, n % 11 == 0 ? 60 : 59));
    if (pick(0, 2) > 0) {
      text += ".";
      const int digits = pick(1, 9);
      for (int d = 0; d < digits; ++d) text += static_cast<char>('0' + pick(0, 9));
    }
    switch (pick(0, 3)) {
      case 0:
        text += "Z";
        break;
      case 1:
        text += "z";
        break;
      default:
        text += absl::StrFormat("%c%02d:%02d", pick(0, 1) ? '+' : '-', pick(0, 14), pick(0, 59));
    }
    const std::optional<int64_t> expected = AbslRfc3339(text);
    auto parsed = ParseRfc3339(text);
    ASSERT_EQ(parsed.ok(), expected.has_value()) << text;
    if (expected) {
      EXPECT_EQ(*parsed, *expected) << text;
    }
  }
}

TEST(TimestampsTest, ParsesRfc3339Variants) {
  EXPECT_EQ(*ParseRfc3339("2026-11-24T10:20:00Z"), k2026);
  EXPECT_EQ(*ParseRfc3339("2026-11-24T10:20:00.5Z"), k2026 + 500'000'000);
  EXPECT_EQ(*ParseRfc3339("2026-11-24T13:20:00+03:00"), k2026);
  EXPECT_EQ(*ParseRfc3339("2026-11-24 10:20:00"), k2026);
  EXPECT_EQ(*ParseRfc3339("2026-11-24t10:20:00.000000001z"), k2026 + 1);
  EXPECT_EQ(*ParseRfc3339("2026-11-24"), k2026 - (10 * 3600 + 20 * 60) * kNanosPerSecond);
  EXPECT_FALSE(ParseRfc3339("yesterday").ok());
  EXPECT_FALSE(ParseRfc3339("2026-13-01T00:00:00Z").ok());
  EXPECT_FALSE(ParseRfc3339("2026-02-29T00:00:00Z").ok());
  EXPECT_EQ(*ParseRfc3339("2024-02-29T00:00:00Z"), 1'709'164'800LL * kNanosPerSecond);
  EXPECT_EQ(*ParseRfc3339("1969-12-31T23:59:59.5Z"), -500'000'000);
  EXPECT_FALSE(ParseRfc3339("2026-11-24T10:20:00.Z").ok());
  EXPECT_FALSE(ParseRfc3339("2026-11-24T10:20:00Zjunk").ok());
}

TEST(TimestampsTest, FormatsAsShortAsExact) {
  EXPECT_EQ(FormatRfc3339(k2026), "2026-11-24T10:20:00Z");
  EXPECT_EQ(FormatRfc3339(k2026 + 250'000'000), "2026-11-24T10:20:00.250Z");
  EXPECT_EQ(FormatRfc3339(k2026 + 250'000), "2026-11-24T10:20:00.000250Z");
  EXPECT_EQ(FormatRfc3339(k2026 + 7), "2026-11-24T10:20:00.000000007Z");
  EXPECT_EQ(FormatRfc3339Millis(k2026 + 7), "2026-11-24T10:20:00.000Z");
}

TEST(TimestampsTest, GuessesEpochUnitsByMagnitude) {
  const int64_t seconds = k2026 / kNanosPerSecond;
  EXPECT_EQ(EpochIntegerToNanos(seconds), k2026);
  EXPECT_EQ(EpochIntegerToNanos(seconds * 1000), k2026);
  EXPECT_EQ(EpochIntegerToNanos(seconds * 1'000'000), k2026);
  EXPECT_EQ(EpochIntegerToNanos(k2026), k2026);
  EXPECT_EQ(EpochNumberToNanos(static_cast<double>(seconds) + 0.5), k2026 + 500'000'000);
  EXPECT_EQ(EpochIntegerToNanos(0), 0);
}

TEST(TimestampsTest, EpochTimesPastInt64NanosSaturate) {
  // Milliseconds in the year 2538: a millisecond magnitude, but 1.8e19 ns.
  EXPECT_EQ(EpochIntegerToNanos(17'955'015'610'123), INT64_MAX);
  EXPECT_EQ(EpochIntegerToNanos(-17'955'015'610'123), INT64_MIN);
  EXPECT_EQ(EpochIntegerToNanos(INT64_MIN), INT64_MIN);
  EXPECT_EQ(EpochNumberToNanos(1.7955015610123e13), INT64_MAX);
}

TEST(TimestampsTest, ParsesQueryTimeBounds) {
  const int64_t now = k2026;
  EXPECT_EQ(*ParseTimeBound("now", now), now);
  EXPECT_EQ(*ParseTimeBound("now-15m", now), now - 15 * 60 * kNanosPerSecond);
  EXPECT_EQ(*ParseTimeBound("now+1h", now), now + 3600 * kNanosPerSecond);
  EXPECT_EQ(*ParseTimeBound("1h", now), now - 3600 * kNanosPerSecond);
  EXPECT_EQ(*ParseTimeBound("1795515600000", now), k2026);  // epoch ms
  EXPECT_EQ(*ParseTimeBound("2026-11-24T10:20:00Z", now), k2026);
  EXPECT_FALSE(ParseTimeBound("now-", now).ok());
  EXPECT_FALSE(ParseTimeBound("now-soon", now).ok());
  EXPECT_FALSE(ParseTimeBound("", now).ok());
  EXPECT_NE(ParseTimeBound("tuesday", now).status().message().find("RFC 3339"),
            absl::string_view::npos);
}

}  // namespace
}  // namespace mayak

namespace mayak {
namespace {

TEST(TimeZoneTest, ParsesNamesOffsetsAndUtc) {
  const int64_t t = 1'795'510'800'000'000'000;  // 2026-11-24T09:00:00Z
  for (const char* utc : {"", "UTC", "utc", "Z"}) {
    auto zone = ParseTimeZone(utc);
    ASSERT_TRUE(zone.ok()) << utc;
    EXPECT_EQ(FormatRfc3339In(t, *zone), "2026-11-24T09:00:00Z") << utc;
  }
  auto moscow = ParseTimeZone("Europe/Moscow");
  ASSERT_TRUE(moscow.ok()) << moscow.status() << " (is tzdata installed?)";
  EXPECT_EQ(FormatRfc3339In(t, *moscow), "2026-11-24T12:00:00+03:00");
  EXPECT_EQ(FormatRfc3339In(t + 500'000'000, *moscow), "2026-11-24T12:00:00.500+03:00");
  EXPECT_EQ(UtcOffsetNanos(*moscow, t), 3 * 3600 * kNanosPerSecond);
  for (const char* offset : {"-05:30", "-0530"}) {
    auto zone = ParseTimeZone(offset);
    ASSERT_TRUE(zone.ok()) << offset;
    EXPECT_EQ(FormatRfc3339In(t, *zone), "2026-11-24T03:30:00-05:30") << offset;
  }
  auto plus = ParseTimeZone("+03");
  ASSERT_TRUE(plus.ok());
  EXPECT_EQ(FormatRfc3339In(t, *plus), "2026-11-24T12:00:00+03:00");
  for (const char* bad : {"+3", "+25:00", "+03:75", "Mars/Olympus_Mons", "+ab:cd"}) {
    EXPECT_FALSE(ParseTimeZone(bad).ok()) << bad;
  }
}

TEST(TimeZoneTest, TimesWithoutAnOffsetAreReadInTheZone) {
  auto moscow = ParseTimeZone("Europe/Moscow");
  ASSERT_TRUE(moscow.ok());
  auto local = ParseTimeBound("2026-11-24T12:00:00", 0, *moscow);
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(*local, 1'795'510'800'000'000'000);
  auto day = ParseTimeBound("2026-11-24", 0, *moscow);
  ASSERT_TRUE(day.ok());
  EXPECT_EQ(FormatRfc3339(*day), "2026-11-23T21:00:00Z");
  // An offset in the text wins.
  auto explicit_utc = ParseTimeBound("2026-11-24T12:00:00Z", 0, *moscow);
  ASSERT_TRUE(explicit_utc.ok());
  EXPECT_EQ(FormatRfc3339(*explicit_utc), "2026-11-24T12:00:00Z");
}

}  // namespace
}  // namespace mayak
