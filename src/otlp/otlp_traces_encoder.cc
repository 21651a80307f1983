#include "otlp/otlp_traces_encoder.h"

#include <bit>

#include "otlp/otlp_common.h"
#include "otlp/protobuf_wire.h"

namespace mayak {
namespace {

using protobuf::PutBytesField;
using protobuf::PutFixed64Field;
using protobuf::PutVarintField;

std::string AnyValue(const AttributeValue& value) {
  std::string any;
  if (const auto* s = std::get_if<std::string>(&value)) {
    PutBytesField(&any, 1, *s);
  } else if (const auto* b = std::get_if<bool>(&value)) {
    PutVarintField(&any, 2, *b ? 1 : 0);
  } else if (const auto* i = std::get_if<int64_t>(&value)) {
    PutVarintField(&any, 3, static_cast<uint64_t>(*i));
  } else {
    PutFixed64Field(&any, 4, std::bit_cast<uint64_t>(std::get<double>(value)));
  }
  return any;
}

void PutAttributes(std::string* out, uint32_t field, const std::vector<Attribute>& attributes) {
  for (const Attribute& a : attributes) {
    std::string kv;
    PutBytesField(&kv, 1, a.key);
    PutBytesField(&kv, 2, AnyValue(a.value));
    PutBytesField(out, field, kv);
  }
}

std::string EncodeSpan(const Span& s) {
  std::string out;
  PutBytesField(&out, 1, otlp::BytesFromHex(s.trace_id));
  PutBytesField(&out, 2, otlp::BytesFromHex(s.span_id));
  if (!s.parent_span_id.empty()) PutBytesField(&out, 4, otlp::BytesFromHex(s.parent_span_id));
  PutBytesField(&out, 5, s.name);
  if (s.kind != SpanKind::kUnspecified) PutVarintField(&out, 6, static_cast<uint64_t>(s.kind));
  PutFixed64Field(&out, 7, static_cast<uint64_t>(s.start_ns));
  PutFixed64Field(&out, 8, static_cast<uint64_t>(s.start_ns + s.duration_ns));
  PutAttributes(&out, 9, s.attributes);
  for (const SpanEvent& e : s.events) {
    std::string event;
    PutFixed64Field(&event, 1, static_cast<uint64_t>(e.time_ns));
    PutBytesField(&event, 2, e.name);
    PutAttributes(&event, 3, e.attributes);
    PutBytesField(&out, 11, event);
  }
  for (const SpanLink& l : s.links) {
    std::string link;
    PutBytesField(&link, 1, otlp::BytesFromHex(l.trace_id));
    PutBytesField(&link, 2, otlp::BytesFromHex(l.span_id));
    PutAttributes(&link, 4, l.attributes);
    PutBytesField(&out, 13, link);
  }
  if (s.status != SpanStatus::kUnset || !s.status_message.empty()) {
    std::string status;
    if (!s.status_message.empty()) PutBytesField(&status, 2, s.status_message);
    PutVarintField(&status, 3, static_cast<uint64_t>(s.status));
    PutBytesField(&out, 15, status);
  }
  return out;
}

}  // namespace

std::string EncodeOtlpTracesProtobuf(const std::vector<Span>& spans) {
  std::string request;
  size_t i = 0;
  while (i < spans.size()) {
    const Span& first = spans[i];
    std::string resource;
    std::vector<Attribute> attributes = {{std::string(field::kServiceName), first.service}};
    attributes.insert(attributes.end(), first.resource.begin(), first.resource.end());
    PutAttributes(&resource, 1, attributes);
    std::string scope_spans;
    for (; i < spans.size() && spans[i].service == first.service &&
           spans[i].resource == first.resource;
         ++i) {
      PutBytesField(&scope_spans, 2, EncodeSpan(spans[i]));
    }
    std::string resource_spans;
    PutBytesField(&resource_spans, 1, resource);
    PutBytesField(&resource_spans, 2, scope_spans);
    PutBytesField(&request, 1, resource_spans);
  }
  return request;
}

}  // namespace mayak
