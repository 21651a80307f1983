#include "otlp/otlp_traces.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "otlp/otlp_common.h"
#include "otlp/protobuf_wire.h"
#include "pipeline/span_system.h"
#include "simdjson.h"

namespace mayak {
namespace {

using protobuf::WireReader;
using protobuf::WireType;

// What both decoders read of one span before it is checked and completed.
struct SpanParts {
  Span span;
  uint64_t start = 0;
  uint64_t end = 0;
};

// Checks a decoded span and completes it with its resource and scope:
// service, system, resource attributes. Returns why it cannot be taken.
std::optional<std::string> Complete(SpanParts* parts, const std::vector<Attribute>& resource,
                                    const std::vector<Attribute>& scope) {
  Span& span = parts->span;
  if (!IsSpanIdentifier(span.trace_id, 32)) {
    return StrCat("span '", span.name, "': trace_id must be 16 bytes, not all zero");
  }
  if (!IsSpanIdentifier(span.span_id, 16)) {
    return StrCat("span '", span.name, "': span_id must be 8 bytes, not all zero");
  }
  if (!span.parent_span_id.empty() && !IsSpanIdentifier(span.parent_span_id, 16)) {
    span.parent_span_id.clear();  // an all-zero parent is no parent
  }
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (parts->start == 0 || parts->start > kMax || parts->end > kMax) {
    return StrCat("span '", span.name, "': start_time_unix_nano is missing or past 2262");
  }
  if (parts->end < parts->start) {
    return StrCat("span '", span.name, "': end_time_unix_nano is before start_time_unix_nano");
  }
  span.start_ns = static_cast<int64_t>(parts->start);
  span.duration_ns = static_cast<int64_t>(parts->end - parts->start);
  span.resource = resource;
  // The scope's name and attributes are the span's (as Jaeger shows
  // otel.scope.name), unless the span says otherwise.
  for (const Attribute& a : scope) {
    const bool has = std::any_of(span.attributes.begin(), span.attributes.end(),
                                 [&a](const Attribute& x) { return x.key == a.key; });
    if (!has) span.attributes.push_back(a);
  }
  for (auto it = span.resource.begin(); it != span.resource.end(); ++it) {
    if (it->key == field::kServiceName && std::holds_alternative<std::string>(it->value)) {
      span.service = std::get<std::string>(std::move(it->value));
      span.resource.erase(it);
      break;
    }
  }
  if (absl::Status s = ChooseSpanSystem(&span); !s.ok()) return std::string(s.message());
  return std::nullopt;
}

void Add(SpanParts parts, const std::vector<Attribute>& resource,
         const std::vector<Attribute>& scope, OtlpTracesBatch* out) {
  if (auto why = Complete(&parts, resource, scope)) {
    if (out->rejected++ == 0) out->first_error = std::move(*why);
    return;
  }
  out->spans.push_back(std::move(parts.span));
}

SpanStatus StatusFromCode(int64_t code) {
  return code == 1 ? SpanStatus::kOk : code == 2 ? SpanStatus::kError : SpanStatus::kUnset;
}

SpanKind KindFromNumber(int64_t kind) {
  return kind >= 1 && kind <= 5 ? static_cast<SpanKind>(kind) : SpanKind::kUnspecified;
}

// ---- protobuf ------------------------------------------------------------

class ProtobufDecoder : private otlp::ProtobufMessageReader {
 public:
  explicit ProtobufDecoder(OtlpTracesBatch* out) : out_(out) {}

  absl::Status Request(std::string_view body) {
    WireReader r(body);
    ForEachField(r, [&](uint32_t field, WireType type) {
      if (field != 1) return false;
      if (auto m = Message(r, type, "resource_spans")) ResourceSpans(*m);
      return true;
    });
    return error_;
  }

 private:
  void ResourceSpans(WireReader r) {
    std::vector<Attribute> resource;
    std::vector<WireReader> scopes;
    ForEachField(r, [&](uint32_t field, WireType type) {
      if (field == 1) {
        if (auto m = Message(r, type, "resource")) Resource(*m, &resource);
      } else if (field == 2) {
        if (auto m = Message(r, type, "scope_spans")) scopes.push_back(*m);
      }
      return field == 1 || field == 2;
    });
    for (WireReader& scope : scopes) ScopeSpans(scope, resource);
  }

  void ScopeSpans(WireReader r, const std::vector<Attribute>& resource) {
    std::vector<Attribute> scope;
    std::vector<WireReader> spans;
    ForEachField(r, [&](uint32_t field, WireType type) {
      if (field == 1) {
        if (auto m = Message(r, type, "scope")) Scope(*m, &scope);
      } else if (field == 2) {
        if (auto m = Message(r, type, "spans")) spans.push_back(*m);
      }
      return field == 1 || field == 2;
    });
    for (WireReader& span : spans) Span(span, resource, scope);
  }

  // An id field: hex of its bytes ("" when empty).
  static std::string Id(WireReader& r) { return otlp::Hex(r.Bytes()); }

  void Span(WireReader r, const std::vector<Attribute>& resource,
            const std::vector<Attribute>& scope) {
    SpanParts parts;
    mayak::Span& span = parts.span;
    uint32_t field = 0;
    WireType type{};
    while (r.Next(&field, &type)) {
      if (field == 1 && type == WireType::kLengthDelimited) {
        span.trace_id = Id(r);
      } else if (field == 2 && type == WireType::kLengthDelimited) {
        span.span_id = Id(r);
      } else if (field == 4 && type == WireType::kLengthDelimited) {
        span.parent_span_id = Id(r);
      } else if (field == 5 && type == WireType::kLengthDelimited) {
        span.name = std::string(r.Bytes());
      } else if (field == 6 && type == WireType::kVarint) {
        span.kind = KindFromNumber(static_cast<int64_t>(r.Varint()));
      } else if (field == 7 && type == WireType::kFixed64) {
        parts.start = r.Fixed64();
      } else if (field == 8 && type == WireType::kFixed64) {
        parts.end = r.Fixed64();
      } else if (field == 9) {
        if (auto m = Message(r, type, "an attribute")) KeyValue(*m, "", &span.attributes, 0);
      } else if (field == 11) {
        if (auto m = Message(r, type, "an event")) Event(*m, &span.events);
      } else if (field == 13) {
        if (auto m = Message(r, type, "a link")) Link(*m, &span.links);
      } else if (field == 15) {
        if (auto m = Message(r, type, "status")) Status(*m, &span);
      } else {
        r.Skip(type);
      }
    }
    Check(r);
    if (!r.ok()) return;
    Add(std::move(parts), resource, scope, out_);
  }

  void Event(WireReader r, std::vector<SpanEvent>* events) {
    SpanEvent& event = events->emplace_back();
    ForEachField(r, [&](uint32_t field, WireType type) {
      if (field == 1 && type == WireType::kFixed64) {
        event.time_ns = static_cast<int64_t>(
            std::min<uint64_t>(r.Fixed64(), std::numeric_limits<int64_t>::max()));
      } else if (field == 2 && type == WireType::kLengthDelimited) {
        event.name = std::string(r.Bytes());
      } else if (field == 3) {
        if (auto m = Message(r, type, "an event attribute")) {
          KeyValue(*m, "", &event.attributes, 0);
        }
      } else {
        return false;
      }
      return true;
    });
  }

  void Link(WireReader r, std::vector<SpanLink>* links) {
    SpanLink link;
    ForEachField(r, [&](uint32_t field, WireType type) {
      if (field == 1 && type == WireType::kLengthDelimited) {
        link.trace_id = Id(r);
      } else if (field == 2 && type == WireType::kLengthDelimited) {
        link.span_id = Id(r);
      } else if (field == 4) {
        if (auto m = Message(r, type, "a link attribute")) KeyValue(*m, "", &link.attributes, 0);
      } else {
        return false;
      }
      return true;
    });
    // A link to nothing identifiable is dropped, not the span.
    if (IsSpanIdentifier(link.trace_id, 32) && IsSpanIdentifier(link.span_id, 16)) {
      links->push_back(std::move(link));
    }
  }

  void Status(WireReader r, mayak::Span* span) {
    ForEachField(r, [&](uint32_t field, WireType type) {
      if (field == 2 && type == WireType::kLengthDelimited) {
        span->status_message = std::string(r.Bytes());
      } else if (field == 3 && type == WireType::kVarint) {
        span->status = StatusFromCode(static_cast<int64_t>(r.Varint()));
      } else {
        return false;
      }
      return true;
    });
  }

  OtlpTracesBatch* out_;
};

// ---- JSON ----------------------------------------------------------------

// An id as OTLP/JSON writes it (hex), lowercased.
std::string JsonId(simdjson::dom::element e, std::string_view key) {
  std::string_view id;
  if (e[key].get_string().get(id) != simdjson::SUCCESS) return "";
  return ToLower(id);
}

// An enum as OTLP/JSON writes it (a number) or by its name.
int64_t JsonEnum(simdjson::dom::element e, std::string_view key,
                 std::initializer_list<std::string_view> names) {
  int64_t n = 0;
  if (e[key].get_int64().get(n) == simdjson::SUCCESS) return n;
  std::string_view name;
  if (e[key].get_string().get(name) != simdjson::SUCCESS) return 0;
  int64_t i = 0;
  for (std::string_view candidate : names) {
    if (name == candidate) return i;
    ++i;
  }
  return 0;
}

void JsonAttributes(simdjson::dom::element e, std::vector<Attribute>* out) {
  simdjson::dom::array attributes;
  if (e["attributes"].get_array().get(attributes) == simdjson::SUCCESS) {
    otlp::json::Attributes(attributes, "", out, 0);
  }
}

void JsonSpan(simdjson::dom::element e, const std::vector<Attribute>& resource,
              const std::vector<Attribute>& scope, OtlpTracesBatch* out) {
  SpanParts parts;
  Span& span = parts.span;
  span.trace_id = JsonId(e, "traceId");
  span.span_id = JsonId(e, "spanId");
  span.parent_span_id = JsonId(e, "parentSpanId");
  std::string_view name;
  if (e["name"].get_string().get(name) == simdjson::SUCCESS) span.name = std::string(name);
  span.kind =
      KindFromNumber(JsonEnum(e, "kind",
                              {"SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
                               "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"}));
  for (auto [key, target] :
       {std::pair{"startTimeUnixNano", &parts.start}, {"endTimeUnixNano", &parts.end}}) {
    simdjson::dom::element value;
    if (e[key].get(value) != simdjson::SUCCESS) continue;
    auto n = otlp::json::Unsigned(value);
    if (!n) {
      if (out->rejected++ == 0) out->first_error = StrCat(key, " must be a number of nanoseconds");
      return;
    }
    *target = *n;
  }
  JsonAttributes(e, &span.attributes);
  simdjson::dom::array list;
  if (e["events"].get_array().get(list) == simdjson::SUCCESS) {
    for (simdjson::dom::element item : list) {
      SpanEvent& event = span.events.emplace_back();
      simdjson::dom::element time;
      if (item["timeUnixNano"].get(time) == simdjson::SUCCESS) {
        event.time_ns = static_cast<int64_t>(std::min<uint64_t>(
            otlp::json::Unsigned(time).value_or(0), std::numeric_limits<int64_t>::max()));
      }
      if (item["name"].get_string().get(name) == simdjson::SUCCESS) event.name = std::string(name);
      JsonAttributes(item, &event.attributes);
    }
  }
  if (e["links"].get_array().get(list) == simdjson::SUCCESS) {
    for (simdjson::dom::element item : list) {
      SpanLink link{JsonId(item, "traceId"), JsonId(item, "spanId"), {}};
      JsonAttributes(item, &link.attributes);
      if (IsSpanIdentifier(link.trace_id, 32) && IsSpanIdentifier(link.span_id, 16)) {
        span.links.push_back(std::move(link));
      }
    }
  }
  simdjson::dom::element status;
  if (e["status"].get(status) == simdjson::SUCCESS) {
    span.status = StatusFromCode(
        JsonEnum(status, "code", {"STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"}));
    if (status["message"].get_string().get(name) == simdjson::SUCCESS) {
      span.status_message = std::string(name);
    }
  }
  Add(std::move(parts), resource, scope, out);
}

absl::Status DecodeJson(std::string_view body, OtlpTracesBatch* out) {
  simdjson::dom::parser parser;
  simdjson::dom::array resources;
  RETURN_IF_ERROR(otlp::json::ResourceList(parser, body, "resourceSpans", &resources));
  for (simdjson::dom::element resource_spans : resources) {
    std::vector<Attribute> resource;
    otlp::json::ResourceAttributes(resource_spans, &resource);
    simdjson::dom::array scopes;
    if (resource_spans["scopeSpans"].get_array().get(scopes) != simdjson::SUCCESS) continue;
    for (simdjson::dom::element scope_spans : scopes) {
      std::vector<Attribute> scope;
      otlp::json::ScopeAttributes(scope_spans, &scope);
      simdjson::dom::array spans;
      if (scope_spans["spans"].get_array().get(spans) != simdjson::SUCCESS) continue;
      for (simdjson::dom::element span : spans) JsonSpan(span, resource, scope, out);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<OtlpTracesBatch> DecodeOtlpTracesProtobuf(std::string_view body) {
  OtlpTracesBatch batch;
  ProtobufDecoder decoder(&batch);
  if (absl::Status status = decoder.Request(body); !status.ok()) return status;
  return batch;
}

absl::StatusOr<OtlpTracesBatch> DecodeOtlpTracesJson(std::string_view body) {
  OtlpTracesBatch batch;
  if (absl::Status status = DecodeJson(body, &batch); !status.ok()) return status;
  return batch;
}

std::string EncodeExportTracesResponseProtobuf(uint64_t rejected, std::string_view message) {
  return otlp::EncodePartialSuccessProtobuf(rejected, message);
}

std::string EncodeExportTracesResponseJson(uint64_t rejected, std::string_view message) {
  return otlp::EncodePartialSuccessJson("rejectedSpans", rejected, message);
}

}  // namespace mayak
