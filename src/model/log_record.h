// The canonical log record (DESIGN.md): what every ingest protocol is
// normalized into and what storage and queries see.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mayak/fields.h"
#include "model/level.h"

namespace mayak {

// The canonical field names are in include/mayak/fields.h (mayak::field);
// @timestamp, observed_timestamp, log.level, message, system and
// service.name have their own member here.

// `system` of a record that names none.
inline constexpr std::string_view kDefaultSystem = "default";

// A typed attribute value. Arrays and objects that cannot be flattened are
// kept as their JSON text.
using AttributeValue = std::variant<std::string, int64_t, double, bool>;

struct Attribute {
  std::string key;  // dotted: "http.response.status_code"
  AttributeValue value;

  bool operator==(const Attribute&) const = default;
};

struct LogRecord {
  int64_t timestamp_ns = 0;           // @timestamp: when it happened
  int64_t observed_timestamp_ns = 0;  // when Mayak received it
  Level level = Level::kUnset;
  std::string message;
  std::string system{kDefaultSystem};
  std::string service;  // service.name; empty when unknown
  std::vector<Attribute> attributes;

  // The attribute named `key`, if any.
  const AttributeValue* FindAttribute(std::string_view key) const;

  bool operator==(const LogRecord&) const = default;
};

// Bytes the record holds in memory, heap included (strings longer than the
// small-string buffer, the attribute array): what memtable limits count.
size_t MemoryFootprint(const LogRecord& record);

// The type of a value as the field list names it: "string", "integer",
// "double" or "boolean".
std::string_view ValueTypeName(const AttributeValue& value);

// A field's value as seen by queries: the dedicated members by their canonical
// names, everything else from the attributes. Timestamps are int64 ns.
std::optional<AttributeValue> GetFieldValue(const LogRecord& record, std::string_view name);

}  // namespace mayak
