#include "zipkin/zipkin_routes.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "api/body_encoding.h"
#include "api/ingest_counters.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "zipkin/zipkin_spans.h"

namespace mayak {
namespace {

HttpResponse Accepted() {
  HttpResponse response;
  response.status = 202;
  response.content_type = "text/plain; charset=utf-8";
  return response;
}

HttpResponse TextError(int status, std::string_view message) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = StrCat(message, "\n");
  return response;
}

}  // namespace

Router MakeZipkinRouter() {
  return Router([](int status, std::string_view, std::string_view message) {
    return TextError(status, message);
  });
}

void AddZipkinRoutes(Router* router, const ServerState* state, const ApiLimits& limits,
                     MetricsRegistry* metrics) {
  const IngestCounters counters = GetSpanIngestCounters(metrics);
  router->Add("POST", "/api/v2/spans",
              [state, limits, counters](const HttpRequest& request, Respond respond) {
                const std::string type = ToLower(request.Header("content-type"));
                const bool protobuf = type.starts_with("application/x-protobuf");
                if (!type.empty() && !protobuf && !type.starts_with("application/json")) {
                  return respond(
                      TextError(415, StrCat("unsupported Content-Type '", type,
                                            "': Mayak takes Zipkin v2 spans as application/json or "
                                            "application/x-protobuf (proto3)")));
                }
                LogStore* spans =
                    state->phase.load() == ServerPhase::kReady ? state->spans.load() : nullptr;
                if (spans == nullptr) {
                  HttpResponse busy = TextError(503, "the server is not ready");
                  busy.headers.emplace_back("Retry-After", "1");
                  return respond(std::move(busy));
                }
                std::string inflated;
                auto body = DecodeContentEncoding(request.Header("content-encoding"), request.body,
                                                  limits.max_body_bytes, &inflated);
                if (!body.ok()) {
                  const int status = HttpStatusOfBodyError(body.status());
                  return respond(TextError(status, StatusMessage(body.status())));
                }
                auto decoded = protobuf ? DecodeZipkinProtobuf(*body) : DecodeZipkinJson(*body);
                if (!decoded.ok()) return respond(TextError(400, StatusMessage(decoded.status())));
                if (decoded->empty()) return respond(Accepted());
                const int64_t now = absl::GetCurrentTimeNanos();
                std::vector<LogRecord> rows;
                rows.reserve(decoded->size());
                for (Span& span : *decoded) rows.push_back(SpanToRecord(std::move(span), now));
                const size_t count = rows.size();
                spans->Append(std::move(rows), [respond = std::move(respond), counters,
                                                count](const absl::Status& status) {
                  if (!status.ok()) {
                    HttpResponse busy = TextError(
                        503, StrCat("spans not stored: ", StatusMessage(status), "; retry later"));
                    busy.headers.emplace_back("Retry-After", "1");
                    return respond(std::move(busy));
                  }
                  counters.records->Add(count);
                  respond(Accepted());
                });
              });
}

}  // namespace mayak
