// OTLP/HTTP: POST /v1/logs and POST /v1/traces on their own listener (default
// 127.0.0.1:4318), protobuf (application/x-protobuf) or JSON
// (application/json) bodies, gzip allowed, answered as the OTLP
// specification asks: 200 with a partial success that counts the records
// not taken (records or spans), 400 with a google.rpc.Status for a body that does not decode,
// 415 for another content type, 503 with Retry-After when the store cannot
// take them (the exporter retries).
#pragma once

#include "api/router.h"
#include "api/routes.h"
#include "api/server_state.h"
#include "common/metrics.h"

namespace mayak {

void AddOtlpRoutes(Router* router, const ServerState* state, const ApiLimits& limits,
                   MetricsRegistry* metrics);

}  // namespace mayak
