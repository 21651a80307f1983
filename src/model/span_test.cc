#include "model/span.h"

#include <algorithm>

#include "gtest/gtest.h"

namespace mayak {
namespace {

Span FullSpan() {
  Span s;
  s.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  s.span_id = "00f067aa0ba902b7";
  s.parent_span_id = "a3ce929d0e0e4736";
  s.name = "POST /api/orders";
  s.kind = SpanKind::kServer;
  s.start_ns = 1'795'510'800'123'456'789;
  s.duration_ns = 42'000'000;
  s.status = SpanStatus::kError;
  s.status_message = "payment declined";
  s.system = "shop";
  s.service = "shop-api";
  s.resource = {{"host.name", std::string("shop-1")}, {"process.pid", int64_t{4242}}};
  s.attributes = {{"http.request.method", std::string("POST")},
                  {"http.response.status_code", int64_t{500}},
                  {"order.id", std::string("ORD-1")},
                  {"sampling.ratio", 1.0},
                  {"cache.hit", false}};
  s.events = {{s.start_ns + 5,
               "exception",
               {{"exception.type", std::string("PaymentDeclined")}, {"attempt", int64_t{2}}}},
              {s.start_ns + 9, "retry", {}}};
  s.links = {{"0af7651916cd43dd8448eb211c80319c",
              "b7ad6b7169203331",
              {{"messaging.system", std::string("rabbitmq")}, {"weight", 0.5}}}};
  return s;
}

// Attributes compared without regard to order: stored rows keep columns in
// their own order.
void Sort(Span* s) {
  const auto by_key = [](const Attribute& a, const Attribute& b) { return a.key < b.key; };
  std::sort(s->attributes.begin(), s->attributes.end(), by_key);
  std::sort(s->resource.begin(), s->resource.end(), by_key);
}

TEST(SpanTest, RowMappingUsesTheCanonicalFields) {
  const LogRecord r = SpanToRecord(FullSpan(), 7);
  EXPECT_EQ(r.message, "POST /api/orders");
  EXPECT_EQ(r.timestamp_ns, FullSpan().start_ns);
  EXPECT_EQ(r.observed_timestamp_ns, 7);
  EXPECT_EQ(r.level, Level::kError);
  EXPECT_EQ(r.service, "shop-api");
  EXPECT_EQ(r.system, "shop");
  EXPECT_EQ(*r.FindAttribute("trace.id"), AttributeValue("4bf92f3577b34da6a3ce929d0e0e4736"));
  EXPECT_EQ(*r.FindAttribute("parent.id"), AttributeValue("a3ce929d0e0e4736"));
  EXPECT_EQ(*r.FindAttribute("span.kind"), AttributeValue("server"));
  EXPECT_EQ(*r.FindAttribute("event.duration"), AttributeValue(int64_t{42'000'000}));
  EXPECT_EQ(*r.FindAttribute("otel.status_code"), AttributeValue("ERROR"));
  EXPECT_EQ(*r.FindAttribute("host.name"), AttributeValue("shop-1")) << "searchable as in logs";
  EXPECT_EQ(*r.FindAttribute("span.resource_keys"),
            AttributeValue(R"(["host.name","process.pid"])"));
  Span ok = FullSpan();
  ok.status = SpanStatus::kUnset;
  ok.parent_span_id.clear();
  const LogRecord root = SpanToRecord(ok, 0);
  EXPECT_EQ(root.level, Level::kInfo);
  EXPECT_EQ(root.FindAttribute("otel.status_code"), nullptr);
  EXPECT_EQ(root.FindAttribute("parent.id"), nullptr);
}

TEST(SpanTest, RoundTripsThroughItsRowInAnyFieldOrder) {
  Span want = FullSpan();
  LogRecord r = SpanToRecord(want, 0);
  std::reverse(r.attributes.begin(), r.attributes.end());
  auto got = SpanFromRecord(r);
  ASSERT_TRUE(got.ok()) << got.status();
  Sort(&want);
  Sort(&*got);
  EXPECT_EQ(*got, want);
  // A whole double in an event or link stays a double (its JSON keeps ".0").
  Span whole = FullSpan();
  whole.links[0].attributes[1].value = 3.0;
  auto back = SpanFromRecord(SpanToRecord(whole, 0));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->links[0].attributes[1].value, AttributeValue(3.0));
}

TEST(SpanTest, TheSpansOwnFieldsWinOverTheResources) {
  Span s = FullSpan();
  s.resource.push_back({"order.id", std::string("from-resource")});
  s.resource.push_back({"trace.id", std::string("forged")});
  s.attributes.push_back({"span.id", std::string("forged")});
  const LogRecord r = SpanToRecord(s, 0);
  EXPECT_EQ(*r.FindAttribute("order.id"), AttributeValue("ORD-1"));
  EXPECT_EQ(*r.FindAttribute("trace.id"), AttributeValue(s.trace_id));
  EXPECT_EQ(*r.FindAttribute("span.id"), AttributeValue(s.span_id));
  EXPECT_EQ(std::count_if(r.attributes.begin(), r.attributes.end(),
                          [](const Attribute& a) { return a.key == "order.id"; }),
            1);
}

TEST(SpanTest, ARowThatIsNoSpanIsAnError) {
  LogRecord r;
  r.message = "a log line";
  EXPECT_FALSE(SpanFromRecord(r).ok());
  LogRecord bad = SpanToRecord(FullSpan(), 0);
  for (Attribute& a : bad.attributes) {
    if (a.key == "span.events") a.value = std::string("[{\"name\":1}]");
  }
  auto span = SpanFromRecord(bad);
  ASSERT_FALSE(span.ok());
  EXPECT_NE(span.status().message().find("span.events"), std::string_view::npos) << span.status();
}

TEST(SpanTest, KindsAndIdentifiers) {
  for (SpanKind k : {SpanKind::kInternal, SpanKind::kServer, SpanKind::kClient, SpanKind::kProducer,
                     SpanKind::kConsumer}) {
    EXPECT_EQ(ParseSpanKind(SpanKindName(k)), k);
  }
  EXPECT_EQ(ParseSpanKind("SERVER"), SpanKind::kServer);
  EXPECT_EQ(ParseSpanKind("rpc"), SpanKind::kUnspecified);
  EXPECT_TRUE(IsSpanIdentifier("00f067aa0ba902b7", 16));
  EXPECT_FALSE(IsSpanIdentifier("0000000000000000", 16));
  EXPECT_FALSE(IsSpanIdentifier("00F067AA0BA902B7", 16));
  EXPECT_FALSE(IsSpanIdentifier("00f067aa0ba902b", 16));
}

}  // namespace
}  // namespace mayak
