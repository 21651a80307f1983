#include "model/log_record.h"

namespace mayak {

const AttributeValue* LogRecord::FindAttribute(std::string_view key) const {
  for (const Attribute& attribute : attributes) {
    if (attribute.key == key) return &attribute.value;
  }
  return nullptr;
}

namespace {

size_t HeapBytes(const std::string& s) {
  std::string empty;
  return s.capacity() > empty.capacity() ? s.capacity() + 1 : 0;
}

}  // namespace

size_t MemoryFootprint(const LogRecord& record) {
  size_t bytes = sizeof(LogRecord) + HeapBytes(record.message) + HeapBytes(record.system) +
                 HeapBytes(record.service) + record.attributes.capacity() * sizeof(Attribute);
  for (const Attribute& a : record.attributes) {
    bytes += HeapBytes(a.key);
    if (const auto* s = std::get_if<std::string>(&a.value)) bytes += HeapBytes(*s);
  }
  return bytes;
}

std::string_view ValueTypeName(const AttributeValue& value) {
  switch (value.index()) {
    case 0:
      return "string";
    case 1:
      return "integer";
    case 2:
      return "double";
    default:
      return "boolean";
  }
}

std::optional<AttributeValue> GetFieldValue(const LogRecord& record, std::string_view name) {
  if (name == field::kMessage) return AttributeValue(record.message);
  if (name == field::kSystem) return AttributeValue(record.system);
  if (name == field::kServiceName) {
    if (record.service.empty()) return std::nullopt;
    return AttributeValue(record.service);
  }
  if (name == field::kLevel) {
    if (record.level == Level::kUnset) return std::nullopt;
    return AttributeValue(std::string(LevelName(record.level)));
  }
  if (name == field::kTimestamp) return AttributeValue(record.timestamp_ns);
  if (name == field::kObservedTimestamp) return AttributeValue(record.observed_timestamp_ns);
  if (const AttributeValue* value = record.FindAttribute(name)) return *value;
  return std::nullopt;
}

}  // namespace mayak
