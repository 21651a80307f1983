#include "pipeline/normalize.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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

// The well-known fields, each under its canonical name or an alias.
enum WellKnown {
  kTimestampField,
  kLevelField,
  kMessageField,
  kSystemField,
  kServiceField,
  kWellKnown
};

// Which well-known field `key` names, and whether by its canonical name
// (preferred when a document has both).
std::optional<std::pair<WellKnown, bool>> WellKnownField(std::string_view key) {
  if (key == field::kTimestamp) return std::pair{kTimestampField, true};
  if (key == "timestamp") return std::pair{kTimestampField, false};
  if (key == field::kLevel) return std::pair{kLevelField, true};
  if (key == "level") return std::pair{kLevelField, false};
  if (key == field::kMessage) return std::pair{kMessageField, true};
  if (key == "msg") return std::pair{kMessageField, false};
  if (key == field::kSystem) return std::pair{kSystemField, true};
  if (key == field::kServiceName) return std::pair{kServiceField, true};
  if (key == "service") return std::pair{kServiceField, false};
  return std::nullopt;
}

// Takes the well-known fields out of `attributes` in one pass: for each,
// the first attribute under its canonical name, else the first under an
// alias. An alias next to the canonical name stays an attribute.
std::array<std::optional<Attribute>, kWellKnown> TakeWellKnown(std::vector<Attribute>* attributes) {
  constexpr size_t kNone = SIZE_MAX;
  std::array<size_t, kWellKnown> canonical;
  std::array<size_t, kWellKnown> alias;
  canonical.fill(kNone);
  alias.fill(kNone);
  for (size_t i = 0; i < attributes->size(); ++i) {
    const auto known = WellKnownField((*attributes)[i].key);
    if (!known) continue;
    size_t& slot = known->second ? canonical[known->first] : alias[known->first];
    if (slot == kNone) slot = i;
  }
  std::array<std::optional<Attribute>, kWellKnown> taken;
  std::array<size_t, kWellKnown> taken_index;
  size_t count = 0;
  for (size_t f = 0; f < kWellKnown; ++f) {
    const size_t i = canonical[f] != kNone ? canonical[f] : alias[f];
    if (i == kNone) continue;
    taken[f] = std::move((*attributes)[i]);
    taken_index[count++] = i;
  }
  if (count == 0) return taken;
  // Close the gaps, keeping the other attributes in order.
  auto* const taken_end = taken_index.begin() + static_cast<std::ptrdiff_t>(count);
  const size_t first = *std::min_element(taken_index.begin(), taken_end);
  size_t out = first;
  for (size_t i = first; i < attributes->size(); ++i) {
    if (std::find(taken_index.begin(), taken_end, i) != taken_end) continue;
    (*attributes)[out++] = std::move((*attributes)[i]);
  }
  attributes->resize(out);
  return taken;
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

// ValueText, moving the string out when the value is one.
std::string TakeText(AttributeValue* value) {
  if (auto* s = std::get_if<std::string>(value)) return std::move(*s);
  return ValueText(*value);
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

  auto well_known = TakeWellKnown(&record.attributes);
  if (auto& ts = well_known[kTimestampField]) {
    auto parsed = TimestampFrom(*ts);
    if (!parsed.ok()) return parsed.status();
    record.timestamp_ns = *parsed;
  }
  if (auto& level = well_known[kLevelField]) {
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
  if (auto& message = well_known[kMessageField]) {
    record.message = TakeText(&message->value);
  }
  if (auto& system = well_known[kSystemField]) {
    auto name = NormalizeSystemName(ValueText(system->value));
    if (!name.ok()) return name.status();
    record.system = *std::move(name);
  }
  if (auto& service = well_known[kServiceField]) {
    record.service = TakeText(&service->value);
  }
  return record;
}

}  // namespace mayak
