#include "model/span.h"

#include <algorithm>
#include <utility>

#include "common/json_writer.h"
#include "common/strings.h"
#include "model/record_json.h"
#include "simdjson.h"

namespace mayak {
namespace {

constexpr std::string_view kKindNames[] = {"",       "internal", "server",
                                           "client", "producer", "consumer"};

// A value in the JSON of events and links, typed so that it reads back as
// the same type: a whole double keeps a ".0" (JSON has one number type).
void WriteTypedValue(const AttributeValue& value, JsonWriter* json) {
  if (const double* d = std::get_if<double>(&value)) {
    std::string text = FormatDouble(*d);
    if (text.find_first_of(".eEn") == std::string::npos) {
      json->Raw(text + ".0");
      return;
    }
  }
  WriteValueJson(value, json);
}

void WriteAttributes(const std::vector<Attribute>& attributes, JsonWriter* json) {
  json->BeginObject();
  for (const Attribute& a : attributes) {
    json->Key(a.key);
    WriteTypedValue(a.value, json);
  }
  json->EndObject();
}

std::string EventsJson(const std::vector<SpanEvent>& events) {
  std::string out;
  JsonWriter json(&out);
  json.BeginArray();
  for (const SpanEvent& e : events) {
    json.BeginObject().Key("time").Int(e.time_ns).Key("name").String(e.name);
    if (!e.attributes.empty()) {
      json.Key("attributes");
      WriteAttributes(e.attributes, &json);
    }
    json.EndObject();
  }
  json.EndArray();
  return out;
}

std::string LinksJson(const std::vector<SpanLink>& links) {
  std::string out;
  JsonWriter json(&out);
  json.BeginArray();
  for (const SpanLink& l : links) {
    json.BeginObject().Key("trace.id").String(l.trace_id).Key("span.id").String(l.span_id);
    if (!l.attributes.empty()) {
      json.Key("attributes");
      WriteAttributes(l.attributes, &json);
    }
    json.EndObject();
  }
  json.EndArray();
  return out;
}

std::string KeysJson(const std::vector<Attribute>& attributes) {
  std::string out;
  JsonWriter json(&out);
  json.BeginArray();
  for (const Attribute& a : attributes) json.String(a.key);
  json.EndArray();
  return out;
}

absl::Status ReadAttributes(simdjson::dom::element e, std::vector<Attribute>* out) {
  simdjson::dom::object object;
  if (e.get_object().get(object) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("attributes must be an object");
  }
  for (auto [key, value] : object) {
    int64_t i = 0;
    double d = 0;
    bool b = false;
    std::string_view s;
    if (value.get_string().get(s) == simdjson::SUCCESS) {
      out->push_back({std::string(key), std::string(s)});
    } else if (value.is_int64() && value.get_int64().get(i) == simdjson::SUCCESS) {
      out->push_back({std::string(key), i});
    } else if (value.get_bool().get(b) == simdjson::SUCCESS) {
      out->push_back({std::string(key), b});
    } else if (value.get_double().get(d) == simdjson::SUCCESS) {
      out->push_back({std::string(key), d});
    } else {
      return absl::InvalidArgumentError(StrCat("attribute '", key, "' has no scalar value"));
    }
  }
  return absl::OkStatus();
}

// Parses the JSON array stored in `field`, calling `item(element)` for each.
template <typename Fn>
absl::Status ReadArray(std::string_view field, std::string_view text, Fn&& item) {
  simdjson::dom::parser parser;
  simdjson::dom::array array;
  if (parser.parse(text.data(), text.size()).get_array().get(array) != simdjson::SUCCESS) {
    return absl::DataLossError(StrCat(field, " is not a JSON array"));
  }
  for (simdjson::dom::element e : array) {
    if (absl::Status s = item(e); !s.ok()) {
      return absl::DataLossError(StrCat(field, ": ", s.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadEvent(simdjson::dom::element e, std::vector<SpanEvent>* out) {
  SpanEvent event;
  std::string_view name;
  if (e["time"].get_int64().get(event.time_ns) != simdjson::SUCCESS ||
      e["name"].get_string().get(name) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("an event lacks its time or name");
  }
  event.name = std::string(name);
  simdjson::dom::element attributes;
  if (e["attributes"].get(attributes) == simdjson::SUCCESS) {
    if (absl::Status s = ReadAttributes(attributes, &event.attributes); !s.ok()) return s;
  }
  out->push_back(std::move(event));
  return absl::OkStatus();
}

absl::Status ReadLink(simdjson::dom::element e, std::vector<SpanLink>* out) {
  SpanLink link;
  std::string_view trace_id;
  std::string_view span_id;
  if (e["trace.id"].get_string().get(trace_id) != simdjson::SUCCESS ||
      e["span.id"].get_string().get(span_id) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("a link lacks its trace.id or span.id");
  }
  link.trace_id = std::string(trace_id);
  link.span_id = std::string(span_id);
  simdjson::dom::element attributes;
  if (e["attributes"].get(attributes) == simdjson::SUCCESS) {
    if (absl::Status s = ReadAttributes(attributes, &link.attributes); !s.ok()) return s;
  }
  out->push_back(std::move(link));
  return absl::OkStatus();
}

}  // namespace

std::string_view SpanKindName(SpanKind kind) {
  const auto i = static_cast<size_t>(kind);
  return i < std::size(kKindNames) ? kKindNames[i] : "";
}

SpanKind ParseSpanKind(std::string_view name) {
  const std::string lower = ToLower(name);
  for (size_t i = 1; i < std::size(kKindNames); ++i) {
    if (lower == kKindNames[i]) return static_cast<SpanKind>(i);
  }
  return SpanKind::kUnspecified;
}

bool IsSpanIdentifier(std::string_view id, size_t hex_digits) {
  if (id.size() != hex_digits) return false;
  bool nonzero = false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    nonzero |= c != '0';
  }
  return nonzero;
}

LogRecord SpanToRecord(Span span, int64_t observed_ns) {
  LogRecord record;
  record.timestamp_ns = span.start_ns;
  record.observed_timestamp_ns = observed_ns;
  record.level = span.status == SpanStatus::kError ? Level::kError : Level::kInfo;
  record.message = std::move(span.name);
  record.system = std::move(span.system);
  record.service = std::move(span.service);
  auto& a = record.attributes;
  a.reserve(span.attributes.size() + span.resource.size() + 10);
  a.push_back({std::string(field::kTraceId), std::move(span.trace_id)});
  a.push_back({std::string(field::kSpanId), std::move(span.span_id)});
  if (!span.parent_span_id.empty()) {
    a.push_back({std::string(field::kParentId), std::move(span.parent_span_id)});
  }
  if (span.kind != SpanKind::kUnspecified) {
    a.push_back({std::string(field::kSpanKind), std::string(SpanKindName(span.kind))});
  }
  a.push_back({std::string(field::kEventDuration), span.duration_ns});
  if (span.status != SpanStatus::kUnset) {
    a.push_back({std::string(field::kStatusCode), span.status == SpanStatus::kOk ? "OK" : "ERROR"});
  }
  if (!span.status_message.empty()) {
    a.push_back({std::string(field::kStatusDescription), std::move(span.status_message)});
  }
  if (!span.events.empty()) a.push_back({std::string(field::kSpanEvents), EventsJson(span.events)});
  if (!span.links.empty()) a.push_back({std::string(field::kSpanLinks), LinksJson(span.links)});
  const size_t fixed = a.size();
  const auto taken = [&a, fixed](std::string_view key) {
    return std::any_of(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(fixed),
                       [key](const Attribute& x) { return x.key == key; });
  };
  // The span's own attributes, then the resource's where the span has none
  // of that name; a field of the row's own (trace.id, ...) is never
  // overwritten by either.
  for (Attribute& x : span.attributes) {
    if (!taken(x.key)) a.push_back(std::move(x));
  }
  std::vector<Attribute> resource;
  for (Attribute& x : span.resource) {
    if (taken(x.key) || record.FindAttribute(x.key) != nullptr) continue;
    resource.push_back(std::move(x));
  }
  if (!resource.empty()) {
    a.push_back({std::string(field::kSpanResourceKeys), KeysJson(resource)});
    for (Attribute& x : resource) a.push_back(std::move(x));
  }
  return record;
}

absl::StatusOr<Span> SpanFromRecord(const LogRecord& record) {
  Span span;
  span.start_ns = record.timestamp_ns;
  span.name = record.message;
  span.system = record.system;
  span.service = record.service;
  std::vector<std::string> resource_keys;
  for (const Attribute& a : record.attributes) {
    const std::string* text = std::get_if<std::string>(&a.value);
    if (a.key == field::kTraceId && text != nullptr) {
      span.trace_id = *text;
    } else if (a.key == field::kSpanId && text != nullptr) {
      span.span_id = *text;
    } else if (a.key == field::kParentId && text != nullptr) {
      span.parent_span_id = *text;
    } else if (a.key == field::kSpanKind && text != nullptr) {
      span.kind = ParseSpanKind(*text);
    } else if (a.key == field::kEventDuration && std::holds_alternative<int64_t>(a.value)) {
      span.duration_ns = std::get<int64_t>(a.value);
    } else if (a.key == field::kStatusCode && text != nullptr) {
      span.status = *text == "ERROR" ? SpanStatus::kError
                    : *text == "OK"  ? SpanStatus::kOk
                                     : SpanStatus::kUnset;
    } else if (a.key == field::kStatusDescription && text != nullptr) {
      span.status_message = *text;
    } else if (a.key == field::kSpanEvents && text != nullptr) {
      absl::Status s = ReadArray(
          a.key, *text, [&span](simdjson::dom::element e) { return ReadEvent(e, &span.events); });
      if (!s.ok()) return s;
    } else if (a.key == field::kSpanLinks && text != nullptr) {
      absl::Status s = ReadArray(
          a.key, *text, [&span](simdjson::dom::element e) { return ReadLink(e, &span.links); });
      if (!s.ok()) return s;
    } else if (a.key == field::kSpanResourceKeys && text != nullptr) {
      absl::Status s = ReadArray(a.key, *text, [&resource_keys](simdjson::dom::element e) {
        std::string_view key;
        if (e.get_string().get(key) != simdjson::SUCCESS) {
          return absl::InvalidArgumentError("a key is not a string");
        }
        resource_keys.emplace_back(key);
        return absl::OkStatus();
      });
      if (!s.ok()) return s;
    } else {
      span.attributes.push_back(a);
    }
  }
  if (span.trace_id.empty() || span.span_id.empty()) {
    return absl::DataLossError("the row is not a span: it has no trace.id or span.id");
  }
  // Stored rows keep fields in column order, not as written: the resource's
  // are found by the list of their keys.
  for (auto it = span.attributes.begin(); it != span.attributes.end();) {
    if (std::find(resource_keys.begin(), resource_keys.end(), it->key) != resource_keys.end()) {
      span.resource.push_back(std::move(*it));
      it = span.attributes.erase(it);
    } else {
      ++it;
    }
  }
  return span;
}

}  // namespace mayak
