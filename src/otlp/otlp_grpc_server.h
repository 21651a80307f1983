// OTLP/gRPC: LogsService/Export and TraceService/Export on their own listener (default
// 127.0.0.1:4317), for exporters and collectors that speak gRPC. The
// request and reply are read and written with the same hand-written
// protobuf code as OTLP/HTTP (otlp_export.h), through gRPC's generic service,
// so no generated code is needed. Status codes as the OTLP specification
// asks: INVALID_ARGUMENT for a request that does not decode, UNAVAILABLE
// (retried by exporters) while the store cannot take records, UNIMPLEMENTED
// for any other method.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "api/routes.h"
#include "api/server_state.h"
#include "common/config.h"
#include "common/metrics.h"

namespace mayak {

class OtlpGrpcServer {
 public:
  OtlpGrpcServer(const ServerState* state, const ApiLimits& limits, MetricsRegistry* metrics);
  ~OtlpGrpcServer();
  OtlpGrpcServer(const OtlpGrpcServer&) = delete;
  OtlpGrpcServer& operator=(const OtlpGrpcServer&) = delete;

  // Starts serving on `address`; returns the address bound (port 0 picks one).
  absl::StatusOr<std::string> Listen(const ListenAddress& address);
  // Stops accepting calls and waits a moment for those under way.
  void Stop();

  class Service;

 private:
  std::unique_ptr<Service> service_;
  int max_message_bytes_ = 0;
  struct Running;
  std::unique_ptr<Running> running_;
};

}  // namespace mayak
