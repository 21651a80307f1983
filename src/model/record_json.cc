#include "model/record_json.h"

#include <type_traits>

#include "common/timestamps.h"

namespace mayak {

void WriteRecordJson(const LogRecord& record, JsonWriter* json) {
  json->BeginObject();
  json->Key(field::kTimestamp).String(FormatRfc3339(record.timestamp_ns));
  json->Key(field::kObservedTimestamp).String(FormatRfc3339(record.observed_timestamp_ns));
  if (record.level != Level::kUnset) json->Key(field::kLevel).String(LevelName(record.level));
  json->Key(field::kMessage).String(record.message);
  json->Key(field::kSystem).String(record.system);
  if (!record.service.empty()) json->Key(field::kServiceName).String(record.service);
  for (const Attribute& attribute : record.attributes) {
    json->Key(attribute.key);
    std::visit(
        [json](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::string>) {
            json->String(value);
          } else if constexpr (std::is_same_v<T, int64_t>) {
            json->Int(value);
          } else if constexpr (std::is_same_v<T, double>) {
            json->Double(value);
          } else {
            json->Bool(value);
          }
        },
        attribute.value);
  }
  json->EndObject();
}

}  // namespace mayak
