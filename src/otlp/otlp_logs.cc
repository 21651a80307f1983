#include "otlp/otlp_logs.h"

#include <limits>
#include <optional>
#include <utility>

#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "otlp/otlp_common.h"
#include "otlp/protobuf_wire.h"
#include "pipeline/normalize.h"
#include "simdjson.h"

namespace mayak {
namespace {

using otlp::ValueText;
using protobuf::WireReader;
using protobuf::WireType;

Level LevelFromSeverity(int64_t number, std::string_view text) {
  if (number >= 1 && number <= 24) {
    constexpr Level kLevels[] = {Level::kTrace, Level::kDebug, Level::kInfo,
                                 Level::kWarn,  Level::kError, Level::kFatal};
    return kLevels[(number - 1) / 4];
  }
  return ParseLevel(text).value_or(Level::kUnset);
}

// The resource's attributes and what they name.
struct ResourceContext {
  std::vector<Attribute> attributes;
};

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

class ProtobufDecoder : private otlp::ProtobufMessageReader {
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
  void ResourceLogs(WireReader r) {
    ResourceContext resource;
    std::vector<WireReader> scopes;
    ForEachField(r, [&](uint32_t field, WireType type) {
      if (field == 1) {
        if (auto m = Message(r, type, "resource")) Resource(*m, &resource.attributes);
      } else if (field == 2) {
        if (auto m = Message(r, type, "scope_logs")) scopes.push_back(*m);
      }
      return field == 1 || field == 2;
    });
    for (WireReader& scope : scopes) ScopeLogs(scope, resource);
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
        if (!id.empty() && !otlp::AllZero(id)) {
          record.attributes.push_back(
              {std::string(field == 9 ? field::kTraceId : field::kSpanId), otlp::Hex(id)});
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

  int64_t received_ns_;
  OtlpLogsBatch* out_;
};

// ---- JSON ----------------------------------------------------------------

class JsonDecoder {
 public:
  JsonDecoder(int64_t received_ns, OtlpLogsBatch* out) : received_ns_(received_ns), out_(out) {}

  absl::Status Request(std::string_view body) {
    simdjson::dom::parser parser;
    simdjson::dom::array resources;
    RETURN_IF_ERROR(otlp::json::ResourceList(parser, body, "resourceLogs", &resources));
    for (simdjson::dom::element resource_logs : resources) {
      ResourceContext resource;
      otlp::json::ResourceAttributes(resource_logs, &resource.attributes);
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
    otlp::json::ScopeAttributes(scope_logs, &scope);
    simdjson::dom::array records;
    if (scope_logs["logRecords"].get_array().get(records) != simdjson::SUCCESS) return;
    for (simdjson::dom::element record : records) Record(record, resource, scope);
  }

  void Record(simdjson::dom::element e, const ResourceContext& resource,
              const std::vector<Attribute>& scope) {
    LogRecord record;
    RecordParts parts;
    for (auto [key, target] :
         {std::pair{"timeUnixNano", &parts.time}, {"observedTimeUnixNano", &parts.observed}}) {
      simdjson::dom::element value;
      if (e[key].get(value) != simdjson::SUCCESS) continue;
      auto n = otlp::json::Unsigned(value);
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
    if (e["body"].get_object().get(body) == simdjson::SUCCESS)
      otlp::json::AnyValue(body, "", &parts.body, 0);
    simdjson::dom::array attributes;
    if (e["attributes"].get_array().get(attributes) == simdjson::SUCCESS) {
      otlp::json::Attributes(attributes, "", &record.attributes, 0);
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
  return otlp::EncodePartialSuccessProtobuf(rejected, message);
}

std::string EncodeExportLogsResponseJson(uint64_t rejected, std::string_view message) {
  return otlp::EncodePartialSuccessJson("rejectedLogRecords", rejected, message);
}

std::string EncodeRpcStatusProtobuf(int code, std::string_view message) {
  std::string out;
  protobuf::PutVarintField(&out, 1, static_cast<uint64_t>(code));
  protobuf::PutBytesField(&out, 2, message);
  return out;
}

}  // namespace mayak
