#include "agent/dead_letter_record.h"

#include <vector>

#include "gtest/gtest.h"
#include "simdjson.h"

namespace mayak::agent {
namespace {

amqp_field_value_t Text(const char* s) {
  amqp_field_value_t v;
  v.kind = AMQP_FIELD_KIND_UTF8;
  v.value.bytes = amqp_cstring_bytes(s);
  return v;
}

amqp_table_entry_t Entry(const char* key, amqp_field_value_t value) {
  amqp_table_entry_t e;
  e.key = amqp_cstring_bytes(key);
  e.value = value;
  return e;
}

TEST(DeadLetterRecordTest, XDeathHeadersPropertiesAndBodyBecomeTheRecord) {
  // x-death = [{count: 3, reason: delivery_limit, queue: mes.orders, time: ...,
  //             exchange: "", routing-keys: [mes.orders]}]
  std::vector<amqp_field_value_t> keys = {Text("mes.orders")};
  amqp_field_value_t count;
  count.kind = AMQP_FIELD_KIND_I64;
  count.value.i64 = 3;
  amqp_field_value_t time;
  time.kind = AMQP_FIELD_KIND_TIMESTAMP;
  time.value.u64 = 1796637600;
  amqp_field_value_t routing_keys;
  routing_keys.kind = AMQP_FIELD_KIND_ARRAY;
  routing_keys.value.array = {1, keys.data()};
  std::vector<amqp_table_entry_t> death = {Entry("count", count),
                                           Entry("reason", Text("delivery_limit")),
                                           Entry("queue", Text("mes.orders")),
                                           Entry("time", time),
                                           Entry("exchange", Text("")),
                                           Entry("routing-keys", routing_keys)};
  amqp_field_value_t death_table;
  death_table.kind = AMQP_FIELD_KIND_TABLE;
  death_table.value.table = {static_cast<int>(death.size()), death.data()};
  amqp_field_value_t x_death;
  x_death.kind = AMQP_FIELD_KIND_ARRAY;
  x_death.value.array = {1, &death_table};
  std::vector<amqp_table_entry_t> headers = {
      Entry("x-death", x_death), Entry("x-first-death-queue", Text("mes.orders")),
      Entry("traceparent", Text("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")),
      Entry("tenant", Text("acme"))};
  amqp_basic_properties_t p{};
  p._flags = AMQP_BASIC_HEADERS_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
  p.headers = {static_cast<int>(headers.size()), headers.data()};
  p.message_id = amqp_cstring_bytes("order-10442");
  p.content_type = amqp_cstring_bytes("application/json");

  RabbitmqInputConfig input;
  input.max_body_bytes = 10;
  input.fields = {{"system", "rabbitmq"}};
  OutputConfig output;
  std::string out;
  EncodeDeadLetter({"dead-letters", &p, R"({"order":10442,"card":"x"})"}, input, output, 0, &out);
  simdjson::dom::parser parser;
  simdjson::dom::element record = parser.parse(out).value();
  EXPECT_EQ(std::string_view(record["@timestamp"]), "2026-12-07T10:00:00Z");
  EXPECT_EQ(std::string_view(record["log.level"]), "WARN");
  EXPECT_EQ(std::string_view(record["event.action"]), "amqp.dead_lettered");
  EXPECT_EQ(std::string_view(record["message"]),
            "message dead-lettered from mes.orders: delivery_limit");
  EXPECT_EQ(std::string_view(record["messaging.destination.name"]), "mes.orders");
  EXPECT_EQ(std::string_view(record["rabbitmq.death.reason"]), "delivery_limit");
  EXPECT_EQ(int64_t(record["rabbitmq.death.count"]), 3);
  EXPECT_EQ(simdjson::minify(record["rabbitmq.death.routing_keys"]), R"(["mes.orders"])");
  EXPECT_EQ(std::string_view(record["messaging.message.id"]), "order-10442");
  EXPECT_EQ(std::string_view(record["trace.id"]), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(std::string_view(record["span.id"]), "00f067aa0ba902b7");
  EXPECT_EQ(std::string_view(record["rabbitmq.headers.tenant"]), "acme");
  EXPECT_TRUE(record["rabbitmq.headers.x-first-death-queue"].error()) << "in death.* already";
  EXPECT_EQ(std::string_view(record["rabbitmq.body"]), R"({"order":1)");
  EXPECT_EQ(uint64_t(record["messaging.message.body.size"]), 26u);
  EXPECT_EQ(std::string_view(record["log.flags"]), "truncated");
  const std::string id{std::string_view(record["_id"])};
  EXPECT_EQ(id.substr(0, 5), "amqp-");

  // The same message delivered again: the same id; one that died once more: another.
  std::string again;
  EncodeDeadLetter({"dead-letters", &p, R"({"order":10442,"card":"x"})"}, input, output, 99,
                   &again);
  EXPECT_EQ(again, out);
  death[0].value.value.i64 = 4;
  std::string later;
  EncodeDeadLetter({"dead-letters", &p, R"({"order":10442,"card":"x"})"}, input, output, 0, &later);
  EXPECT_NE(std::string_view(parser.parse(later).value()["_id"]), id);
}

}  // namespace
}  // namespace mayak::agent
