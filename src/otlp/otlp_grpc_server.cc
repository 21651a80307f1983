#include "otlp/otlp_grpc_server.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "api/ingest_counters.h"
#include "common/strings.h"
#include "otlp/otlp_logs.h"

namespace mayak {
namespace {

constexpr std::string_view kExportMethod =
    "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

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
        records_(GetIngestCounters(metrics).records),
        rejected_(GetIngestCounters(metrics).rejected) {}

  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    return new Call(this, ctx->method() == kExportMethod);
  }

 private:
  // One Export call: read the request, store its records, reply once they
  // are durable.
  class Call : public grpc::ServerGenericBidiReactor {
   public:
    Call(Service* service, bool export_method) : service_(service) {
      if (!export_method) {
        Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                            "Mayak serves only LogsService/Export over OTLP/gRPC"));
        return;
      }
      StartRead(&request_);
    }

    void OnReadDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request message"));
        return;
      }
      const std::string body = Flatten(request_);
      auto batch = DecodeOtlpLogsProtobuf(body, absl::GetCurrentTimeNanos());
      if (!batch.ok()) {
        Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            std::string(batch.status().message())));
        return;
      }
      service_->rejected_->Add(batch->rejected);
      const ServerState* state = service_->state_;
      LogStore* store = state->phase.load() == ServerPhase::kReady ? state->store.load() : nullptr;
      if (store == nullptr) {
        Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is not ready"));
        return;
      }
      if (batch->records.empty()) return Reply(batch->rejected, batch->first_error);
      const size_t count = batch->records.size();
      store->Append(std::move(batch->records),
                    [this, count, not_taken = batch->rejected,
                     why = batch->first_error](const absl::Status& status) {
                      if (!status.ok()) {
                        Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                            StrCat("records not stored: ", status.message())));
                        return;
                      }
                      service_->records_->Add(count);
                      Reply(not_taken, why);
                    });
    }

    void OnWriteDone(bool /*ok*/) override {}
    void OnDone() override { delete this; }

   private:
    void Reply(uint64_t not_taken, const std::string& why) {
      const std::string bytes = EncodeExportLogsResponseProtobuf(not_taken, why);
      grpc::Slice slice(bytes.data(), bytes.size());
      response_ = grpc::ByteBuffer(&slice, 1);
      StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
    }

    Service* service_;
    grpc::ByteBuffer request_;
    grpc::ByteBuffer response_;
  };

  const ServerState* state_;
  Counter* records_;
  Counter* rejected_;
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
