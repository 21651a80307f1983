#include <algorithm>
#include <memory>

#include "absl/time/clock.h"
#include "api/body_encoding.h"
#include "api/ingest_counters.h"
#include "api/routes.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "pipeline/ndjson_decoder.h"

namespace mayak {
namespace {

// Error lists in replies are capped; the counts stay exact.
constexpr size_t kMaxReportedErrors = 1000;

void WriteLineErrors(const std::vector<LineError>& errors, JsonWriter* json) {
  json->Key("errors").BeginArray();
  for (size_t i = 0; i < std::min(errors.size(), kMaxReportedErrors); ++i) {
    json->BeginObject().Key("line").Uint(errors[i].line).Key("reason").String(errors[i].reason);
    json->EndObject();
  }
  json->EndArray();
}

}  // namespace

void AddIngestRoutes(Router* router, const ServerState* state, const ApiLimits& limits,
                     MetricsRegistry* metrics) {
  const IngestCounters m = GetIngestCounters(metrics);
  router->Add(
      "POST", "/api/v1/logs", [state, limits, m](const HttpRequest& request, Respond respond) {
        LogStore* store = ReadyStoreOrRespond(state, respond);
        if (store == nullptr) return;
        std::string decoded;
        auto body = DecodeContentEncoding(request.Header("content-encoding"), request.body,
                                          limits.max_body_bytes, &decoded);
        if (!body.ok()) {
          switch (body.status().code()) {
            case absl::StatusCode::kUnimplemented:
              return respond(JsonError(415, "unsupported_encoding", StatusMessage(body.status())));
            case absl::StatusCode::kResourceExhausted:
              return respond(JsonError(413, "body_too_large", StatusMessage(body.status())));
            default:
              return respond(JsonError(400, "bad_encoding", StatusMessage(body.status())));
          }
        }
        NdjsonDecoder decoder(limits.max_line_bytes);
        DecodedBatch batch = decoder.Decode(*body, absl::GetCurrentTimeNanos());
        m.rejected->Add(batch.errors.size());
        if (batch.records.empty()) {
          if (batch.errors.empty()) {
            return respond(JsonError(400, "empty_body",
                                     "the body has no records: send one JSON object per line"));
          }
          HttpResponse response;
          response.status = 400;
          JsonWriter json(&response.body);
          json.BeginObject().Key("error").BeginObject();
          json.Key("code").String("not_ndjson");
          json.Key("message").String(StrCat("no line of the body is a JSON object; line ",
                                            batch.errors[0].line, ": ", batch.errors[0].reason));
          json.EndObject();
          json.Key("accepted").Uint(0).Key("rejected").Uint(batch.errors.size());
          WriteLineErrors(batch.errors, &json);
          json.EndObject();
          return respond(std::move(response));
        }
        const size_t accepted = batch.records.size();
        auto errors = std::make_shared<std::vector<LineError>>(std::move(batch.errors));
        const size_t input_bytes = batch.input_bytes;
        store->Append(std::move(batch.records), [respond = std::move(respond), accepted, errors,
                                                 input_bytes, m](absl::Status status) {
          if (status.code() == absl::StatusCode::kInvalidArgument) {
            return respond(JsonError(413, "body_too_large", StatusMessage(status)));
          }
          if (!status.ok()) {
            HttpResponse response =
                JsonError(503, "storage_unavailable",
                          StrCat("records not stored: ", status.message(), "; retry later"));
            response.headers.emplace_back("Retry-After", "1");
            return respond(std::move(response));
          }
          m.records->Add(accepted);
          m.bytes->Add(input_bytes);
          HttpResponse response;
          JsonWriter json(&response.body);
          json.BeginObject();
          json.Key("accepted").Uint(accepted).Key("rejected").Uint(errors->size());
          WriteLineErrors(*errors, &json);
          json.EndObject();
          respond(std::move(response));
        });
      });
}

}  // namespace mayak
