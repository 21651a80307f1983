#include "storage/record_codec.h"

#include <limits>

#include "gtest/gtest.h"

namespace mayak {
namespace {

std::vector<LogRecord> SampleRecords() {
  LogRecord a;
  a.timestamp_ns = 1'795'520'400'123'456'789;
  a.observed_timestamp_ns = -5;
  a.level = Level::kFatal;
  a.message = std::string("binary \0 safe", 13);
  a.system = "mes";
  a.service = "mes-api";
  a.attributes = {{"s", std::string("x")},
                  {"i", std::numeric_limits<int64_t>::min()},
                  {"d", -0.125},
                  {"b", true}};
  LogRecord b;  // all defaults
  return {a, b};
}

TEST(RecordCodecTest, RoundTripsEveryField) {
  const auto records = SampleRecords();
  std::string encoded;
  EncodeRecordBatch(records, &encoded);
  auto decoded = DecodeRecordBatch(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, records);
}

TEST(RecordCodecTest, EveryTruncationIsAnErrorNotACrash) {
  std::string encoded;
  EncodeRecordBatch(SampleRecords(), &encoded);
  for (size_t n = 0; n < encoded.size(); ++n) {
    EXPECT_FALSE(DecodeRecordBatch(std::string_view(encoded).substr(0, n)).ok()) << n;
  }
  EXPECT_FALSE(DecodeRecordBatch(encoded + "x").ok());
  // A huge record count in a tiny buffer is refused before any allocation.
  EXPECT_FALSE(DecodeRecordBatch("\xff\xff\xff\xff\x0f").ok());
}

}  // namespace
}  // namespace mayak
