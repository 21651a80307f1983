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

// The WAL's bytes, pinned: a record of defaults, then one of each kind of
// value.
TEST(RecordCodecTest, WritesTheDocumentedBytes) {
  LogRecord r;
  r.attributes = {{"k", int64_t{-2}}, {"b", false}};
  std::string encoded = "prefix";
  EncodeRecordBatch({LogRecord(), r}, &encoded);
  EXPECT_EQ(encoded, std::string("prefix\x02"
                                 "\x00\x00\x00\x00\x07"
                                 "default\x00\x00"
                                 "\x00\x00\x00\x00\x07"
                                 "default\x00\x02"
                                 "\x01k\x01\x03"
                                 "\x01\x62\x03\x00",
                                 6 + 1 + 14 + 14 + 8));
}

// Room is made as records come, whatever the caller reserved: long values,
// many records, and a buffer that already holds something.
TEST(RecordCodecTest, LongAndManyRecordsRoundTrip) {
  std::vector<LogRecord> records;
  for (int i = 0; i < 300; ++i) {
    LogRecord r;
    r.timestamp_ns = int64_t{i} << 40;
    r.message = std::string(static_cast<size_t>(i) * 37, static_cast<char>('a' + i % 26));
    r.attributes = {{std::string(static_cast<size_t>(i % 50), 'k'), std::string(5000, 'v')},
                    {"n", int64_t{i} * -1'000'000'007},
                    {"d", 1.0 / (i + 1)}};
    records.push_back(std::move(r));
  }
  for (size_t reserved : {size_t{0}, size_t{100}, size_t{10} << 20}) {
    std::string encoded = "x";
    encoded.reserve(reserved);
    EncodeRecordBatch(records, &encoded);
    ASSERT_EQ(encoded[0], 'x');
    auto decoded = DecodeRecordBatch(std::string_view(encoded).substr(1));
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, records) << reserved;
  }
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
