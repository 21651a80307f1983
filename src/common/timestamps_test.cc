#include "common/timestamps.h"

#include "gtest/gtest.h"

namespace mayak {
namespace {

constexpr int64_t k2026 = 1'795'515'600LL * kNanosPerSecond;  // 2026-11-24T10:20:00Z

TEST(TimestampsTest, ParsesRfc3339Variants) {
  EXPECT_EQ(*ParseRfc3339("2026-11-24T10:20:00Z"), k2026);
  EXPECT_EQ(*ParseRfc3339("2026-11-24T10:20:00.5Z"), k2026 + 500'000'000);
  EXPECT_EQ(*ParseRfc3339("2026-11-24T13:20:00+03:00"), k2026);
  EXPECT_EQ(*ParseRfc3339("2026-11-24 10:20:00"), k2026);
  EXPECT_EQ(*ParseRfc3339("2026-11-24t10:20:00.000000001z"), k2026 + 1);
  EXPECT_EQ(*ParseRfc3339("2026-11-24"), k2026 - (10 * 3600 + 20 * 60) * kNanosPerSecond);
  EXPECT_FALSE(ParseRfc3339("yesterday").ok());
  EXPECT_FALSE(ParseRfc3339("2026-13-01T00:00:00Z").ok());
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
