#include "zipkin/zipkin_spans.h"

#include <arpa/inet.h>

#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"
#include "otlp/otlp_common.h"
#include "otlp/protobuf_wire.h"
#include "pipeline/span_system.h"
#include "simdjson.h"

namespace mayak {
namespace {

constexpr int64_t kNanosPerMicro = 1000;
constexpr uint64_t kMaxMicros =
    static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / kNanosPerMicro;

struct EndpointFields {
  std::string service;
  std::string address;
  int64_t port = 0;
};

// A span as either encoding gives it, before it is checked.
struct SpanFields {
  std::string trace_id;  // hex, as sent
  std::string id;
  std::string parent_id;
  std::string name;
  SpanKind kind = SpanKind::kUnspecified;
  uint64_t timestamp = 0;  // microseconds
  uint64_t duration = 0;
  EndpointFields local;
  EndpointFields remote;
  std::vector<std::pair<std::string, std::string>> tags;
  std::vector<std::pair<uint64_t, std::string>> annotations;
};

// An id of 16 hex digits (a trace id: 16, the low half, or 32), lowercase.
absl::StatusOr<std::string> CheckId(std::string_view name, std::string_view hex, bool trace) {
  std::string id = ToLower(hex);
  if (trace && id.size() == 16) id = std::string(16, '0') + id;
  if (!IsSpanIdentifier(id, trace ? 32 : 16)) {
    return absl::InvalidArgumentError(StrCat(
        name, hex.empty() ? "" : StrCat(" '", hex, "'"), " must be ", trace ? "16 or 32" : "16",
        " hex digits, not all zero", hex.empty() ? " (it is missing)" : ""));
  }
  return id;
}

void AddEndpoint(const EndpointFields& e, std::string_view address_key, std::string_view port_key,
                 std::vector<Attribute>* out) {
  if (!e.address.empty()) out->push_back({std::string(address_key), e.address});
  if (e.port > 0) out->push_back({std::string(port_key), e.port});
}

// Checks the fields and makes them a span.
absl::StatusOr<Span> Complete(SpanFields f, std::string_view trace_name,
                              std::string_view parent_name) {
  Span span;
  auto trace = CheckId(trace_name, f.trace_id, true);
  if (!trace.ok()) return trace.status();
  auto id = CheckId("id", f.id, false);
  if (!id.ok()) return id.status();
  span.trace_id = *std::move(trace);
  span.span_id = *std::move(id);
  if (!f.parent_id.empty()) {
    auto parent = CheckId(parent_name, f.parent_id, false);
    if (!parent.ok()) return parent.status();
    span.parent_span_id = *std::move(parent);
  }
  if (f.timestamp == 0) {
    return absl::InvalidArgumentError("timestamp (microseconds since the epoch) is required");
  }
  if (f.timestamp > kMaxMicros || f.duration > kMaxMicros) {
    return absl::InvalidArgumentError("timestamp or duration is past the year 2262");
  }
  span.name = std::move(f.name);
  span.kind = f.kind;
  span.start_ns = static_cast<int64_t>(f.timestamp) * kNanosPerMicro;
  span.duration_ns = static_cast<int64_t>(f.duration) * kNanosPerMicro;
  span.service = ToLower(f.local.service);
  AddEndpoint(f.local, "host.ip", "host.port", &span.resource);
  if (!f.remote.service.empty())
    span.attributes.push_back({"peer.service", ToLower(f.remote.service)});
  AddEndpoint(f.remote, "network.peer.address", "network.peer.port", &span.attributes);
  for (auto& [key, value] : f.tags) {
    if (key == "error") {
      span.status = SpanStatus::kError;
      span.status_message = std::move(value);
      continue;
    }
    span.attributes.push_back({std::move(key), std::move(value)});
  }
  for (auto& [at, value] : f.annotations) {
    if (at > kMaxMicros) return absl::InvalidArgumentError("an annotation is past the year 2262");
    span.events.push_back({static_cast<int64_t>(at) * kNanosPerMicro, std::move(value), {}});
  }
  if (absl::Status s = ChooseSpanSystem(&span); !s.ok()) return s;
  return span;
}

// ---- JSON ----------------------------------------------------------------

// An id as hex text; missing, it stays empty (Complete names it).
absl::Status JsonId(simdjson::dom::object span, std::string_view key, std::string* out) {
  std::string_view text;
  if (span[key].get_string().get(text) == simdjson::SUCCESS) {
    *out = std::string(text);
    return absl::OkStatus();
  }
  if (span[key].error() == simdjson::NO_SUCH_FIELD) return absl::OkStatus();
  return absl::InvalidArgumentError(StrCat(key, " must be a string of hex digits"));
}

void JsonEndpoint(simdjson::dom::object span, std::string_view key, EndpointFields* out) {
  simdjson::dom::object endpoint;
  if (span[key].get_object().get(endpoint) != simdjson::SUCCESS) return;
  std::string_view text;
  if (endpoint["serviceName"].get_string().get(text) == simdjson::SUCCESS) {
    out->service = std::string(text);
  }
  if (endpoint["ipv4"].get_string().get(text) == simdjson::SUCCESS ||
      endpoint["ipv6"].get_string().get(text) == simdjson::SUCCESS) {
    out->address = std::string(text);
  }
  if (endpoint["port"].get_int64().get(out->port) != simdjson::SUCCESS) out->port = 0;
}

absl::StatusOr<Span> DecodeJsonSpan(simdjson::dom::object e) {
  SpanFields f;
  RETURN_IF_ERROR(JsonId(e, "traceId", &f.trace_id));
  RETURN_IF_ERROR(JsonId(e, "id", &f.id));
  RETURN_IF_ERROR(JsonId(e, "parentId", &f.parent_id));
  std::string_view text;
  if (e["name"].get_string().get(text) == simdjson::SUCCESS) f.name = std::string(text);
  if (e["kind"].get_string().get(text) == simdjson::SUCCESS) f.kind = ParseSpanKind(text);
  if (e["timestamp"].get_uint64().get(f.timestamp) != simdjson::SUCCESS) f.timestamp = 0;
  if (e["duration"].error() != simdjson::NO_SUCH_FIELD &&
      e["duration"].get_uint64().get(f.duration) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("duration must be a whole number of microseconds");
  }
  JsonEndpoint(e, "localEndpoint", &f.local);
  JsonEndpoint(e, "remoteEndpoint", &f.remote);
  simdjson::dom::object tags;
  if (e["tags"].get_object().get(tags) == simdjson::SUCCESS) {
    for (auto [key, value] : tags) {
      f.tags.emplace_back(std::string(key), value.is_string()
                                                ? std::string(value.get_string().value_unsafe())
                                                : simdjson::to_string(value));
    }
  }
  simdjson::dom::array annotations;
  if (e["annotations"].get_array().get(annotations) == simdjson::SUCCESS) {
    for (simdjson::dom::element a : annotations) {
      uint64_t at = 0;
      if (a["timestamp"].get_uint64().get(at) != simdjson::SUCCESS ||
          a["value"].get_string().get(text) != simdjson::SUCCESS) {
        return absl::InvalidArgumentError("an annotation needs a timestamp and a value");
      }
      f.annotations.emplace_back(at, std::string(text));
    }
  }
  return Complete(std::move(f), "traceId", "parentId");
}

// ---- protobuf (zipkin.proto3) ---------------------------------------------

using protobuf::WireReader;
using protobuf::WireType;

// An IPv4 (4 bytes) or IPv6 (16) address as text; "" for anything else.
std::string AddressText(std::string_view bytes) {
  char text[INET6_ADDRSTRLEN] = {};
  const int family = bytes.size() == 4 ? AF_INET : bytes.size() == 16 ? AF_INET6 : 0;
  if (family == 0 || inet_ntop(family, bytes.data(), text, sizeof(text)) == nullptr) return "";
  return text;
}

void ProtobufEndpoint(WireReader r, EndpointFields* out) {
  uint32_t field = 0;
  WireType type{};
  while (r.Next(&field, &type)) {
    if (field == 1 && type == WireType::kLengthDelimited) {
      out->service = std::string(r.Bytes());
    } else if ((field == 2 || field == 3) && type == WireType::kLengthDelimited) {
      const std::string address = AddressText(r.Bytes());
      if (!address.empty() && (field == 2 || out->address.empty())) out->address = address;
    } else if (field == 4 && type == WireType::kVarint) {
      out->port = static_cast<int32_t>(r.Varint());
    } else {
      r.Skip(type);
    }
  }
}

absl::StatusOr<Span> DecodeProtobufSpan(WireReader r) {
  // Zipkin's kinds: CLIENT 1, SERVER 2, PRODUCER 3, CONSUMER 4.
  constexpr SpanKind kKinds[] = {SpanKind::kUnspecified, SpanKind::kClient, SpanKind::kServer,
                                 SpanKind::kProducer, SpanKind::kConsumer};
  SpanFields f;
  uint32_t field = 0;
  WireType type{};
  const auto nested = [&r](std::string_view bytes) { return r.Nested(bytes); };
  while (r.Next(&field, &type)) {
    if (field <= 3 && type == WireType::kLengthDelimited) {
      std::string hex = otlp::Hex(r.Bytes());
      (field == 1 ? f.trace_id : field == 2 ? f.parent_id : f.id) = std::move(hex);
    } else if (field == 4 && type == WireType::kVarint) {
      const uint64_t kind = r.Varint();
      f.kind = kind < std::size(kKinds) ? kKinds[kind] : SpanKind::kUnspecified;
    } else if (field == 5 && type == WireType::kLengthDelimited) {
      f.name = std::string(r.Bytes());
    } else if (field == 6 && type == WireType::kFixed64) {
      f.timestamp = r.Fixed64();
    } else if (field == 7 && type == WireType::kVarint) {
      f.duration = r.Varint();
    } else if ((field == 8 || field == 9) && type == WireType::kLengthDelimited) {
      ProtobufEndpoint(nested(r.Bytes()), field == 8 ? &f.local : &f.remote);
    } else if (field == 10 && type == WireType::kLengthDelimited) {
      WireReader a = nested(r.Bytes());
      std::pair<uint64_t, std::string> annotation;
      uint32_t inner = 0;
      WireType inner_type{};
      while (a.Next(&inner, &inner_type)) {
        if (inner == 1 && inner_type == WireType::kFixed64) {
          annotation.first = a.Fixed64();
        } else if (inner == 2 && inner_type == WireType::kLengthDelimited) {
          annotation.second = std::string(a.Bytes());
        } else {
          a.Skip(inner_type);
        }
      }
      if (!a.ok()) return a.status();
      f.annotations.push_back(std::move(annotation));
    } else if (field == 11 && type == WireType::kLengthDelimited) {
      WireReader entry = nested(r.Bytes());
      std::pair<std::string, std::string> tag;
      uint32_t inner = 0;
      WireType inner_type{};
      while (entry.Next(&inner, &inner_type)) {
        if ((inner == 1 || inner == 2) && inner_type == WireType::kLengthDelimited) {
          (inner == 1 ? tag.first : tag.second) = std::string(entry.Bytes());
        } else {
          entry.Skip(inner_type);
        }
      }
      if (!entry.ok()) return entry.status();
      if (!tag.first.empty()) f.tags.push_back(std::move(tag));
    } else {
      r.Skip(type);
    }
  }
  if (!r.ok()) return r.status();
  return Complete(std::move(f), "trace_id", "parent_id");
}

}  // namespace

absl::StatusOr<std::vector<Span>> DecodeZipkinProtobuf(std::string_view body) {
  std::vector<Span> spans;
  WireReader r(body);
  uint32_t field = 0;
  WireType type{};
  size_t index = 0;
  while (r.Next(&field, &type)) {
    if (field != 1 || type != WireType::kLengthDelimited) {
      r.Skip(type);
      continue;
    }
    const std::string_view bytes = r.Bytes();
    if (!r.ok()) break;
    auto span = DecodeProtobufSpan(r.Nested(bytes));
    if (!span.ok()) {
      return absl::InvalidArgumentError(StrCat("span ", index, ": ", span.status().message()));
    }
    spans.push_back(*std::move(span));
    ++index;
  }
  if (!r.ok()) return r.status();
  return spans;
}

absl::StatusOr<std::vector<Span>> DecodeZipkinJson(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::array list;
  if (auto error = parser.parse(body.data(), body.size()).get_array().get(list)) {
    return absl::InvalidArgumentError(
        StrCat("the body is not a JSON list of Zipkin v2 spans: ", simdjson::error_message(error)));
  }
  std::vector<Span> spans;
  spans.reserve(list.size());
  size_t index = 0;
  for (simdjson::dom::element item : list) {
    simdjson::dom::object object;
    absl::StatusOr<Span> span = item.get_object().get(object) == simdjson::SUCCESS
                                    ? DecodeJsonSpan(object)
                                    : absl::InvalidArgumentError("it is not a JSON object");
    if (!span.ok()) {
      return absl::InvalidArgumentError(StrCat("span ", index, ": ", span.status().message()));
    }
    spans.push_back(*std::move(span));
    ++index;
  }
  return spans;
}

}  // namespace mayak
