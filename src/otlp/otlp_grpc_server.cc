#include "otlp/otlp_grpc_server.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "common/strings.h"
#include "otlp/otlp_export.h"

namespace mayak {
namespace {

constexpr std::string_view kLogsExport =
    "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
constexpr std::string_view kTracesExport =
    "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const grpc::Slice& slice : slices) {
    out.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return out;
}

}  // namespace

class OtlpGrpcServer::Service : public grpc::CallbackGenericService {
 public:
  Service(const ServerState* state, MetricsRegistry* metrics)
      : state_(state),
        logs_(OtlpCounters(OtlpSignal::kLogs, metrics)),
        traces_(OtlpCounters(OtlpSignal::kTraces, metrics)) {}

  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    const std::string& method = ctx->method();
    if (method == kLogsExport) return new Call(this, OtlpSignal::kLogs);
    if (method == kTracesExport) return new Call(this, OtlpSignal::kTraces);
    return new Call(this, std::nullopt);
  }

 private:
  // One Export call: read the request, store its rows, reply once they are
  // durable.
  class Call : public grpc::ServerGenericBidiReactor {
   public:
    Call(Service* service, std::optional<OtlpSignal> signal) : service_(service) {
      if (!signal) {
        Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                            "Mayak serves only LogsService/Export and TraceService/Export over "
                            "OTLP/gRPC"));
        return;
      }
      signal_ = *signal;
      StartRead(&request_);
    }

    void OnReadDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request message"));
        return;
      }
      const std::string body = Flatten(request_);
      auto batch = DecodeOtlpExport(signal_, /*json=*/false, body, absl::GetCurrentTimeNanos());
      if (!batch.ok()) {
        Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            std::string(batch.status().message())));
        return;
      }
      const IngestCounters& counters =
          signal_ == OtlpSignal::kLogs ? service_->logs_ : service_->traces_;
      counters.rejected->Add(batch->rejected);
      LogStore* store = OtlpStore(signal_, *service_->state_);
      if (store == nullptr) {
        Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is not ready"));
        return;
      }
      if (batch->rows.empty()) return Reply(batch->rejected, batch->first_error);
      const size_t count = batch->rows.size();
      store->Append(std::move(batch->rows),
                    [this, count, records = counters.records, not_taken = batch->rejected,
                     why = batch->first_error](const absl::Status& status) {
                      if (!status.ok()) {
                        Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                            StrCat("not stored: ", status.message())));
                        return;
                      }
                      records->Add(count);
                      Reply(not_taken, why);
                    });
    }

    void OnWriteDone(bool /*ok*/) override {}
    void OnDone() override { delete this; }

   private:
    void Reply(uint64_t not_taken, const std::string& why) {
      const std::string bytes = EncodeOtlpExportResponse(signal_, /*json=*/false, not_taken, why);
      grpc::Slice slice(bytes.data(), bytes.size());
      response_ = grpc::ByteBuffer(&slice, 1);
      StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
    }

    Service* service_;
    OtlpSignal signal_ = OtlpSignal::kLogs;
    grpc::ByteBuffer request_;
    grpc::ByteBuffer response_;
  };

  const ServerState* state_;
  IngestCounters logs_;
  IngestCounters traces_;
};

struct OtlpGrpcServer::Running {
  std::unique_ptr<grpc::Server> server;
};

OtlpGrpcServer::OtlpGrpcServer(const ServerState* state, const ApiLimits& limits,
                               MetricsRegistry* metrics)
    : service_(std::make_unique<Service>(state, metrics)) {
  max_message_bytes_ = static_cast<int>(std::min<uint64_t>(limits.max_body_bytes, INT32_MAX));
}

OtlpGrpcServer::~OtlpGrpcServer() { Stop(); }

absl::StatusOr<std::string> OtlpGrpcServer::Listen(const ListenAddress& address) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(address.ToString(), grpc::InsecureServerCredentials(), &port);
  builder.RegisterCallbackGenericService(service_.get());
  builder.SetMaxReceiveMessageSize(max_message_bytes_);
  auto server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return absl::UnavailableError(
        StrCat("cannot listen on ", address.ToString(),
               " (OTLP/gRPC): is another process holding the port? Stop it, or choose another "
               "address (or off)"));
  }
  running_ = std::make_unique<Running>(Running{std::move(server)});
  const std::string host = address.host;
  return host.find(':') != std::string::npos ? StrCat("[", host, "]:", port)
                                             : StrCat(host, ":", port);
}

void OtlpGrpcServer::Stop() {
  if (running_ == nullptr) return;
  running_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  running_.reset();
}

}  // namespace mayak
