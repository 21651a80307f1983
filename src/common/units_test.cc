#include "common/units.h"

#include "gtest/gtest.h"

namespace mayak {
namespace {

TEST(ByteSizeTest, ParsesDecimalAndBinaryUnits) {
  EXPECT_EQ(*ParseByteSize("100MB"), 100'000'000);
  EXPECT_EQ(*ParseByteSize("10 mb"), 10'000'000);
  EXPECT_EQ(*ParseByteSize("2.5GiB"), 2'684'354'560);
  EXPECT_EQ(*ParseByteSize("512"), 512);
  EXPECT_EQ(*ParseByteSize("1KiB"), 1024);
}

TEST(ByteSizeTest, RejectsGarbageWithAReason) {
  EXPECT_FALSE(ParseByteSize("").ok());
  EXPECT_FALSE(ParseByteSize("MB").ok());
  auto bad_unit = ParseByteSize("10 parsecs");
  ASSERT_FALSE(bad_unit.ok());
  EXPECT_NE(bad_unit.status().message().find("unknown size unit"), std::string::npos);
}

TEST(ByteSizeTest, FormatsExactly) {
  EXPECT_EQ(FormatByteSize(100 * 1024 * 1024), "100MiB");
  EXPECT_EQ(FormatByteSize(100'000'000), "100MB");
  EXPECT_EQ(FormatByteSize(1023), "1023B");
}

TEST(DurationTest, ParsesUnitsAndSums) {
  EXPECT_EQ(*ParseDurationNanos("10s"), 10'000'000'000);
  EXPECT_EQ(*ParseDurationNanos("500ms"), 500'000'000);
  EXPECT_EQ(*ParseDurationNanos("1h30m"), 5'400'000'000'000);
  EXPECT_EQ(*ParseDurationNanos("7d"), 7 * 86'400'000'000'000);
  EXPECT_FALSE(ParseDurationNanos("10").ok());
  EXPECT_FALSE(ParseDurationNanos("10 years").ok());
  EXPECT_FALSE(ParseDurationNanos("").ok());
}

TEST(DurationTest, FormatsShortest) {
  EXPECT_EQ(FormatDuration(90'000'000'000), "1m30s");
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(1'500'000), "1ms500us");
}

}  // namespace
}  // namespace mayak
