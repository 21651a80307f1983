// Jaeger's query API (the HTTP JSON API of jaeger-query that the Jaeger UI
// and Grafana's Jaeger data source call), answered from the store of
// spans. Mounted at /api on the jaeger listener (default 127.0.0.1:16686)
// and at /jaeger/api on Mayak's own API:
//   GET /services                       service names
//   GET /services/{service}/operations  operation names
//   GET /operations?service=&spanKind=  [{name, spanKind}]
//   GET /traces/{traceID}               one trace
//   GET /dependencies?endTs=&lookback=  [{parent, child, callCount}] (ms)
//   GET /traces?service=&operation=&tags=&minDuration=&maxDuration=
//               &start=&end=&lookback=&limit=   (or traceID=...&traceID=...)
// Replies in Jaeger's envelope {data, total, limit, offset, errors}; errors
// with the HTTP status in errors[0].code (docs/tracing.md).
#pragma once

#include <string_view>

#include "api/router.h"
#include "api/routes.h"
#include "api/server_state.h"

namespace mayak {

// `prefix` is "/api" or "/jaeger/api".
void AddJaegerRoutes(Router* router, std::string_view prefix, const ServerState* state,
                     const ApiLimits& limits);

// The router of the jaeger listener: its 404 and 405 in Jaeger's shape.
Router MakeJaegerRouter();

}  // namespace mayak
