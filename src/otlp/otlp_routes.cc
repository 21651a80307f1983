#include "otlp/otlp_routes.h"

#include <utility>

#include "absl/time/clock.h"
#include "api/body_encoding.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "otlp/otlp_export.h"
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

// POST /v1/logs or /v1/traces.
void AddExportRoute(Router* router, OtlpSignal signal, std::string_view path,
                    const ServerState* state, const ApiLimits& limits, MetricsRegistry* metrics) {
  const IngestCounters counters = OtlpCounters(signal, metrics);
  router->Add(
      "POST", path, [signal, state, limits, counters](const HttpRequest& request, Respond respond) {
        const std::string type = ToLower(request.Header("content-type"));
        Encoding encoding = Encoding::kJson;
        if (type.starts_with(kProtobufType)) {
          encoding = Encoding::kProtobuf;
        } else if (!type.starts_with(kJsonType)) {
          return respond(RpcError(Encoding::kJson, 415, kInvalidArgument,
                                  StrCat("unsupported Content-Type '", type, "': send ",
                                         kProtobufType, " or ", kJsonType)));
        }
        LogStore* store = OtlpStore(signal, *state);
        if (store == nullptr) {
          HttpResponse busy = RpcError(encoding, 503, kUnavailable, "the server is not ready");
          busy.headers.emplace_back("Retry-After", "1");
          return respond(std::move(busy));
        }
        std::string decoded;
        auto body = DecodeContentEncoding(request.Header("content-encoding"), request.body,
                                          limits.max_body_bytes, &decoded);
        if (!body.ok()) {
          const int status = HttpStatusOfBodyError(body.status());
          return respond(
              RpcError(encoding, status, kInvalidArgument, StatusMessage(body.status())));
        }
        const bool json = encoding == Encoding::kJson;
        auto batch = DecodeOtlpExport(signal, json, *body, absl::GetCurrentTimeNanos());
        if (!batch.ok()) {
          return respond(RpcError(encoding, 400, kInvalidArgument, StatusMessage(batch.status())));
        }
        counters.rejected->Add(batch->rejected);
        const auto reply = [signal, json](uint64_t not_taken, const std::string& why) {
          HttpResponse response;
          if (!json) response.content_type = std::string(kProtobufType);
          response.body = EncodeOtlpExportResponse(signal, json, not_taken, why);
          return response;
        };
        if (batch->rows.empty()) return respond(reply(batch->rejected, batch->first_error));
        const size_t count = batch->rows.size();
        store->Append(std::move(batch->rows), [respond = std::move(respond), encoding, reply, count,
                                               counters, not_taken = batch->rejected,
                                               why =
                                                   batch->first_error](const absl::Status& status) {
          if (!status.ok()) {
            HttpResponse busy = RpcError(encoding, 503, kUnavailable,
                                         StrCat("not stored: ", status.message(), "; retry later"));
            busy.headers.emplace_back("Retry-After", "1");
            return respond(std::move(busy));
          }
          counters.records->Add(count);
          respond(reply(not_taken, why));
        });
      });
}

}  // namespace

void AddOtlpRoutes(Router* router, const ServerState* state, const ApiLimits& limits,
                   MetricsRegistry* metrics) {
  AddExportRoute(router, OtlpSignal::kLogs, "/v1/logs", state, limits, metrics);
  AddExportRoute(router, OtlpSignal::kTraces, "/v1/traces", state, limits, metrics);
}

}  // namespace mayak
