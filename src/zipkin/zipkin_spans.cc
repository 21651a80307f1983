#include "zipkin/zipkin_spans.h"

#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "common/strings.h"
#include "pipeline/span_system.h"
#include "simdjson.h"

namespace mayak {
namespace {

constexpr int64_t kNanosPerMicro = 1000;

// An id of `digits` hex digits (or 16 for a trace id, the low half of 32).
absl::StatusOr<std::string> Id(simdjson::dom::object span, std::string_view key, bool trace,
                               bool required) {
  std::string_view text;
  if (span[key].get_string().get(text) != simdjson::SUCCESS) {
    if (!required && span[key].error() == simdjson::NO_SUCH_FIELD) return std::string();
    return absl::InvalidArgumentError(StrCat(key, " must be a string of hex digits"));
  }
  std::string id = ToLower(text);
  if (!required && id.empty()) return id;
  if (trace && id.size() == 16) id = std::string(16, '0') + id;
  if (!IsSpanIdentifier(id, trace ? 32 : 16)) {
    return absl::InvalidArgumentError(StrCat(
        key, " '", text, "' must be ", trace ? "16 or 32" : "16", " hex digits, not all zero"));
  }
  return id;
}

// An endpoint's service, address and port, under `service_key`, ...
void Endpoint(simdjson::dom::object span, std::string_view key, std::string_view service_key,
              std::string_view address_key, std::string_view port_key, std::string* service,
              std::vector<Attribute>* out) {
  simdjson::dom::object endpoint;
  if (span[key].get_object().get(endpoint) != simdjson::SUCCESS) return;
  std::string_view text;
  if (endpoint["serviceName"].get_string().get(text) == simdjson::SUCCESS && !text.empty()) {
    if (service != nullptr) {
      *service = ToLower(text);
    } else {
      out->push_back({std::string(service_key), ToLower(text)});
    }
  }
  if (endpoint["ipv4"].get_string().get(text) == simdjson::SUCCESS ||
      endpoint["ipv6"].get_string().get(text) == simdjson::SUCCESS) {
    out->push_back({std::string(address_key), std::string(text)});
  }
  int64_t port = 0;
  if (endpoint["port"].get_int64().get(port) == simdjson::SUCCESS && port > 0) {
    out->push_back({std::string(port_key), port});
  }
}

absl::StatusOr<Span> DecodeSpan(simdjson::dom::object e) {
  Span span;
  auto trace = Id(e, "traceId", true, true);
  if (!trace.ok()) return trace.status();
  auto id = Id(e, "id", false, true);
  if (!id.ok()) return id.status();
  auto parent = Id(e, "parentId", false, false);
  if (!parent.ok()) return parent.status();
  span.trace_id = *std::move(trace);
  span.span_id = *std::move(id);
  span.parent_span_id = *std::move(parent);
  std::string_view text;
  if (e["name"].get_string().get(text) == simdjson::SUCCESS) span.name = std::string(text);
  if (e["kind"].get_string().get(text) == simdjson::SUCCESS) span.kind = ParseSpanKind(text);
  uint64_t timestamp = 0;
  if (e["timestamp"].get_uint64().get(timestamp) != simdjson::SUCCESS || timestamp == 0) {
    return absl::InvalidArgumentError("timestamp (microseconds since the epoch) is required");
  }
  constexpr uint64_t kMaxMicros =
      static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / kNanosPerMicro;
  uint64_t duration = 0;
  if (e["duration"].error() != simdjson::NO_SUCH_FIELD &&
      e["duration"].get_uint64().get(duration) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("duration must be a whole number of microseconds");
  }
  if (timestamp > kMaxMicros || duration > kMaxMicros) {
    return absl::InvalidArgumentError("timestamp or duration is past the year 2262");
  }
  span.start_ns = static_cast<int64_t>(timestamp) * kNanosPerMicro;
  span.duration_ns = static_cast<int64_t>(duration) * kNanosPerMicro;
  Endpoint(e, "localEndpoint", "", "host.ip", "host.port", &span.service, &span.resource);
  Endpoint(e, "remoteEndpoint", "peer.service", "network.peer.address", "network.peer.port",
           nullptr, &span.attributes);
  simdjson::dom::object tags;
  if (e["tags"].get_object().get(tags) == simdjson::SUCCESS) {
    for (auto [key, value] : tags) {
      std::string text_value = value.is_string() ? std::string(value.get_string().value_unsafe())
                                                 : simdjson::to_string(value);
      if (key == "error") {
        span.status = SpanStatus::kError;
        span.status_message = std::move(text_value);
        continue;
      }
      span.attributes.push_back({std::string(key), std::move(text_value)});
    }
  }
  simdjson::dom::array annotations;
  if (e["annotations"].get_array().get(annotations) == simdjson::SUCCESS) {
    for (simdjson::dom::element a : annotations) {
      uint64_t at = 0;
      if (a["timestamp"].get_uint64().get(at) != simdjson::SUCCESS || at > kMaxMicros ||
          a["value"].get_string().get(text) != simdjson::SUCCESS) {
        return absl::InvalidArgumentError("an annotation needs a timestamp and a value");
      }
      span.events.push_back({static_cast<int64_t>(at) * kNanosPerMicro, std::string(text), {}});
    }
  }
  if (absl::Status s = ChooseSpanSystem(&span); !s.ok()) return s;
  return span;
}

}  // namespace

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
                                    ? DecodeSpan(object)
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
