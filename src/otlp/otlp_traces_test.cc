#include "otlp/otlp_traces.h"

#include "gtest/gtest.h"
#include "otlp/otlp_common.h"
#include "otlp/protobuf_wire.h"

namespace mayak {
namespace {

using protobuf::PutBytesField;
using protobuf::PutFixed64Field;
using protobuf::PutVarintField;

constexpr uint64_t kStart = 1'795'600'000'123'000'000;

std::string StringAttribute(std::string_view key, std::string_view value) {
  std::string any;
  PutBytesField(&any, 1, value);
  std::string kv;
  PutBytesField(&kv, 1, key);
  PutBytesField(&kv, 2, any);
  return kv;
}

std::string IntAttribute(std::string_view key, uint64_t value) {
  std::string any;
  PutVarintField(&any, 3, value);
  std::string kv;
  PutBytesField(&kv, 1, key);
  PutBytesField(&kv, 2, any);
  return kv;
}

// One request: a resource (service shop-api, host web-1), one scope, the
// given spans.
std::string Request(const std::vector<std::string>& spans) {
  std::string resource;
  PutBytesField(&resource, 1, StringAttribute("service.name", "shop-api"));
  PutBytesField(&resource, 1, StringAttribute("host.name", "web-1"));
  std::string scope;
  PutBytesField(&scope, 1, "checkout");
  std::string scope_spans;
  PutBytesField(&scope_spans, 1, scope);
  for (const std::string& s : spans) PutBytesField(&scope_spans, 2, s);
  std::string resource_spans;
  PutBytesField(&resource_spans, 1, resource);
  PutBytesField(&resource_spans, 2, scope_spans);
  std::string request;
  PutBytesField(&request, 1, resource_spans);
  return request;
}

std::string ProtobufSpan(std::string_view trace_hex, std::string_view span_hex, uint64_t start,
                         uint64_t end) {
  std::string span;
  PutBytesField(&span, 1, otlp::BytesFromHex(trace_hex));
  PutBytesField(&span, 2, otlp::BytesFromHex(span_hex));
  PutBytesField(&span, 5, "GET /api/orders/{id}");
  PutFixed64Field(&span, 7, start);
  PutFixed64Field(&span, 8, end);
  return span;
}

TEST(OtlpTracesTest, ProtobufSpansBecomeCanonicalSpans) {
  std::string span =
      ProtobufSpan("4BF92F3577B34DA6A3CE929D0E0E4736", "00f067aa0ba902b7", kStart, kStart + 2500);
  PutBytesField(&span, 4, otlp::BytesFromHex("a3ce929d0e0e4736"));
  PutVarintField(&span, 6, 2);  // SERVER
  PutBytesField(&span, 9, IntAttribute("http.response.status_code", 500));
  PutBytesField(&span, 9, StringAttribute("order.id", "ORD-7"));
  std::string event;
  PutFixed64Field(&event, 1, kStart + 100);
  PutBytesField(&event, 2, "exception");
  PutBytesField(&event, 3, StringAttribute("exception.type", "Timeout"));
  PutBytesField(&span, 11, event);
  std::string link;
  PutBytesField(&link, 1, otlp::BytesFromHex("0af7651916cd43dd8448eb211c80319c"));
  PutBytesField(&link, 2, otlp::BytesFromHex("b7ad6b7169203331"));
  PutBytesField(&link, 4, StringAttribute("messaging.system", "rabbitmq"));
  PutBytesField(&span, 13, link);
  std::string status;
  PutBytesField(&status, 2, "upstream timed out");
  PutVarintField(&status, 3, 2);  // ERROR
  PutBytesField(&span, 15, status);
  PutVarintField(&span, 99, 7);  // unknown fields are skipped

  auto batch = DecodeOtlpTracesProtobuf(Request({span}));
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->spans.size(), 1u);
  EXPECT_EQ(batch->rejected, 0u);
  const Span& s = batch->spans[0];
  EXPECT_EQ(s.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(s.span_id, "00f067aa0ba902b7");
  EXPECT_EQ(s.parent_span_id, "a3ce929d0e0e4736");
  EXPECT_EQ(s.name, "GET /api/orders/{id}");
  EXPECT_EQ(s.kind, SpanKind::kServer);
  EXPECT_EQ(s.start_ns, static_cast<int64_t>(kStart));
  EXPECT_EQ(s.duration_ns, 2500);
  EXPECT_EQ(s.status, SpanStatus::kError);
  EXPECT_EQ(s.status_message, "upstream timed out");
  EXPECT_EQ(s.service, "shop-api");
  EXPECT_EQ(s.system, "shop-api");
  EXPECT_EQ(s.resource, (std::vector<Attribute>{{"host.name", std::string("web-1")}}));
  EXPECT_EQ(s.attributes, (std::vector<Attribute>{{"http.response.status_code", int64_t{500}},
                                                  {"order.id", std::string("ORD-7")},
                                                  {"otel.scope.name", std::string("checkout")}}));
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0], (SpanEvent{static_cast<int64_t>(kStart) + 100,
                                    "exception",
                                    {{"exception.type", std::string("Timeout")}}}));
  ASSERT_EQ(s.links.size(), 1u);
  EXPECT_EQ(s.links[0], (SpanLink{"0af7651916cd43dd8448eb211c80319c",
                                  "b7ad6b7169203331",
                                  {{"messaging.system", std::string("rabbitmq")}}}));
}

TEST(OtlpTracesTest, BadSpansAreCountedAndTheRestTaken) {
  const std::string good =
      ProtobufSpan("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", kStart, kStart + 1);
  const std::string zero_trace =
      ProtobufSpan("00000000000000000000000000000000", "00f067aa0ba902b7", kStart, kStart + 1);
  const std::string short_span =
      ProtobufSpan("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa", kStart, kStart + 1);
  const std::string backwards =
      ProtobufSpan("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b8", kStart, kStart - 1);
  auto batch = DecodeOtlpTracesProtobuf(Request({zero_trace, good, short_span, backwards}));
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->spans.size(), 1u);
  EXPECT_EQ(batch->rejected, 3u);
  EXPECT_NE(batch->first_error.find("trace_id must be 16 bytes"), std::string::npos)
      << batch->first_error;
}

TEST(OtlpTracesTest, BrokenProtobufIsAnErrorNamingTheByte) {
  std::string request = Request(
      {ProtobufSpan("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", kStart, kStart + 1)});
  request.resize(request.size() - 5);
  auto batch = DecodeOtlpTracesProtobuf(request);
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(batch.status().message().find("byte"), std::string_view::npos) << batch.status();
}

TEST(OtlpTracesTest, JsonEncoding) {
  const std::string body = R"({"resourceSpans":[{
    "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"crm"}},
                              {"key":"mayak.system","value":{"stringValue":"CRM"}}]},
    "scopeSpans":[{"scope":{"name":"amqp"},"spans":[
      {"traceId":"4BF92F3577B34DA6A3CE929D0E0E4736","spanId":"00f067aa0ba902b7",
       "parentSpanId":"","name":"orders process","kind":5,
       "startTimeUnixNano":"1795600000123000000","endTimeUnixNano":"1795600000125000000",
       "attributes":[{"key":"messaging.destination.name","value":{"stringValue":"orders"}},
                     {"key":"retries","value":{"intValue":"2"}}],
       "events":[{"timeUnixNano":"1795600000124000000","name":"ack"}],
       "links":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331"}],
       "status":{"code":"STATUS_CODE_OK"}},
      {"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b9",
       "name":"bad","startTimeUnixNano":"soon"}]}]}]})";
  auto batch = DecodeOtlpTracesJson(body);
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->spans.size(), 1u);
  EXPECT_EQ(batch->rejected, 1u);
  EXPECT_NE(batch->first_error.find("startTimeUnixNano"), std::string::npos);
  const Span& s = batch->spans[0];
  EXPECT_EQ(s.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(s.parent_span_id, "");
  EXPECT_EQ(s.kind, SpanKind::kConsumer);
  EXPECT_EQ(s.duration_ns, 2'000'000);
  EXPECT_EQ(s.status, SpanStatus::kOk);
  EXPECT_EQ(s.service, "crm");
  EXPECT_EQ(s.system, "crm");
  EXPECT_EQ(s.attributes[1], (Attribute{"retries", int64_t{2}}));
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].name, "ack");
  ASSERT_EQ(s.links.size(), 1u);

  EXPECT_FALSE(DecodeOtlpTracesJson("[1]").ok());
  EXPECT_FALSE(DecodeOtlpTracesJson(R"({"resourceSpans":3})").ok());
  auto empty = DecodeOtlpTracesJson("{}");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->spans.empty());
}

TEST(OtlpTracesTest, Responses) {
  EXPECT_EQ(EncodeExportTracesResponseProtobuf(0, ""), "");
  EXPECT_EQ(EncodeExportTracesResponseJson(0, ""), "{}");
  EXPECT_EQ(EncodeExportTracesResponseJson(2, "bad id"),
            R"({"partialSuccess":{"rejectedSpans":"2","errorMessage":"bad id"}})");
  const std::string proto = EncodeExportTracesResponseProtobuf(2, "x");
  EXPECT_EQ(proto, std::string("\x0a\x05\x08\x02\x12\x01x", 7));
}

}  // namespace
}  // namespace mayak
