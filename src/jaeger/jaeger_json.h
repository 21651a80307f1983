// Traces in the JSON of Jaeger's query API (what the Jaeger UI and
// Grafana's Jaeger data source read): times in microseconds, the parent as
// a CHILD_OF reference and links as FOLLOWS_FROM, typed tags, events as
// logs, and each span's service and resource attributes as a process of the
// trace's `processes` map.
//
//   {"traceID": "4bf9...", "spans": [{"traceID", "spanID", "operationName",
//    "references": [{"refType": "CHILD_OF", "traceID", "spanID"}],
//    "startTime": 1795600000123456, "duration": 2500, "flags": 1,
//    "tags": [{"key": "span.kind", "type": "string", "value": "server"}],
//    "logs": [{"timestamp": ..., "fields": [{"key": "event", ...}]}],
//    "processID": "p1", "warnings": null}],
//    "processes": {"p1": {"serviceName": "shop", "tags": [...]}}, "warnings": null}
#pragma once

#include <string_view>

#include "common/json_writer.h"
#include "trace/trace_store.h"

namespace mayak {

void WriteJaegerTrace(const Trace& trace, JsonWriter* json);

// Jaeger's reply envelope around `data` (written by the caller between
// these two): {"data": ..., "total": n, "limit": 0, "offset": 0, "errors": null}.
void BeginJaegerReply(JsonWriter* json);
void EndJaegerReply(size_t total, JsonWriter* json);

// Jaeger's error reply: {"data": null, "total": 0, "limit": 0, "offset": 0,
// "errors": [{"code": status, "msg": message}]}.
std::string JaegerErrorBody(int status, std::string_view message);

}  // namespace mayak
