#include "pipeline/normalize.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "common/strings.h"
#include "common/timestamps.h"

namespace mayak {
namespace {

// Appends every leaf of `element` under `prefix` to `out`, dotted. The
// prefix is taken by value and moved into the leaf's attribute: one string
// per field, not two (this runs for every field of every record ingested).
void Flatten(simdjson::dom::element element, std::string prefix, std::vector<Attribute>* out) {
  using simdjson::dom::element_type;
  switch (element.type()) {
    case element_type::OBJECT: {
      const simdjson::dom::object object = element.get_object().value_unsafe();
      if (prefix.empty()) out->reserve(out->size() + object.size());
      for (auto [key, value] : object) {
        Flatten(value, prefix.empty() ? std::string(key) : StrCat(prefix, ".", key), out);
      }
      return;
    }
    case element_type::ARRAY:
      out->push_back({std::move(prefix), simdjson::minify(element)});
      return;
    case element_type::STRING:
      out->push_back({std::move(prefix), std::string(element.get_string().value_unsafe())});
      return;
    case element_type::INT64:
      out->push_back({std::move(prefix), element.get_int64().value_unsafe()});
      return;
    case element_type::UINT64: {
      // Above INT64_MAX: keep the digits rather than lose precision.
      out->push_back({std::move(prefix), StrCat(element.get_uint64().value_unsafe())});
      return;
    }
    case element_type::DOUBLE:
      out->push_back({std::move(prefix), element.get_double().value_unsafe()});
      return;
    case element_type::BOOL:
      out->push_back({std::move(prefix), element.get_bool().value_unsafe()});
      return;
    case element_type::NULL_VALUE:
      return;  // null means absent
  }
}

// Removes the first attribute named one of `names` (in order of preference)
// and returns it.
std::optional<Attribute> TakeAttribute(std::vector<Attribute>* attributes,
                                       std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    for (auto it = attributes->begin(); it != attributes->end(); ++it) {
      if (it->key == name) {
        Attribute taken = std::move(*it);
        attributes->erase(it);
        return taken;
      }
    }
  }
  return std::nullopt;
}

std::string ValueText(const AttributeValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  if (const auto* i = std::get_if<int64_t>(&value)) return StrCat(*i);
  if (const auto* d = std::get_if<double>(&value)) return StrCat(*d);
  return std::get<bool>(value) ? "true" : "false";
}

std::optional<int64_t> EpochNanosOf(const AttributeValue& value) {
  if (const auto* i = std::get_if<int64_t>(&value)) return EpochIntegerToNanos(*i);
  if (const auto* d = std::get_if<double>(&value)) return EpochNumberToNanos(*d);
  int64_t epoch = 0;
  if (const auto* s = std::get_if<std::string>(&value); s != nullptr && ParseInt(*s, &epoch)) {
    return EpochIntegerToNanos(epoch);
  }
  return std::nullopt;
}

absl::StatusOr<int64_t> TimestampFrom(const Attribute& attribute) {
  if (const auto* s = std::get_if<std::string>(&attribute.value)) {
    auto parsed = ParseRfc3339(*s);
    if (parsed.ok()) return parsed;
  }
  if (std::optional<int64_t> nanos = EpochNanosOf(attribute.value)) {
    // The conversions saturate where int64 nanoseconds end.
    if (*nanos == INT64_MAX || *nanos == INT64_MIN) {
      return absl::InvalidArgumentError(
          StrCat(attribute.key, ": '", ValueText(attribute.value),
                 "' is out of range: times must lie between the years 1678 and 2261"));
    }
    return *nanos;
  }
  return absl::InvalidArgumentError(
      StrCat(attribute.key, ": '", ValueText(attribute.value),
             "' is not a time: use RFC 3339 (2026-11-24T21:30:00.123Z) or epoch "
             "seconds, milliseconds, microseconds or nanoseconds"));
}

// pino and bunyan write levels as numbers: 10 trace .. 60 fatal.
std::optional<Level> LevelFromNumber(int64_t n) {
  switch (n) {
    case 10:
      return Level::kTrace;
    case 20:
      return Level::kDebug;
    case 30:
      return Level::kInfo;
    case 40:
      return Level::kWarn;
    case 50:
      return Level::kError;
    case 60:
      return Level::kFatal;
    default:
      return std::nullopt;
  }
}

}  // namespace

absl::StatusOr<std::string> NormalizeSystemName(std::string_view text) {
  std::string name = ToLower(StripWhitespace(text));
  bool valid = !name.empty() && name.size() <= 64 && name[0] != '.';
  for (char c : name) {
    if (!(IsAsciiAlnum(c) || c == '-' || c == '_' || c == '.')) valid = false;
  }
  if (!valid) {
    return absl::InvalidArgumentError(
        StrCat("system: '", text, "' is not a system name (1-64 of a-z, 0-9, '-', '_', '.')"));
  }
  return name;
}

absl::StatusOr<LogRecord> NormalizeJsonDocument(simdjson::dom::element document,
                                                int64_t received_ns) {
  if (!document.is_object()) {
    return absl::InvalidArgumentError(
        StrCat("expected a JSON object, got ", document.is_array() ? "an array" : "a scalar"));
  }
  LogRecord record;
  record.observed_timestamp_ns = received_ns;
  record.timestamp_ns = received_ns;
  Flatten(document, "", &record.attributes);

  if (auto ts = TakeAttribute(&record.attributes, {field::kTimestamp, "timestamp"})) {
    auto parsed = TimestampFrom(*ts);
    if (!parsed.ok()) return parsed.status();
    record.timestamp_ns = *parsed;
  }
  if (auto level = TakeAttribute(&record.attributes, {field::kLevel, "level"})) {
    std::optional<Level> parsed;
    if (const auto* s = std::get_if<std::string>(&level->value)) parsed = ParseLevel(*s);
    if (const auto* n = std::get_if<int64_t>(&level->value)) parsed = LevelFromNumber(*n);
    if (parsed) {
      record.level = *parsed;
    } else {
      // Kept, not dropped: a level we do not know is still the sender's word.
      record.attributes.push_back({"log.level.original", ValueText(level->value)});
    }
  }
  if (auto message = TakeAttribute(&record.attributes, {field::kMessage, "msg"})) {
    record.message = ValueText(message->value);
  }
  if (auto system = TakeAttribute(&record.attributes, {field::kSystem})) {
    auto name = NormalizeSystemName(ValueText(system->value));
    if (!name.ok()) return name.status();
    record.system = *std::move(name);
  }
  if (auto service = TakeAttribute(&record.attributes, {field::kServiceName, "service"})) {
    record.service = ValueText(service->value);
  }
  return record;
}

}  // namespace mayak
