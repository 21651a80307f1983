#include "model/record_json.h"

#include <type_traits>

#include "common/strings.h"
#include "common/timestamps.h"
#include "model/record_id.h"
#include "model/span.h"

namespace mayak {

void WriteValueJson(const AttributeValue& value, JsonWriter* json) {
  std::visit(
      [json](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          json->String(v);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          json->Int(v);
        } else if constexpr (std::is_same_v<T, double>) {
          json->Double(v);
        } else {
          json->Bool(v);
        }
      },
      value);
}

void WriteRecordJson(const LogRecord& record, JsonWriter* json) {
  json->BeginObject();
  json->Key("_id").String(RecordId(record));
  // A record of a trace links to it (GET /api/v1/traces/{id}).
  if (const AttributeValue* trace = record.FindAttribute(field::kTraceId)) {
    const std::string* id = std::get_if<std::string>(trace);
    if (id != nullptr && IsSpanIdentifier(*id, 32)) {
      json->Key("_trace").String(StrCat("/api/v1/traces/", *id));
    }
  }
  json->Key(field::kTimestamp).String(FormatRfc3339(record.timestamp_ns));
  json->Key(field::kObservedTimestamp).String(FormatRfc3339(record.observed_timestamp_ns));
  if (record.level != Level::kUnset) json->Key(field::kLevel).String(LevelName(record.level));
  json->Key(field::kMessage).String(record.message);
  json->Key(field::kSystem).String(record.system);
  if (!record.service.empty()) json->Key(field::kServiceName).String(record.service);
  for (const Attribute& attribute : record.attributes) {
    json->Key(attribute.key);
    WriteValueJson(attribute.value, json);
  }
  json->EndObject();
}

}  // namespace mayak
