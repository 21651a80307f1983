// The canonical span (DESIGN.md): what OTLP traces and Zipkin spans are
// normalized into. Spans are stored as rows of the same columnar engine as
// logs, in a store of their own (kind = spans); SpanToRecord and
// SpanFromRecord are that row mapping (docs/tracing.md lists its fields), so
// the query language, `| stats` and retention work on spans unchanged.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/log_record.h"

namespace mayak {

enum class SpanKind : uint8_t {
  kUnspecified = 0,
  kInternal = 1,
  kServer = 2,
  kClient = 3,
  kProducer = 4,
  kConsumer = 5,
};

// "internal", "server", ... as Jaeger's span.kind tag spells them; "" for
// kUnspecified.
std::string_view SpanKindName(SpanKind kind);
SpanKind ParseSpanKind(std::string_view name);  // any case; unknown: kUnspecified

enum class SpanStatus : uint8_t { kUnset = 0, kOk = 1, kError = 2 };

struct SpanEvent {
  int64_t time_ns = 0;
  std::string name;
  std::vector<Attribute> attributes;

  bool operator==(const SpanEvent&) const = default;
};

// A causal relation to a span that is not the parent: a consumer's span
// linked to the producer's that sent the message.
struct SpanLink {
  std::string trace_id;  // 32 lowercase hex digits
  std::string span_id;   // 16
  std::vector<Attribute> attributes;

  bool operator==(const SpanLink&) const = default;
};

struct Span {
  std::string trace_id;        // 32 lowercase hex digits
  std::string span_id;         // 16 lowercase hex digits
  std::string parent_span_id;  // empty for a root span
  std::string name;
  SpanKind kind = SpanKind::kUnspecified;
  int64_t start_ns = 0;  // since the epoch, UTC
  int64_t duration_ns = 0;
  SpanStatus status = SpanStatus::kUnset;
  std::string status_message;
  std::string system{kDefaultSystem};
  std::string service;                // service.name; empty when unknown
  std::vector<Attribute> resource;    // the process's attributes, service.name apart
  std::vector<Attribute> attributes;  // the span's own
  std::vector<SpanEvent> events;
  std::vector<SpanLink> links;

  bool operator==(const Span&) const = default;
};

// The stored row of a span: name -> message, start -> @timestamp, duration
// -> event.duration, ERROR level for an error status (INFO otherwise), the
// resource's attributes beside the span's (the span's win a clash), events
// and links as JSON text. Taken by value: a caller done with the span moves
// it in, and its strings are not copied.
LogRecord SpanToRecord(Span span, int64_t observed_ns);

// The span a stored row holds; an error naming the field when the row is
// not a span's (no trace.id or span.id, events that are not JSON).
absl::StatusOr<Span> SpanFromRecord(const LogRecord& record);

// Whether `id` is `hex_digits` lowercase hex digits, not all zero.
bool IsSpanIdentifier(std::string_view id, size_t hex_digits);

}  // namespace mayak
