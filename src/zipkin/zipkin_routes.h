// Zipkin's span intake: POST /api/v2/spans on the zipkin listener (default
// 127.0.0.1:9411), a list of v2 spans in JSON or protobuf (zipkin_spans.h),
// gzip allowed, answered as Zipkin's server does: 202 once the spans are
// durable, 400 with the problem for a body or span that does not decode
// (nothing of it is stored), 415 for Thrift or another type, 503 with
// Retry-After while the server starts or the disk refuses the spans
// (docs/tracing.md).
#pragma once

#include "api/router.h"
#include "api/routes.h"
#include "api/server_state.h"
#include "common/metrics.h"

namespace mayak {

void AddZipkinRoutes(Router* router, const ServerState* state, const ApiLimits& limits,
                     MetricsRegistry* metrics);

// The zipkin listener's router: 404 and 405 as plain text, as Zipkin's.
Router MakeZipkinRouter();

}  // namespace mayak
