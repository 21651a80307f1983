#include "otlp/otlp_logs.h"

#include <bit>

#include "gtest/gtest.h"
#include "otlp/protobuf_wire.h"

namespace mayak {
namespace {

using protobuf::PutBytesField;
using protobuf::PutFixed64Field;
using protobuf::PutVarintField;

constexpr int64_t kReceived = 1'795'608'000'000'000'000;

std::string StringValue(std::string_view s) {
  std::string v;
  PutBytesField(&v, 1, s);
  return v;
}

std::string KeyValue(std::string_view key, const std::string& any_value) {
  std::string kv;
  PutBytesField(&kv, 1, key);
  PutBytesField(&kv, 2, any_value);
  return kv;
}

// One request: a resource with service.name, one scope, the given records.
std::string Request(const std::vector<std::string>& records) {
  std::string resource;
  PutBytesField(&resource, 1, KeyValue("service.name", StringValue("shop-api")));
  PutBytesField(&resource, 1, KeyValue("host.name", StringValue("web-1")));
  std::string scope_logs;
  std::string scope;
  PutBytesField(&scope, 1, "checkout");
  PutBytesField(&scope_logs, 1, scope);
  for (const std::string& r : records) PutBytesField(&scope_logs, 2, r);
  std::string resource_logs;
  PutBytesField(&resource_logs, 1, resource);
  PutBytesField(&resource_logs, 2, scope_logs);
  std::string request;
  PutBytesField(&request, 1, resource_logs);
  return request;
}

TEST(OtlpLogsTest, ProtobufRecordsBecomeCanonicalRecords) {
  std::string record;
  PutFixed64Field(&record, 1, 1'795'600'000'123'000'000);
  PutVarintField(&record, 2, 17);  // ERROR
  PutBytesField(&record, 3, "error");
  PutBytesField(&record, 5, StringValue("payment failed"));
  std::string int_value;
  PutVarintField(&int_value, 3, 10442);
  PutBytesField(&record, 6, KeyValue("order.id", int_value));
  std::string double_value;
  PutFixed64Field(&double_value, 4, std::bit_cast<uint64_t>(12.5));
  PutBytesField(&record, 6, KeyValue("duration_ms", double_value));
  std::string nested;  // {"http": {"status": 500}}
  std::string status;
  PutVarintField(&status, 3, 500);
  std::string kvlist;
  PutBytesField(&kvlist, 1, KeyValue("status", status));
  std::string map_value;
  PutBytesField(&map_value, 6, kvlist);
  PutBytesField(&record, 6, KeyValue("http", map_value));
  std::string array;  // ["a", 1]
  std::string values;
  PutBytesField(&values, 1, StringValue("a"));
  std::string one;
  PutVarintField(&one, 3, 1);
  PutBytesField(&values, 1, one);
  std::string array_value;
  PutBytesField(&array_value, 5, values);
  PutBytesField(&record, 6, KeyValue("tags", array_value));
  PutBytesField(
      &record, 9,
      std::string("\x4b\xf9\x2f\x35\x77\xb3\x4d\xa6\xa3\xce\x92\x9d\x0e\x0e\x47\x36", 16));
  PutBytesField(&record, 10, std::string("\x00\xf0\x67\xaa\x0b\xa9\x02\xb7", 8));

  auto batch = DecodeOtlpLogsProtobuf(Request({record}), kReceived);
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->records.size(), 1u);
  const LogRecord& r = batch->records[0];
  EXPECT_EQ(r.timestamp_ns, 1'795'600'000'123'000'000);
  EXPECT_EQ(r.observed_timestamp_ns, kReceived);
  EXPECT_EQ(r.level, Level::kError);
  EXPECT_EQ(r.message, "payment failed");
  EXPECT_EQ(r.service, "shop-api");
  EXPECT_EQ(r.system, "shop-api");
  EXPECT_EQ(std::get<int64_t>(*r.FindAttribute("order.id")), 10442);
  EXPECT_EQ(std::get<double>(*r.FindAttribute("duration_ms")), 12.5);
  EXPECT_EQ(std::get<int64_t>(*r.FindAttribute("http.status")), 500);
  EXPECT_EQ(std::get<std::string>(*r.FindAttribute("tags")), R"(["a",1])");
  EXPECT_EQ(std::get<std::string>(*r.FindAttribute("trace.id")),
            "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(std::get<std::string>(*r.FindAttribute("span.id")), "00f067aa0ba902b7");
  EXPECT_EQ(std::get<std::string>(*r.FindAttribute("host.name")), "web-1");
  EXPECT_EQ(std::get<std::string>(*r.FindAttribute("otel.scope.name")), "checkout");
}

TEST(OtlpLogsTest, StructuredBodiesSeveritiesAndBadRecords) {
  std::string structured;  // body {"msg": "hello", "user": "bob"}, severity text only
  std::string kvlist;
  PutBytesField(&kvlist, 1, KeyValue("msg", StringValue("hello")));
  PutBytesField(&kvlist, 1, KeyValue("user", StringValue("bob")));
  std::string body;
  PutBytesField(&body, 6, kvlist);
  PutBytesField(&structured, 5, body);
  PutBytesField(&structured, 3, "warning");
  std::string bad_system;
  PutBytesField(&bad_system, 6, KeyValue("system", StringValue("no such/system")));
  std::string far_future;
  PutFixed64Field(&far_future, 1, UINT64_MAX);
  auto batch = DecodeOtlpLogsProtobuf(Request({structured, bad_system, far_future}), kReceived);
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->records.size(), 1u);
  EXPECT_EQ(batch->records[0].message, "hello");
  EXPECT_EQ(batch->records[0].level, Level::kWarn);
  EXPECT_EQ(batch->records[0].timestamp_ns, kReceived);  // none given
  EXPECT_EQ(std::get<std::string>(*batch->records[0].FindAttribute("user")), "bob");
  EXPECT_EQ(batch->rejected, 2u);
  EXPECT_NE(batch->first_error.find("system"), std::string::npos) << batch->first_error;
}

TEST(OtlpLogsTest, BrokenProtobufIsAnErrorNamingTheByte) {
  const std::string good = Request({StringValue("x")});
  for (size_t cut : {good.size() - 1, good.size() / 2, size_t{1}}) {
    auto batch = DecodeOtlpLogsProtobuf(good.substr(0, cut), kReceived);
    ASSERT_FALSE(batch.ok()) << cut;
    EXPECT_NE(batch.status().message().find("invalid protobuf at byte "), absl::string_view::npos)
        << batch.status();
  }
  EXPECT_FALSE(DecodeOtlpLogsProtobuf("\x0f", kReceived).ok());  // wire type 7
  auto empty = DecodeOtlpLogsProtobuf("", kReceived);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->records.empty());
}

TEST(OtlpLogsTest, JsonEncoding) {
  const std::string body = R"({"resourceLogs":[{"resource":{"attributes":[
      {"key":"service.name","value":{"stringValue":"crm"}}]},
    "scopeLogs":[{"scope":{"name":"crm.customers"},"logRecords":[
      {"timeUnixNano":"1795600000000000000","severityNumber":13,"severityText":"WARN",
       "body":{"stringValue":"slow query"},
       "attributes":[{"key":"db.duration_ms","value":{"intValue":"1234"}},
                     {"key":"cached","value":{"boolValue":false}},
                     {"key":"ratio","value":{"doubleValue":0.5}},
                     {"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":"1"},
                       {"kvlistValue":{"values":[{"key":"k","value":{"boolValue":true}}]}}]}}},
                     {"key":"db","value":{"kvlistValue":{"values":[{"key":"system","value":{"stringValue":"postgresql"}}]}}}],
       "traceId":"4BF92F3577B34DA6A3CE929D0E0E4736","spanId":"00f067aa0ba902b7"},
      {"timeUnixNano":"yesterday"}]}]}]})";
  auto batch = DecodeOtlpLogsJson(body, kReceived);
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->records.size(), 1u);
  const LogRecord& r = batch->records[0];
  EXPECT_EQ(r.timestamp_ns, 1'795'600'000'000'000'000);
  EXPECT_EQ(r.level, Level::kWarn);
  EXPECT_EQ(r.system, "crm");
  EXPECT_EQ(r.message, "slow query");
  EXPECT_EQ(std::get<int64_t>(*r.FindAttribute("db.duration_ms")), 1234);
  EXPECT_EQ(std::get<bool>(*r.FindAttribute("cached")), false);
  EXPECT_EQ(std::get<double>(*r.FindAttribute("ratio")), 0.5);
  EXPECT_EQ(std::get<std::string>(*r.FindAttribute("db.system")), "postgresql");
  EXPECT_EQ(std::get<std::string>(*r.FindAttribute("tags")), R"(["a",1,{"k":true}])");
  EXPECT_EQ(std::get<std::string>(*r.FindAttribute("trace.id")),
            "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(batch->rejected, 1u);
  EXPECT_NE(batch->first_error.find("timeUnixNano"), std::string::npos);
  EXPECT_FALSE(DecodeOtlpLogsJson("[1,2]", kReceived).ok());
  EXPECT_FALSE(DecodeOtlpLogsJson(R"({"resourceLogs":7})", kReceived).ok());
}

TEST(OtlpLogsTest, ResponsesAndStatus) {
  EXPECT_EQ(EncodeExportLogsResponseProtobuf(0, ""), "");
  EXPECT_EQ(EncodeExportLogsResponseJson(0, ""), "{}");
  EXPECT_EQ(EncodeExportLogsResponseJson(2, "bad time"),
            R"({"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"bad time"}})");
  // partial_success (1) { rejected_log_records (1) = 2 }
  EXPECT_EQ(EncodeExportLogsResponseProtobuf(2, ""), std::string("\x0a\x02\x08\x02", 4));
  EXPECT_EQ(EncodeRpcStatusProtobuf(3, "x"), std::string("\x08\x03\x12\x01x", 5));
}

}  // namespace
}  // namespace mayak
