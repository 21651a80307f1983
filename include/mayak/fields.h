// The canonical field names of a Mayak log record (docs/fields.md), public so
// that the server and programs that log to it (libmayak, the demo services)
// spell them the same way. ECS names, OpenTelemetry names where ECS has none.
//
// Only the C++ standard library is used here: this header is part of the
// public interface and must compile on its own.
#pragma once

#include <string_view>

namespace mayak::field {

// Time, in nanoseconds since the epoch, UTC.
inline constexpr std::string_view kTimestamp = "@timestamp";                  // when it happened
inline constexpr std::string_view kObservedTimestamp = "observed_timestamp";  // when received

// What happened and where.
inline constexpr std::string_view kLevel = "log.level";  // TRACE DEBUG INFO WARN ERROR FATAL
inline constexpr std::string_view kMessage = "message";
inline constexpr std::string_view kSystem = "system";  // unit of retention and size caps
inline constexpr std::string_view kServiceName = "service.name";
inline constexpr std::string_view kHostName = "host.name";

// Tracing.
inline constexpr std::string_view kTraceId = "trace.id";  // 32 hex digits (W3C)
inline constexpr std::string_view kSpanId = "span.id";    // 16 hex digits
// The fields of a stored span besides those (docs/tracing.md): its name is
// the message, its start @timestamp, its length event.duration.
inline constexpr std::string_view kParentId = "parent.id";           // the parent span's id
inline constexpr std::string_view kSpanKind = "span.kind";           // server client producer ...
inline constexpr std::string_view kStatusCode = "otel.status_code";  // OK, ERROR; none: unset
inline constexpr std::string_view kStatusDescription = "otel.status_description";
inline constexpr std::string_view kSpanEvents = "span.events";  // JSON array of events
inline constexpr std::string_view kSpanLinks = "span.links";    // JSON array of links
// Which of a span's fields came from its resource (Jaeger's process tags).
inline constexpr std::string_view kSpanResourceKeys = "span.resource_keys";

// The event.
inline constexpr std::string_view kEventAction = "event.action";
inline constexpr std::string_view kEventDuration = "event.duration";  // nanoseconds
inline constexpr std::string_view kEventOutcome = "event.outcome";    // success, failure, unknown

// Who and from where.
inline constexpr std::string_view kUserId = "user.id";
inline constexpr std::string_view kUserEmail = "user.email";
inline constexpr std::string_view kClientIp = "client.ip";

// HTTP.
inline constexpr std::string_view kHttpRequestMethod = "http.request.method";
inline constexpr std::string_view kUrlPath = "url.path";
inline constexpr std::string_view kUrlQuery = "url.query";
inline constexpr std::string_view kHttpResponseStatusCode = "http.response.status_code";
inline constexpr std::string_view kHttpRequestHeadersPrefix = "http.request.headers.";

// Errors.
inline constexpr std::string_view kErrorType = "error.type";
inline constexpr std::string_view kErrorMessage = "error.message";
inline constexpr std::string_view kErrorStackTrace = "error.stack_trace";

// The business: orders across the shop, CRM and MES.
inline constexpr std::string_view kOrderId = "order.id";
inline constexpr std::string_view kOrderStatus = "order.status";

// Databases.
inline constexpr std::string_view kDbSystem = "db.system";
inline constexpr std::string_view kDbStatement = "db.statement";
inline constexpr std::string_view kDbSqlstate = "db.sqlstate";

// Messaging.
inline constexpr std::string_view kMessagingSystem = "messaging.system";
inline constexpr std::string_view kMessagingDestinationName = "messaging.destination.name";
inline constexpr std::string_view kRabbitmqDeathPrefix = "rabbitmq.death.";

}  // namespace mayak::field
