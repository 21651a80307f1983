#include "model/record_json.h"

#include <type_traits>

#include "common/timestamps.h"
#include "model/record_id.h"

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
