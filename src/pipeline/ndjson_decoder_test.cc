#include "pipeline/ndjson_decoder.h"

#include "gtest/gtest.h"

namespace mayak {
namespace {

constexpr int64_t kReceived = 1'795'515'600LL * 1'000'000'000;

TEST(NdjsonDecoderTest, FlattensNestedObjectsIntoDottedKeys) {
  NdjsonDecoder decoder(1 << 20);
  DecodedBatch batch = decoder.Decode(
      R"({"http":{"request":{"method":"GET"},"response":{"status_code":200}},"url.path":"/a","n":null})",
      kReceived);
  ASSERT_EQ(batch.records.size(), 1u);
  const LogRecord& r = batch.records[0];
  EXPECT_EQ(r.timestamp_ns, kReceived) << "missing @timestamp means receive time";
  EXPECT_EQ(r.observed_timestamp_ns, kReceived);
  EXPECT_EQ(r.system, "default");
  EXPECT_EQ(r.level, Level::kUnset);
  ASSERT_NE(r.FindAttribute("http.request.method"), nullptr);
  EXPECT_EQ(std::get<std::string>(*r.FindAttribute("http.request.method")), "GET");
  EXPECT_EQ(std::get<int64_t>(*r.FindAttribute("http.response.status_code")), 200);
  EXPECT_EQ(std::get<std::string>(*r.FindAttribute("url.path")), "/a");
  EXPECT_EQ(r.FindAttribute("n"), nullptr) << "null means absent";
}

TEST(NdjsonDecoderTest, MapsWellKnownFieldsUnderTheirUsualNames) {
  NdjsonDecoder decoder(1 << 20);
  DecodedBatch batch = decoder.Decode(
      "{\"@timestamp\":\"2026-11-24T10:20:00Z\",\"timestamp\":\"other\",\"log\":{\"level\":"
      "\"warning\"},"
      "\"msg\":\"m\",\"service\":{\"name\":\"shop-api\"},\"system\":\" Shop \"}\n"
      "{\"level\":\"CRIT\",\"message\":{\"nested\":1},\"service\":\"crm\"}\n"
      "{\"level\":30,\"message\":42}\n"
      "{\"level\":\"chatty\",\"big\":18446744073709551615}\n",
      kReceived);
  ASSERT_EQ(batch.records.size(), 4u) << (batch.errors.empty() ? "" : batch.errors[0].reason);
  const LogRecord& a = batch.records[0];
  EXPECT_EQ(a.timestamp_ns, kReceived);
  EXPECT_EQ(a.level, Level::kWarn);
  EXPECT_EQ(a.message, "m");
  EXPECT_EQ(a.service, "shop-api");
  EXPECT_EQ(a.system, "shop");
  // The second timestamp-like key stays as an attribute.
  EXPECT_EQ(std::get<std::string>(*a.FindAttribute("timestamp")), "other");

  EXPECT_EQ(batch.records[1].level, Level::kFatal);
  // A nested message flattens like any object; message itself stays empty.
  EXPECT_EQ(std::get<int64_t>(*batch.records[1].FindAttribute("message.nested")), 1);
  EXPECT_EQ(batch.records[1].service, "crm");
  EXPECT_EQ(batch.records[2].level, Level::kInfo);
  EXPECT_EQ(batch.records[2].message, "42");
  EXPECT_EQ(batch.records[3].level, Level::kUnset);
  EXPECT_EQ(std::get<std::string>(*batch.records[3].FindAttribute("log.level.original")), "chatty");
  EXPECT_EQ(std::get<std::string>(*batch.records[3].FindAttribute("big")), "18446744073709551615");
}

TEST(NdjsonDecoderTest, OtherAttributesKeepTheirOrder) {
  NdjsonDecoder decoder(1024);
  DecodedBatch batch = decoder.Decode(
      R"({"a":1,"msg":"alias","b":2,"service":"s","message":"canonical","c":3,"level":"info"})",
      kReceived);
  ASSERT_EQ(batch.records.size(), 1u);
  const LogRecord& r = batch.records[0];
  EXPECT_EQ(r.message, "canonical");
  EXPECT_EQ(r.service, "s");
  EXPECT_EQ(r.level, Level::kInfo);
  std::vector<std::string> keys;
  for (const Attribute& a : r.attributes) keys.push_back(a.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "msg", "b", "c"}));
}

TEST(NdjsonDecoderTest, ReportsBadLinesByNumberAndKeepsTheRest) {
  NdjsonDecoder decoder(64);
  DecodedBatch batch = decoder.Decode(
      "{\"message\":\"ok\"}\r\n"
      "\n"
      "{\"message\":\n"
      "\"a string\"\n"
      "{\"@timestamp\":true}\n"
      "{\"message\":\"this line is far longer than the sixty-four byte limit of this decoder\"}\n"
      "{\"system\":\"../etc\"}\n"
      "{\"message\":\"ok again\"}",
      kReceived);
  ASSERT_EQ(batch.records.size(), 2u);
  EXPECT_EQ(batch.records[1].message, "ok again");
  ASSERT_EQ(batch.errors.size(), 5u);
  EXPECT_EQ(batch.errors[0].line, 3u);
  EXPECT_NE(batch.errors[0].reason.find("invalid JSON"), std::string::npos);
  EXPECT_EQ(batch.errors[1].line, 4u);
  EXPECT_EQ(batch.errors[1].reason, "expected a JSON object, got a scalar");
  EXPECT_EQ(batch.errors[2].line, 5u);
  EXPECT_NE(batch.errors[2].reason.find("@timestamp: 'true' is not a time"), std::string::npos);
  EXPECT_EQ(batch.errors[3].line, 6u);
  EXPECT_NE(batch.errors[3].reason.find("over limits.max_line (64B)"), std::string::npos)
      << batch.errors[3].reason;
  EXPECT_EQ(batch.errors[4].line, 7u);
  EXPECT_NE(batch.errors[4].reason.find("system: '../etc'"), std::string::npos);
}

TEST(NdjsonDecoderTest, RejectsTimesThatInt64NanosecondsCannotHold) {
  NdjsonDecoder decoder(1024);
  DecodedBatch batch = decoder.Decode(
      "{\"@timestamp\":17955015610123}\n"
      "{\"timestamp\":\"-17955015610123\"}\n"
      "{\"@timestamp\":1795515610123}\n",
      kReceived);
  ASSERT_EQ(batch.records.size(), 1u);
  EXPECT_EQ(batch.records[0].timestamp_ns, 1'795'515'610'123'000'000);
  ASSERT_EQ(batch.errors.size(), 2u);
  EXPECT_EQ(batch.errors[0].reason,
            "@timestamp: '17955015610123' is out of range: times must lie between the years 1678 "
            "and 2261");
  EXPECT_EQ(batch.errors[1].line, 2u);
}

TEST(LevelTest, ParsesCommonSpellings) {
  EXPECT_EQ(ParseLevel("Warning"), Level::kWarn);
  EXPECT_EQ(ParseLevel("err"), Level::kError);
  EXPECT_EQ(ParseLevel(" INFO "), Level::kInfo);
  EXPECT_EQ(ParseLevel("emerg"), Level::kFatal);
  EXPECT_EQ(ParseLevel("trace"), Level::kTrace);
  EXPECT_EQ(ParseLevel("loud"), std::nullopt);
  EXPECT_EQ(LevelName(Level::kWarn), "WARN");
}

}  // namespace
}  // namespace mayak
