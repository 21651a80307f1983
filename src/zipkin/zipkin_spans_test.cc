#include "zipkin/zipkin_spans.h"

#include "gtest/gtest.h"
#include "otlp/otlp_common.h"
#include "otlp/protobuf_wire.h"

namespace mayak {
namespace {

TEST(ZipkinSpansTest, V2JsonBecomesCanonicalSpans) {
  auto spans = DecodeZipkinJson(R"([{
    "traceId": "5AF7183FB1D4CF5F", "parentId": "6b221d5bc9e6496c", "id": "352bff9a74ca9ad2",
    "kind": "SERVER", "name": "get /api/orders", "timestamp": 1795600000123456,
    "duration": 1431, "shared": true,
    "localEndpoint": {"serviceName": "Shop", "ipv4": "192.168.99.1", "port": 8080},
    "remoteEndpoint": {"serviceName": "crm", "ipv6": "::1", "port": 51000},
    "tags": {"http.method": "GET", "error": "timeout", "mayak.system": "Shop"},
    "annotations": [{"timestamp": 1795600000123999, "value": "ws"}]}])");
  ASSERT_TRUE(spans.ok()) << spans.status();
  ASSERT_EQ(spans->size(), 1u);
  const Span& s = (*spans)[0];
  EXPECT_EQ(s.trace_id, "00000000000000005af7183fb1d4cf5f") << "64-bit ids are the low half";
  EXPECT_EQ(s.span_id, "352bff9a74ca9ad2");
  EXPECT_EQ(s.parent_span_id, "6b221d5bc9e6496c");
  EXPECT_EQ(s.kind, SpanKind::kServer);
  EXPECT_EQ(s.name, "get /api/orders");
  EXPECT_EQ(s.start_ns, 1'795'600'000'123'456'000);
  EXPECT_EQ(s.duration_ns, 1'431'000);
  EXPECT_EQ(s.service, "shop");
  EXPECT_EQ(s.system, "shop");
  EXPECT_EQ(s.status, SpanStatus::kError);
  EXPECT_EQ(s.status_message, "timeout");
  EXPECT_EQ(s.resource, (std::vector<Attribute>{{"host.ip", std::string("192.168.99.1")},
                                                {"host.port", int64_t{8080}}}));
  EXPECT_EQ(s.attributes, (std::vector<Attribute>{{"peer.service", std::string("crm")},
                                                  {"network.peer.address", std::string("::1")},
                                                  {"network.peer.port", int64_t{51000}},
                                                  {"http.method", std::string("GET")}}));
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].name, "ws");
  EXPECT_EQ(s.events[0].time_ns, 1'795'600'000'123'999'000);
}

TEST(ZipkinSpansTest, ARootWithoutParentOrDuration) {
  auto spans =
      DecodeZipkinJson(R"([{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","id":"00f067aa0ba902b7",)"
                       R"("timestamp":1795600000000000,"localEndpoint":{"serviceName":"mes"}}])");
  ASSERT_TRUE(spans.ok()) << spans.status();
  EXPECT_EQ((*spans)[0].parent_span_id, "");
  EXPECT_EQ((*spans)[0].duration_ns, 0);
  EXPECT_EQ((*spans)[0].kind, SpanKind::kUnspecified);
  EXPECT_TRUE(DecodeZipkinJson("[]")->empty());
}

TEST(ZipkinSpansTest, AnyBadSpanRefusesTheListNamingIt) {
  const std::string good =
      R"({"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","id":"00f067aa0ba902b7",)"
      R"("timestamp":1795600000000000})";
  const struct {
    std::string span;
    std::string error;
  } cases[] = {
      {R"({"id":"00f067aa0ba902b7","timestamp":1})", "traceId must be"},
      {R"({"traceId":"xyz","id":"00f067aa0ba902b7","timestamp":1})", "traceId 'xyz'"},
      {R"({"traceId":"4bf92f3577b34da6","id":"0000000000000000","timestamp":1})", "id '0000"},
      {R"({"traceId":"4bf92f3577b34da6","id":"00f067aa0ba902b7"})", "timestamp"},
      {R"({"traceId":"4bf92f3577b34da6","id":"00f067aa0ba902b7","timestamp":1,"duration":-5})",
       "duration"},
      {R"({"traceId":"4bf92f3577b34da6","id":"00f067aa0ba902b7","parentId":"12",)"
       R"("timestamp":1})",
       "parentId"},
      {R"("a string")", "not a JSON object"},
  };
  for (const auto& c : cases) {
    auto spans = DecodeZipkinJson("[" + good + "," + c.span + "]");
    ASSERT_FALSE(spans.ok()) << c.span;
    EXPECT_EQ(spans.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(spans.status().message().find("span 1: "), std::string_view::npos) << spans.status();
    EXPECT_NE(spans.status().message().find(c.error), std::string_view::npos) << spans.status();
  }
  EXPECT_FALSE(DecodeZipkinJson(R"({"traceId":"x"})").ok()) << "a list, not an object";
  EXPECT_FALSE(DecodeZipkinJson("[").ok());
}

TEST(ZipkinSpansTest, Proto3ListOfSpans) {
  using protobuf::PutBytesField;
  using protobuf::PutFixed64Field;
  using protobuf::PutVarintField;
  std::string local;
  PutBytesField(&local, 1, "Shop");
  PutBytesField(&local, 2, std::string("\xc0\xa8\x63\x01", 4));  // 192.168.99.1
  PutVarintField(&local, 4, 8080);
  std::string remote;
  PutBytesField(&remote, 1, "crm");
  PutBytesField(&remote, 3, otlp::BytesFromHex("20010db8000000000000000000000001"));
  std::string annotation;
  PutFixed64Field(&annotation, 1, 1'795'600'000'123'999);
  PutBytesField(&annotation, 2, "ws");
  std::string tag;
  PutBytesField(&tag, 1, "http.method");
  PutBytesField(&tag, 2, "GET");
  std::string error;
  PutBytesField(&error, 1, "error");
  PutBytesField(&error, 2, "timeout");
  std::string span;
  PutBytesField(&span, 1, otlp::BytesFromHex("5af7183fb1d4cf5f"));
  PutBytesField(&span, 2, otlp::BytesFromHex("6b221d5bc9e6496c"));
  PutBytesField(&span, 3, otlp::BytesFromHex("352bff9a74ca9ad2"));
  PutVarintField(&span, 4, 2);  // SERVER
  PutBytesField(&span, 5, "get /api/orders");
  PutFixed64Field(&span, 6, 1'795'600'000'123'456);
  PutVarintField(&span, 7, 1431);
  PutBytesField(&span, 8, local);
  PutBytesField(&span, 9, remote);
  PutBytesField(&span, 10, annotation);
  PutBytesField(&span, 11, tag);
  PutBytesField(&span, 11, error);
  PutVarintField(&span, 13, 1);  // shared
  std::string list;
  PutBytesField(&list, 1, span);
  auto spans = DecodeZipkinProtobuf(list);
  ASSERT_TRUE(spans.ok()) << spans.status();
  ASSERT_EQ(spans->size(), 1u);
  const Span& s = (*spans)[0];
  EXPECT_EQ(s.trace_id, "00000000000000005af7183fb1d4cf5f");
  EXPECT_EQ(s.parent_span_id, "6b221d5bc9e6496c");
  EXPECT_EQ(s.span_id, "352bff9a74ca9ad2");
  EXPECT_EQ(s.kind, SpanKind::kServer);
  EXPECT_EQ(s.name, "get /api/orders");
  EXPECT_EQ(s.start_ns, 1'795'600'000'123'456'000);
  EXPECT_EQ(s.duration_ns, 1'431'000);
  EXPECT_EQ(s.service, "shop");
  EXPECT_EQ(s.status, SpanStatus::kError);
  EXPECT_EQ(s.status_message, "timeout");
  EXPECT_EQ(s.resource, (std::vector<Attribute>{{"host.ip", std::string("192.168.99.1")},
                                                {"host.port", int64_t{8080}}}));
  EXPECT_EQ(s.attributes,
            (std::vector<Attribute>{{"peer.service", std::string("crm")},
                                    {"network.peer.address", std::string("2001:db8::1")},
                                    {"http.method", std::string("GET")}}));
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].name, "ws");

  // The kinds are Zipkin's numbers, not OpenTelemetry's.
  std::string client = span;
  PutVarintField(&client, 4, 1);  // a later field wins: CLIENT
  std::string two;
  PutBytesField(&two, 1, span);
  PutBytesField(&two, 1, client);
  auto both = DecodeZipkinProtobuf(two);
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_EQ((*both)[1].kind, SpanKind::kClient);

  std::string no_id;
  PutBytesField(&no_id, 1, otlp::BytesFromHex("5af7183fb1d4cf5f"));
  PutFixed64Field(&no_id, 6, 1);
  std::string bad;
  PutBytesField(&bad, 1, span);
  PutBytesField(&bad, 1, no_id);
  auto refused = DecodeZipkinProtobuf(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("span 1: "), std::string_view::npos)
      << refused.status();
  auto cut = DecodeZipkinProtobuf(list.substr(0, list.size() - 3));
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.status().message().find("byte"), std::string_view::npos) << cut.status();
}

}  // namespace
}  // namespace mayak
