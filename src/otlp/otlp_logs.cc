#include "otlp/otlp_logs.h"

#include <bit>
#include <charconv>
#include <limits>
#include <optional>
#include <utility>

#include "common/json_writer.h"
#include "common/strings.h"
#include "otlp/protobuf_wire.h"
#include "pipeline/normalize.h"
#include "simdjson.h"

namespace mayak {
namespace {

using protobuf::WireReader;
using protobuf::WireType;

// Nested maps and arrays deeper than this are cut off (as JSON text "…"),
// so that no input can exhaust the stack.
constexpr int kMaxDepth = 16;

Level LevelFromSeverity(int64_t number, std::string_view text) {
  if (number >= 1 && number <= 24) {
    constexpr Level kLevels[] = {Level::kTrace, Level::kDebug, Level::kInfo,
                                 Level::kWarn,  Level::kError, Level::kFatal};
    return kLevels[(number - 1) / 4];
  }
  return ParseLevel(text).value_or(Level::kUnset);
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

bool AllZero(std::string_view bytes) {
  return bytes.find_first_not_of('\0') == std::string_view::npos;
}

std::string JoinKey(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : StrCat(prefix, ".", key);
}

// The resource's attributes and what they name.
struct ResourceContext {
  std::vector<Attribute> attributes;
};

std::string ValueText(const AttributeValue& value) {
  switch (value.index()) {
    case 0:
      return std::get<std::string>(value);
    case 1:
      return StrCat(std::get<int64_t>(value));
    case 2:
      return StrCat(std::get<double>(value));
    default:
      return std::get<bool>(value) ? "true" : "false";
  }
}

// Takes the body's attributes (decoded under the empty key) into the
// record: a scalar is the message; a map's fields become attributes, its
// message or msg the message.
void TakeBody(std::vector<Attribute> body, LogRecord* record) {
  if (body.size() == 1 && body[0].key.empty()) {
    record->message = ValueText(body[0].value);
    return;
  }
  for (Attribute& a : body) {
    if (record->message.empty() && (a.key == "message" || a.key == "msg") &&
        std::holds_alternative<std::string>(a.value)) {
      record->message = std::get<std::string>(std::move(a.value));
      continue;
    }
    record->attributes.push_back(std::move(a));
  }
}

// Completes a record: the resource's and scope's attributes (the record's
// own win), service, system. Returns why the record cannot be taken.
std::optional<std::string> Finish(const ResourceContext& resource,
                                  const std::vector<Attribute>& scope, LogRecord* record) {
  const auto has = [record](std::string_view key) { return record->FindAttribute(key) != nullptr; };
  for (const auto* list : {&scope, &resource.attributes}) {
    for (const Attribute& a : *list) {
      if (!has(a.key)) record->attributes.push_back(a);
    }
  }
  std::optional<std::string> system;
  for (auto it = record->attributes.begin(); it != record->attributes.end();) {
    if (it->key == field::kServiceName && std::holds_alternative<std::string>(it->value)) {
      record->service = std::get<std::string>(it->value);
      it = record->attributes.erase(it);
      continue;
    }
    if ((it->key == "mayak.system" || it->key == field::kSystem) &&
        std::holds_alternative<std::string>(it->value)) {
      if (!system) system = std::get<std::string>(it->value);
      it = record->attributes.erase(it);
      continue;
    }
    ++it;
  }
  if (system) {
    auto name = NormalizeSystemName(*system);
    if (!name.ok()) return std::string(name.status().message());
    record->system = *std::move(name);
  } else if (!record->service.empty()) {
    auto name = NormalizeSystemName(record->service);
    if (name.ok()) record->system = *std::move(name);
  }
  return std::nullopt;
}

// A time in nanoseconds as the record keeps it; nullopt past int64.
std::optional<int64_t> TimeNs(uint64_t ns) {
  if (ns > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return static_cast<int64_t>(ns);
}

// What both decoders read of one log record, besides its attributes.
struct RecordParts {
  std::vector<Attribute> body;  // under the empty key for a scalar body
  int64_t severity = 0;
  std::string_view severity_text;
  uint64_t time = 0;
  uint64_t observed = 0;
};

// Completes a decoded record and adds it to `out`, or counts it rejected
// with the reason.
void Complete(RecordParts parts, LogRecord record, int64_t received_ns,
              const ResourceContext& resource, const std::vector<Attribute>& scope,
              OtlpLogsBatch* out) {
  const auto reject = [out](std::string why) {
    if (out->rejected++ == 0) out->first_error = std::move(why);
  };
  TakeBody(std::move(parts.body), &record);
  record.level = LevelFromSeverity(parts.severity, parts.severity_text);
  const auto when = TimeNs(parts.time != 0 ? parts.time : parts.observed);
  if (!when) return reject("the record's time is past the year 2262");
  record.timestamp_ns = parts.time != 0 || parts.observed != 0 ? *when : received_ns;
  record.observed_timestamp_ns = received_ns;
  if (auto why = Finish(resource, scope, &record)) return reject(*why);
  out->records.push_back(std::move(record));
}

// ---- protobuf ------------------------------------------------------------

class ProtobufDecoder {
 public:
  ProtobufDecoder(int64_t received_ns, OtlpLogsBatch* out) : received_ns_(received_ns), out_(out) {}

  absl::Status Request(std::string_view body) {
    WireReader r(body);
    uint32_t field = 0;
    WireType type{};
    while (r.Next(&field, &type)) {
      if (field == 1 && type == WireType::kLengthDelimited) {
        const std::string_view bytes = r.Bytes();
        if (r.ok()) ResourceLogs(r.Nested(bytes));
      } else {
        r.Skip(type);
      }
    }
    Check(r);
    return error_;
  }

 private:
  void Check(const WireReader& r) {
    if (!r.ok() && error_.ok()) error_ = r.status();
  }

  // Calls `fn(field, type)` for every field of `r`; a field it does not take
  // (returns false) is skipped. Errors are kept.
  template <typename Fn>
  void ForEachField(WireReader& r, Fn&& fn) {
    uint32_t field = 0;
    WireType type{};
    while (r.Next(&field, &type)) {
      if (!fn(field, type)) r.Skip(type);
    }
    Check(r);
  }

  // Reads a length-delimited field's reader, or records a wire-type error.
  static std::optional<WireReader> Message(WireReader& r, WireType type, std::string_view what) {
    if (type != WireType::kLengthDelimited) {
      r.Fail(StrCat(what, " is not length-delimited"));
      return std::nullopt;
    }
    const std::string_view bytes = r.Bytes();
    if (!r.ok()) return std::nullopt;
    return r.Nested(bytes);
  }

  void ResourceLogs(WireReader r) {
    ResourceContext resource;
    std::vector<WireReader> scopes;
    ForEachField(r, [&](uint32_t field, WireType type) {
      if (field == 1) {
        if (auto m = Message(r, type, "resource")) Resource(*m, &resource);
      } else if (field == 2) {
        if (auto m = Message(r, type, "scope_logs")) scopes.push_back(*m);
      }
      return field == 1 || field == 2;
    });
    for (WireReader& scope : scopes) ScopeLogs(scope, resource);
  }

  void Resource(WireReader r, ResourceContext* resource) {
    ForEachField(r, [&](uint32_t field, WireType type) {
      if (field != 1) return false;
      if (auto m = Message(r, type, "an attribute")) KeyValue(*m, "", &resource->attributes, 0);
      return true;
    });
  }

  void ScopeLogs(WireReader r, const ResourceContext& resource) {
    std::vector<Attribute> scope;
    std::vector<WireReader> records;
    ForEachField(r, [&](uint32_t field, WireType type) {
      if (field == 1) {
        if (auto m = Message(r, type, "scope")) Scope(*m, &scope);
      } else if (field == 2) {
        if (auto m = Message(r, type, "log_records")) records.push_back(*m);
      }
      return field == 1 || field == 2;
    });
    for (WireReader& record : records) Record(record, resource, scope);
  }

  void Scope(WireReader r, std::vector<Attribute>* scope) {
    ForEachField(r, [&](uint32_t field, WireType type) {
      if (field == 1 && type == WireType::kLengthDelimited) {
        const std::string_view name = r.Bytes();
        if (!name.empty()) scope->push_back({"otel.scope.name", std::string(name)});
        return true;
      }
      if (field != 3) return false;
      if (auto m = Message(r, type, "a scope attribute")) KeyValue(*m, "", scope, 0);
      return true;
    });
  }

  void Record(WireReader r, const ResourceContext& resource, const std::vector<Attribute>& scope) {
    LogRecord record;
    RecordParts parts;
    uint32_t field = 0;
    WireType type{};
    while (r.Next(&field, &type)) {
      if (field == 1 && type == WireType::kFixed64) {
        parts.time = r.Fixed64();
      } else if (field == 11 && type == WireType::kFixed64) {
        parts.observed = r.Fixed64();
      } else if (field == 2 && type == WireType::kVarint) {
        parts.severity = static_cast<int64_t>(r.Varint());
      } else if (field == 3 && type == WireType::kLengthDelimited) {
        parts.severity_text = r.Bytes();
      } else if (field == 5) {
        if (auto m = Message(r, type, "body")) AnyValue(*m, "", &parts.body, 0);
      } else if (field == 6) {
        if (auto m = Message(r, type, "an attribute")) KeyValue(*m, "", &record.attributes, 0);
      } else if ((field == 9 || field == 10) && type == WireType::kLengthDelimited) {
        const std::string_view id = r.Bytes();
        if (!id.empty() && !AllZero(id)) {
          record.attributes.push_back(
              {std::string(field == 9 ? field::kTraceId : field::kSpanId), Hex(id)});
        }
      } else if (field == 12 && type == WireType::kLengthDelimited) {
        const std::string_view name = r.Bytes();
        if (!name.empty()) record.attributes.push_back({"event.name", std::string(name)});
      } else {
        r.Skip(type);
      }
    }
    Check(r);
    if (!r.ok()) return;
    Complete(std::move(parts), std::move(record), received_ns_, resource, scope, out_);
  }

  void KeyValue(WireReader r, std::string_view prefix, std::vector<Attribute>* out, int depth) {
    std::string_view key;
    std::optional<WireReader> value;
    ForEachField(r, [&](uint32_t field, WireType type) {
      if (field == 1 && type == WireType::kLengthDelimited) {
        key = r.Bytes();
      } else if (field == 2) {
        value = Message(r, type, "a value");
      } else {
        return false;
      }
      return true;
    });
    if (r.ok() && value && !key.empty()) AnyValue(*value, JoinKey(prefix, key), out, depth);
  }

  void AnyValue(WireReader r, const std::string& key, std::vector<Attribute>* out, int depth) {
    uint32_t field = 0;
    WireType type{};
    while (r.Next(&field, &type)) {
      if (field == 1 && type == WireType::kLengthDelimited) {
        out->push_back({key, std::string(r.Bytes())});
      } else if (field == 2 && type == WireType::kVarint) {
        out->push_back({key, r.Varint() != 0});
      } else if (field == 3 && type == WireType::kVarint) {
        out->push_back({key, static_cast<int64_t>(r.Varint())});
      } else if (field == 4 && type == WireType::kFixed64) {
        out->push_back({key, std::bit_cast<double>(r.Fixed64())});
      } else if (field == 5) {
        if (auto m = Message(r, type, "an array")) {
          std::string json;
          JsonWriter writer(&json);
          ArrayJson(*m, &writer, depth + 1);
          out->push_back({key, std::move(json)});
        }
      } else if (field == 6) {
        if (auto m = Message(r, type, "a map")) {
          if (depth >= kMaxDepth) {
            m->Fail("maps nested too deep");
            Check(*m);
            continue;
          }
          ForEachField(*m, [&](uint32_t inner, WireType inner_type) {
            if (inner != 1) return false;
            if (auto kv = Message(*m, inner_type, "a map entry")) {
              KeyValue(*kv, key, out, depth + 1);
            }
            return true;
          });
        }
      } else if (field == 7 && type == WireType::kLengthDelimited) {
        out->push_back({key, Hex(r.Bytes())});
      } else {
        r.Skip(type);
      }
    }
    Check(r);
  }

  void ArrayJson(WireReader r, JsonWriter* json, int depth) {
    json->BeginArray();
    uint32_t field = 0;
    WireType type{};
    while (r.Next(&field, &type)) {
      if (field != 1) {
        r.Skip(type);
        continue;
      }
      auto m = Message(r, type, "an array value");
      if (!m) break;
      if (depth >= kMaxDepth) {
        m->Fail("arrays nested too deep");
        Check(*m);
        break;
      }
      std::vector<Attribute> value;
      // Scalars and maps through AnyValue; nested arrays written in place.
      AnyValue(*m, "", &value, depth);
      if (value.size() == 1 && value[0].key.empty()) {
        const AttributeValue& v = value[0].value;
        switch (v.index()) {
          case 0:
            json->String(std::get<std::string>(v));
            break;
          case 1:
            json->Int(std::get<int64_t>(v));
            break;
          case 2:
            json->Double(std::get<double>(v));
            break;
          default:
            json->Bool(std::get<bool>(v));
        }
      } else if (!value.empty() && value[0].key.empty()) {
        json->Raw(std::get<std::string>(value[0].value));  // an array's JSON
      } else {
        json->BeginObject();
        for (const Attribute& a : value) {
          json->Key(a.key).String(ValueText(a.value));
        }
        json->EndObject();
      }
    }
    Check(r);
    json->EndArray();
  }

  int64_t received_ns_;
  OtlpLogsBatch* out_;
  absl::Status error_;
};

// ---- JSON ----------------------------------------------------------------

class JsonDecoder {
 public:
  JsonDecoder(int64_t received_ns, OtlpLogsBatch* out) : received_ns_(received_ns), out_(out) {}

  absl::Status Request(std::string_view body) {
    simdjson::dom::parser parser;
    simdjson::dom::object root;
    if (auto error = parser.parse(body.data(), body.size()).get_object().get(root)) {
      return absl::InvalidArgumentError(
          StrCat("the body is not a JSON object: ", simdjson::error_message(error)));
    }
    simdjson::dom::array resources;
    if (root["resourceLogs"].get_array().get(resources) != simdjson::SUCCESS) {
      if (root["resourceLogs"].error() == simdjson::NO_SUCH_FIELD) return absl::OkStatus();
      return absl::InvalidArgumentError("resourceLogs must be an array");
    }
    for (simdjson::dom::element resource_logs : resources) {
      ResourceContext resource;
      simdjson::dom::array attributes;
      if (resource_logs["resource"]["attributes"].get_array().get(attributes) ==
          simdjson::SUCCESS) {
        Attributes(attributes, "", &resource.attributes, 0);
      }
      simdjson::dom::array scopes;
      if (resource_logs["scopeLogs"].get_array().get(scopes) == simdjson::SUCCESS) {
        for (simdjson::dom::element scope_logs : scopes) ScopeLogs(scope_logs, resource);
      }
    }
    return absl::OkStatus();
  }

 private:
  void ScopeLogs(simdjson::dom::element scope_logs, const ResourceContext& resource) {
    std::vector<Attribute> scope;
    std::string_view name;
    if (scope_logs["scope"]["name"].get_string().get(name) == simdjson::SUCCESS && !name.empty()) {
      scope.push_back({"otel.scope.name", std::string(name)});
    }
    simdjson::dom::array scope_attributes;
    if (scope_logs["scope"]["attributes"].get_array().get(scope_attributes) == simdjson::SUCCESS) {
      Attributes(scope_attributes, "", &scope, 0);
    }
    simdjson::dom::array records;
    if (scope_logs["logRecords"].get_array().get(records) != simdjson::SUCCESS) return;
    for (simdjson::dom::element record : records) Record(record, resource, scope);
  }

  // A 64-bit number written as a string of digits (as OTLP/JSON does) or
  // as a JSON number.
  static std::optional<uint64_t> Unsigned(simdjson::dom::element e) {
    uint64_t n = 0;
    if (e.get_uint64().get(n) == simdjson::SUCCESS) return n;
    std::string_view text;
    if (e.get_string().get(text) != simdjson::SUCCESS) return std::nullopt;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return n;
  }

  void Record(simdjson::dom::element e, const ResourceContext& resource,
              const std::vector<Attribute>& scope) {
    LogRecord record;
    RecordParts parts;
    for (auto [key, target] :
         {std::pair{"timeUnixNano", &parts.time}, {"observedTimeUnixNano", &parts.observed}}) {
      simdjson::dom::element value;
      if (e[key].get(value) != simdjson::SUCCESS) continue;
      auto n = Unsigned(value);
      if (!n) return Reject(StrCat(key, " must be a number of nanoseconds"));
      *target = *n;
    }
    if (e["severityNumber"].get_int64().get(parts.severity) != simdjson::SUCCESS) {
      parts.severity = 0;
    }
    if (e["severityText"].get_string().get(parts.severity_text) != simdjson::SUCCESS) {
      parts.severity_text = {};
    }
    simdjson::dom::object body;
    if (e["body"].get_object().get(body) == simdjson::SUCCESS) AnyValue(body, "", &parts.body, 0);
    simdjson::dom::array attributes;
    if (e["attributes"].get_array().get(attributes) == simdjson::SUCCESS) {
      Attributes(attributes, "", &record.attributes, 0);
    }
    for (auto [key, name] : {std::pair{"traceId", field::kTraceId}, {"spanId", field::kSpanId}}) {
      std::string_view id;
      if (e[key].get_string().get(id) != simdjson::SUCCESS || id.empty()) continue;
      if (id.find_first_not_of('0') == std::string_view::npos) continue;
      record.attributes.push_back({std::string(name), ToLower(id)});
    }
    std::string_view event_name;
    if (e["eventName"].get_string().get(event_name) == simdjson::SUCCESS && !event_name.empty()) {
      record.attributes.push_back({"event.name", std::string(event_name)});
    }
    Complete(std::move(parts), std::move(record), received_ns_, resource, scope, out_);
  }

  void Reject(std::string why) {
    if (out_->rejected++ == 0) out_->first_error = std::move(why);
  }

  // An AnyValue ({"stringValue": "a"}, {"arrayValue": {"values": [...]}},
  // ...) as the plain JSON value it stands for.
  static void PlainJson(simdjson::dom::object value, JsonWriter* json, int depth) {
    std::string_view text;
    bool flag = false;
    double number = 0;
    int64_t integer = 0;
    simdjson::dom::element e;
    simdjson::dom::array values;
    if (value["stringValue"].get_string().get(text) == simdjson::SUCCESS ||
        value["bytesValue"].get_string().get(text) == simdjson::SUCCESS) {
      json->String(text);
    } else if (value["boolValue"].get_bool().get(flag) == simdjson::SUCCESS) {
      json->Bool(flag);
    } else if (value["intValue"].get(e) == simdjson::SUCCESS) {
      if (e.get_int64().get(integer) == simdjson::SUCCESS ||
          (e.get_string().get(text) == simdjson::SUCCESS &&
           std::from_chars(text.data(), text.data() + text.size(), integer).ec == std::errc())) {
        json->Int(integer);
      } else {
        json->Null();
      }
    } else if (value["doubleValue"].get_double().get(number) == simdjson::SUCCESS) {
      json->Double(number);
    } else if (depth < kMaxDepth &&
               value["arrayValue"]["values"].get_array().get(values) == simdjson::SUCCESS) {
      json->BeginArray();
      for (simdjson::dom::element item : values) {
        simdjson::dom::object inner;
        if (item.get_object().get(inner) == simdjson::SUCCESS) {
          PlainJson(inner, json, depth + 1);
        } else {
          json->Null();
        }
      }
      json->EndArray();
    } else if (depth < kMaxDepth &&
               value["kvlistValue"]["values"].get_array().get(values) == simdjson::SUCCESS) {
      json->BeginObject();
      for (simdjson::dom::element kv : values) {
        std::string_view k;
        simdjson::dom::object inner;
        if (kv["key"].get_string().get(k) != simdjson::SUCCESS) continue;
        json->Key(k);
        if (kv["value"].get_object().get(inner) == simdjson::SUCCESS) {
          PlainJson(inner, json, depth + 1);
        } else {
          json->Null();
        }
      }
      json->EndObject();
    } else if (value["arrayValue"].error() == simdjson::SUCCESS) {
      json->BeginArray().EndArray();
    } else {
      json->Null();
    }
  }

  void Attributes(simdjson::dom::array list, std::string_view prefix, std::vector<Attribute>* out,
                  int depth) {
    for (simdjson::dom::element kv : list) {
      std::string_view key;
      simdjson::dom::object value;
      if (kv["key"].get_string().get(key) != simdjson::SUCCESS || key.empty()) continue;
      if (kv["value"].get_object().get(value) != simdjson::SUCCESS) continue;
      AnyValue(value, JoinKey(prefix, key), out, depth);
    }
  }

  void AnyValue(simdjson::dom::object value, const std::string& key, std::vector<Attribute>* out,
                int depth) {
    std::string_view text;
    bool flag = false;
    double number = 0;
    simdjson::dom::element e;
    // bytesValue: base64, kept as sent.
    if (value["stringValue"].get_string().get(text) == simdjson::SUCCESS ||
        value["bytesValue"].get_string().get(text) == simdjson::SUCCESS) {
      out->push_back({key, std::string(text)});
    } else if (value["boolValue"].get_bool().get(flag) == simdjson::SUCCESS) {
      out->push_back({key, flag});
    } else if (value["intValue"].get(e) == simdjson::SUCCESS) {
      // A string of digits, as OTLP/JSON writes int64, or a number.
      int64_t n = 0;
      std::string_view digits;
      const bool parsed =
          e.get_int64().get(n) == simdjson::SUCCESS ||
          (e.get_string().get(digits) == simdjson::SUCCESS &&
           std::from_chars(digits.data(), digits.data() + digits.size(), n).ec == std::errc());
      if (parsed) out->push_back({key, n});
    } else if (value["doubleValue"].get_double().get(number) == simdjson::SUCCESS) {
      out->push_back({key, number});
    } else if (value["arrayValue"].get(e) == simdjson::SUCCESS) {
      // Kept as JSON text of the plain values, as from protobuf: ["a",1].
      std::string json;
      JsonWriter writer(&json);
      PlainJson(value, &writer, depth);
      out->push_back({key, std::move(json)});
    } else if (value["kvlistValue"].get(e) == simdjson::SUCCESS) {
      simdjson::dom::array values;
      if (depth < kMaxDepth && e["values"].get_array().get(values) == simdjson::SUCCESS) {
        Attributes(values, key, out, depth + 1);
      }
    }
  }

  int64_t received_ns_;
  OtlpLogsBatch* out_;
};

}  // namespace

absl::StatusOr<OtlpLogsBatch> DecodeOtlpLogsProtobuf(std::string_view body, int64_t received_ns) {
  OtlpLogsBatch batch;
  ProtobufDecoder decoder(received_ns, &batch);
  if (absl::Status status = decoder.Request(body); !status.ok()) return status;
  return batch;
}

absl::StatusOr<OtlpLogsBatch> DecodeOtlpLogsJson(std::string_view body, int64_t received_ns) {
  OtlpLogsBatch batch;
  JsonDecoder decoder(received_ns, &batch);
  if (absl::Status status = decoder.Request(body); !status.ok()) return status;
  return batch;
}

std::string EncodeExportLogsResponseProtobuf(uint64_t rejected, std::string_view message) {
  if (rejected == 0) return "";
  std::string partial;
  protobuf::PutVarintField(&partial, 1, rejected);
  if (!message.empty()) protobuf::PutBytesField(&partial, 2, message);
  std::string out;
  protobuf::PutBytesField(&out, 1, partial);
  return out;
}

std::string EncodeExportLogsResponseJson(uint64_t rejected, std::string_view message) {
  if (rejected == 0) return "{}";
  std::string out;
  JsonWriter json(&out);
  json.BeginObject().Key("partialSuccess").BeginObject();
  json.Key("rejectedLogRecords").String(StrCat(rejected));
  json.Key("errorMessage").String(message);
  json.EndObject().EndObject();
  return out;
}

std::string EncodeRpcStatusProtobuf(int code, std::string_view message) {
  std::string out;
  protobuf::PutVarintField(&out, 1, static_cast<uint64_t>(code));
  protobuf::PutBytesField(&out, 2, message);
  return out;
}

}  // namespace mayak
