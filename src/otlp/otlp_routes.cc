#include "otlp/otlp_routes.h"

#include <utility>

#include "absl/time/clock.h"
#include "api/body_encoding.h"
#include "api/ingest_counters.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "otlp/otlp_logs.h"

namespace mayak {
namespace {

enum class Encoding { kProtobuf, kJson };

constexpr std::string_view kProtobufType = "application/x-protobuf";
constexpr std::string_view kJsonType = "application/json";

// An OTLP error reply: google.rpc.Status in the request's encoding.
HttpResponse RpcError(Encoding encoding, int http_status, int code, std::string_view message) {
  HttpResponse response;
  response.status = http_status;
  if (encoding == Encoding::kProtobuf) {
    response.content_type = std::string(kProtobufType);
    response.body = EncodeRpcStatusProtobuf(code, message);
  } else {
    JsonWriter(&response.body)
        .BeginObject()
        .Key("code")
        .Int(code)
        .Key("message")
        .String(message)
        .EndObject();
  }
  return response;
}

constexpr int kInvalidArgument = 3;  // google.rpc.Code
constexpr int kUnavailable = 14;

}  // namespace

void AddOtlpRoutes(Router* router, const ServerState* state, const ApiLimits& limits,
                   MetricsRegistry* metrics) {
  Counter* records = GetIngestCounters(metrics).records;
  Counter* rejected = GetIngestCounters(metrics).rejected;
  router->Add(
      "POST", "/v1/logs",
      [state, limits, records, rejected](const HttpRequest& request, Respond respond) {
        const std::string type = ToLower(request.Header("content-type"));
        Encoding encoding = Encoding::kJson;
        if (type.starts_with(kProtobufType)) {
          encoding = Encoding::kProtobuf;
        } else if (!type.starts_with(kJsonType)) {
          return respond(RpcError(Encoding::kJson, 415, kInvalidArgument,
                                  StrCat("unsupported Content-Type '", type, "': send ",
                                         kProtobufType, " or ", kJsonType)));
        }
        if (state->phase.load() != ServerPhase::kReady || state->store.load() == nullptr) {
          HttpResponse busy = RpcError(encoding, 503, kUnavailable, "the server is not ready");
          busy.headers.emplace_back("Retry-After", "1");
          return respond(std::move(busy));
        }
        LogStore* store = state->store.load();
        auto body = DecodeContentEncoding(request.Header("content-encoding"), request.body,
                                          limits.max_body_bytes);
        if (!body.ok()) {
          const int status = body.status().code() == absl::StatusCode::kUnimplemented       ? 415
                             : body.status().code() == absl::StatusCode::kResourceExhausted ? 413
                                                                                            : 400;
          return respond(
              RpcError(encoding, status, kInvalidArgument, StatusMessage(body.status())));
        }
        const int64_t now = absl::GetCurrentTimeNanos();
        auto batch = encoding == Encoding::kProtobuf ? DecodeOtlpLogsProtobuf(*body, now)
                                                     : DecodeOtlpLogsJson(*body, now);
        if (!batch.ok()) {
          return respond(RpcError(encoding, 400, kInvalidArgument, StatusMessage(batch.status())));
        }
        rejected->Add(batch->rejected);
        const auto reply = [encoding](uint64_t not_taken, const std::string& why) {
          HttpResponse response;
          if (encoding == Encoding::kProtobuf) {
            response.content_type = std::string(kProtobufType);
            response.body = EncodeExportLogsResponseProtobuf(not_taken, why);
          } else {
            response.body = EncodeExportLogsResponseJson(not_taken, why);
          }
          return response;
        };
        if (batch->records.empty()) return respond(reply(batch->rejected, batch->first_error));
        const size_t count = batch->records.size();
        store->Append(
            std::move(batch->records),
            [respond = std::move(respond), encoding, reply, count, records,
             not_taken = batch->rejected, why = batch->first_error](const absl::Status& status) {
              if (!status.ok()) {
                HttpResponse busy =
                    RpcError(encoding, 503, kUnavailable,
                             StrCat("records not stored: ", status.message(), "; retry later"));
                busy.headers.emplace_back("Retry-After", "1");
                return respond(std::move(busy));
              }
              records->Add(count);
              respond(reply(not_taken, why));
            });
      });
}

}  // namespace mayak
