#include "model/record_id.h"

#include "gtest/gtest.h"

namespace mayak {
namespace {

LogRecord Record(std::string host, std::string message) {
  LogRecord r;
  r.timestamp_ns = 1'795'510'800'123'456'789;
  r.system = "shop";
  r.service = "shop-api";
  r.message = std::move(message);
  r.attributes.push_back({"host.name", AttributeValue(std::move(host))});
  return r;
}

TEST(RecordIdTest, TimeAndAHashOfSourceAndMessage) {
  const LogRecord r = Record("shop-1", "payment failed");
  const std::string id = RecordId(r);
  EXPECT_TRUE(id.starts_with("1795510800123456789-")) << id;
  EXPECT_EQ(id.size(), 20u + 16u);
  auto parts = ParseRecordId(id);
  ASSERT_TRUE(parts.ok()) << parts.status();
  EXPECT_EQ(parts->timestamp_ns, r.timestamp_ns);
  EXPECT_EQ(parts->hash, RecordHash(r));
  EXPECT_EQ(RecordId(Record("shop-1", "payment failed")), id) << "content alone decides";
  EXPECT_NE(RecordId(Record("shop-2", "payment failed")), id);
  EXPECT_NE(RecordId(Record("shop-1", "payment failed!")), id);
  // Field boundaries count: "ab" + "c" is not "a" + "bc".
  EXPECT_NE(RecordHash(Record("shop-1a", "b")), RecordHash(Record("shop-1", "ab")));
}

TEST(RecordIdTest, RefusesWhatIsNotAnId) {
  for (const char* bad : {"", "-", "123", "123-abc", "x-0123456789abcdef", "123-0123456789abcdeg",
                          "123-0123456789abcdef0"}) {
    EXPECT_FALSE(ParseRecordId(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParseRecordId("-5-0123456789abcdef").ok()) << "before 1970";
}

}  // namespace
}  // namespace mayak
