#include "agent/dead_letter_record.h"

#include <algorithm>
#include <optional>

#include "agent/event_encoder.h"
#include "common/json_writer.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "pipeline/dedup_log_store.h"
#include "xxhash.h"

namespace mayak::agent {
namespace {

std::string_view View(const amqp_bytes_t& bytes) {
  return {static_cast<const char*>(bytes.bytes), bytes.len};
}

bool Has(const amqp_basic_properties_t& p, amqp_flags_t flag) { return (p._flags & flag) != 0; }

std::optional<int64_t> Integer(const amqp_field_value_t* value) {
  if (value == nullptr) return std::nullopt;
  switch (value->kind) {
    case AMQP_FIELD_KIND_I8:
      return value->value.i8;
    case AMQP_FIELD_KIND_U8:
      return value->value.u8;
    case AMQP_FIELD_KIND_I16:
      return value->value.i16;
    case AMQP_FIELD_KIND_U16:
      return value->value.u16;
    case AMQP_FIELD_KIND_I32:
      return value->value.i32;
    case AMQP_FIELD_KIND_U32:
      return value->value.u32;
    case AMQP_FIELD_KIND_I64:
      return value->value.i64;
    case AMQP_FIELD_KIND_U64:
    case AMQP_FIELD_KIND_TIMESTAMP:
      return static_cast<int64_t>(value->value.u64);
    default:
      return std::nullopt;
  }
}

// A header value as JSON: numbers, booleans and text as themselves, tables
// as objects, arrays as arrays, timestamps as RFC 3339.
void WriteValue(const amqp_field_value_t& value, JsonWriter* json) {
  if (value.kind != AMQP_FIELD_KIND_U64 && value.kind != AMQP_FIELD_KIND_TIMESTAMP) {
    if (const std::optional<int64_t> integer = Integer(&value)) {
      json->Int(*integer);
      return;
    }
  }
  switch (value.kind) {
    case AMQP_FIELD_KIND_BOOLEAN:
      json->Bool(value.value.boolean != 0);
      return;
    case AMQP_FIELD_KIND_U64:
      json->Uint(value.value.u64);
      return;
    case AMQP_FIELD_KIND_F32:
      json->Double(static_cast<double>(value.value.f32));
      return;
    case AMQP_FIELD_KIND_F64:
      json->Double(value.value.f64);
      return;
    case AMQP_FIELD_KIND_TIMESTAMP:
      json->String(FormatRfc3339(static_cast<int64_t>(value.value.u64) * 1'000'000'000));
      return;
    case AMQP_FIELD_KIND_UTF8:
    case AMQP_FIELD_KIND_BYTES:
      json->String(View(value.value.bytes));
      return;
    case AMQP_FIELD_KIND_TABLE:
      json->BeginObject();
      for (int i = 0; i < value.value.table.num_entries; ++i) {
        const amqp_table_entry_t& entry = value.value.table.entries[i];
        json->Key(View(entry.key));
        WriteValue(entry.value, json);
      }
      json->EndObject();
      return;
    case AMQP_FIELD_KIND_ARRAY:
      json->BeginArray();
      for (int i = 0; i < value.value.array.num_entries; ++i) {
        WriteValue(value.value.array.entries[i], json);
      }
      json->EndArray();
      return;
    default:
      json->Null();  // decimal, void
  }
}

const amqp_field_value_t* Find(const amqp_table_t& table, std::string_view key) {
  for (int i = 0; i < table.num_entries; ++i) {
    if (View(table.entries[i].key) == key) return &table.entries[i].value;
  }
  return nullptr;
}

std::string_view Text(const amqp_field_value_t* value) {
  if (value == nullptr ||
      (value->kind != AMQP_FIELD_KIND_UTF8 && value->kind != AMQP_FIELD_KIND_BYTES)) {
    return {};
  }
  return View(value->value.bytes);
}

// The body as text: valid UTF-8 as is (the JSON writer repairs the rest),
// cut at `limit` bytes.
std::string_view Excerpt(std::string_view body, size_t limit, bool* cut) {
  *cut = body.size() > limit;
  return body.substr(0, limit);
}

}  // namespace

void EncodeDeadLetter(const DeadLetter& letter, const RabbitmqInputConfig& input,
                      const OutputConfig& output, int64_t received_ns, std::string* out) {
  const amqp_basic_properties_t& p = *letter.properties;
  const amqp_table_t* headers = Has(p, AMQP_BASIC_HEADERS_FLAG) ? &p.headers : nullptr;
  // x-death: the newest death first; one entry per (queue, reason), counted.
  const amqp_table_t* death = nullptr;
  if (headers != nullptr) {
    const amqp_field_value_t* x_death = Find(*headers, "x-death");
    if (x_death != nullptr && x_death->kind == AMQP_FIELD_KIND_ARRAY &&
        x_death->value.array.num_entries > 0 &&
        x_death->value.array.entries[0].kind == AMQP_FIELD_KIND_TABLE) {
      death = &x_death->value.array.entries[0].value.table;
    }
  }
  const std::string_view queue = death ? Text(Find(*death, "queue")) : std::string_view();
  const std::string_view reason = death ? Text(Find(*death, "reason")) : std::string_view();
  // -1: not said (plain integers: GCC misjudges optionals here as unset).
  const int64_t count = death ? Integer(Find(*death, "count")).value_or(-1) : -1;
  const int64_t died = death ? Integer(Find(*death, "time")).value_or(-1) : -1;
  const std::string_view message_id =
      Has(p, AMQP_BASIC_MESSAGE_ID_FLAG) ? View(p.message_id) : std::string_view();

  // Stable across redeliveries: what the message is and when and where it died.
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  for (std::string_view part : {letter.consumed_from, queue, reason, message_id, letter.body}) {
    const uint64_t size = part.size();
    XXH3_64bits_update(state, &size, sizeof(size));
    XXH3_64bits_update(state, part.data(), part.size());
  }
  const int64_t died_at = std::max<int64_t>(died, 0);
  const int64_t times = std::max<int64_t>(count, 0);
  XXH3_64bits_update(state, &died_at, sizeof(died_at));
  XXH3_64bits_update(state, &times, sizeof(times));
  const std::string id = StrCat("amqp-", EventId(XXH3_64bits_digest(state), times));
  XXH3_freeState(state);

  if (output.kind == OutputConfig::Kind::kElasticsearch) {
    std::string system = "rabbitmq";
    for (const auto& [key, value] : input.fields) {
      if (key == "system") system = ToLower(value);
    }
    JsonWriter action(out);
    action.BeginObject().Key("create").BeginObject();
    action.Key("_index").String(StrCat("logs-", system, "-default")).Key("_id").String(id);
    action.EndObject().EndObject();
    out->push_back('\n');
  }
  JsonWriter json(out);
  json.BeginObject();
  if (output.kind == OutputConfig::Kind::kMayak) json.Key(kEventIdAttribute).String(id);
  json.Key("@timestamp").String(FormatRfc3339(died >= 0 ? died * 1'000'000'000 : received_ns));
  json.Key("log.level").String("WARN");
  json.Key("event.action").String("amqp.dead_lettered");
  json.Key("message").String(StrCat("message dead-lettered from ",
                                    queue.empty() ? std::string_view("?") : queue, ": ",
                                    reason.empty() ? std::string_view("unknown reason") : reason));
  json.Key("messaging.system").String("rabbitmq");
  if (!queue.empty()) json.Key("messaging.destination.name").String(queue);
  json.Key("rabbitmq.dead_letter_queue").String(letter.consumed_from);
  if (death != nullptr) {
    if (!queue.empty()) json.Key("rabbitmq.death.queue").String(queue);
    if (!reason.empty()) json.Key("rabbitmq.death.reason").String(reason);
    if (count >= 0) json.Key("rabbitmq.death.count").Int(count);
    if (const std::string_view exchange = Text(Find(*death, "exchange")); !exchange.empty()) {
      json.Key("rabbitmq.death.exchange").String(exchange);
    }
    if (const amqp_field_value_t* keys = Find(*death, "routing-keys")) {
      json.Key("rabbitmq.death.routing_keys");
      WriteValue(*keys, &json);
    }
    if (died >= 0) json.Key("rabbitmq.death.time").String(FormatRfc3339(died * 1'000'000'000));
  }
  if (!message_id.empty()) json.Key("messaging.message.id").String(message_id);
  if (Has(p, AMQP_BASIC_CORRELATION_ID_FLAG)) {
    json.Key("messaging.message.conversation_id").String(View(p.correlation_id));
  }
  if (Has(p, AMQP_BASIC_CONTENT_TYPE_FLAG)) {
    json.Key("rabbitmq.content_type").String(View(p.content_type));
  }
  if (Has(p, AMQP_BASIC_TYPE_FLAG)) json.Key("rabbitmq.type").String(View(p.type));
  if (Has(p, AMQP_BASIC_APP_ID_FLAG)) json.Key("rabbitmq.app_id").String(View(p.app_id));
  if (Has(p, AMQP_BASIC_TIMESTAMP_FLAG)) {
    json.Key("rabbitmq.timestamp")
        .String(FormatRfc3339(static_cast<int64_t>(p.timestamp) * 1'000'000'000));
  }
  if (headers != nullptr) {
    for (int i = 0; i < headers->num_entries; ++i) {
      const amqp_table_entry_t& entry = headers->entries[i];
      const std::string_view key = View(entry.key);
      if (key == "x-death" || key.rfind("x-first-death", 0) == 0 ||
          key.rfind("x-last-death", 0) == 0) {
        continue;  // in rabbitmq.death.*
      }
      json.Key(StrCat("rabbitmq.headers.", key));
      WriteValue(entry.value, &json);
      // W3C trace context: the record joins its trace.
      const std::string_view text = Text(&entry.value);
      if (key == "traceparent" && text.size() == 55 && text[2] == '-' && text[35] == '-') {
        json.Key("trace.id").String(text.substr(3, 32));
        json.Key("span.id").String(text.substr(36, 16));
      }
    }
  }
  json.Key("messaging.message.body.size").Uint(letter.body.size());
  bool cut = false;
  const std::string_view excerpt = Excerpt(letter.body, input.max_body_bytes, &cut);
  if (!excerpt.empty()) json.Key("rabbitmq.body").String(excerpt);
  if (cut) json.Key("log.flags").String("truncated");
  for (const auto& [key, value] : input.fields) json.Key(key).String(value);
  json.EndObject();
  out->push_back('\n');
}

}  // namespace mayak::agent
