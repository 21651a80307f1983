#include "elastic/elastic_routes.h"

#include <utility>

#include "api/body_encoding.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "elastic/route_helpers.h"

namespace mayak {
namespace elastic {

void AddRoute(Router* router, std::string_view method, std::string_view path, HttpHandler handler) {
  router->Add(method, path,
              [handler = std::move(handler)](const HttpRequest& request, Respond respond) {
                handler(request, [respond = std::move(respond)](HttpResponse response) {
                  response.headers.emplace_back("X-Elastic-Product", "Elasticsearch");
                  respond(std::move(response));
                });
              });
}

HttpResponse Json(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

LogStore* ReadyStoreOrReply(const ServerState* state, const Respond& respond) {
  const ServerPhase phase = state->phase.load();
  LogStore* store = state->store.load();
  if (phase == ServerPhase::kReady && store != nullptr) return store;
  HttpResponse response = ElasticError(503, "cluster_block_exception",
                                       phase == ServerPhase::kStarting
                                           ? "Mayak is starting (replaying its write-ahead log)"
                                           : "Mayak is shutting down");
  response.headers.emplace_back("Retry-After", "1");
  respond(std::move(response));
  return nullptr;
}

// Index names as Elasticsearch allows them: lower case, not starting with
// '_', '-' or '+', none of \ / * ? " < > | , # : or space.
absl::Status CheckIndexName(std::string_view name) {
  const auto invalid = [name](std::string_view why) {
    return absl::InvalidArgumentError(StrCat("Invalid index name [", name, "], ", why));
  };
  if (name.empty() || name.size() > 255) return invalid("must be 1 to 255 bytes");
  if (name.front() == '_' || name.front() == '-' || name.front() == '+') {
    return invalid("must not start with '_', '-', or '+'");
  }
  if (name == "." || name == "..") return invalid("must not be '.' or '..'");
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') return invalid("must be lowercase");
    if (std::string_view("\\/*?\"<>| ,#:").find(c) != std::string_view::npos) {
      return invalid(StrCat("must not contain '", std::string(1, c), "'"));
    }
  }
  return absl::OkStatus();
}

// The request body with its content encoding undone; on an error, responds
// and returns nullopt.
std::optional<std::string_view> DecodedBody(const HttpRequest& request,
                                            const ElasticContext* context, const Respond& respond,
                                            std::string* decoded) {
  auto body = DecodeContentEncoding(request.Header("content-encoding"), request.body,
                                    context->limits.max_body_bytes, decoded);
  if (body.ok()) return *std::move(body);
  switch (body.status().code()) {
    case absl::StatusCode::kUnimplemented:
      respond(ElasticError(415, "illegal_argument_exception", StatusMessage(body.status())));
      break;
    case absl::StatusCode::kResourceExhausted:
      respond(ElasticError(413, "content_too_long_exception", StatusMessage(body.status())));
      break;
    default:
      respond(ElasticError(400, "parse_exception", StatusMessage(body.status())));
  }
  return std::nullopt;
}

}  // namespace elastic

HttpResponse ElasticError(int status, std::string_view type, std::string_view reason) {
  HttpResponse response;
  response.status = status;
  JsonWriter json(&response.body);
  json.BeginObject().Key("error").BeginObject();
  json.Key("root_cause").BeginArray().BeginObject();
  json.Key("type").String(type).Key("reason").String(reason);
  json.EndObject().EndArray();
  json.Key("type").String(type).Key("reason").String(reason);
  json.EndObject().Key("status").Int(status).EndObject();
  response.headers.emplace_back("X-Elastic-Product", "Elasticsearch");
  return response;
}

Router MakeElasticRouter() {
  return Router([](int status, std::string_view code, std::string_view message) {
    // Elasticsearch's words for the router's and the HTTP server's errors.
    std::string_view type = "illegal_argument_exception";
    if (code == "not_found") type = "no_handler_found_exception";
    if (code == "method_not_allowed") type = "method_not_allowed_exception";
    if (code == "body_too_large") type = "content_too_long_exception";
    if (code == "shutting_down") type = "node_closed_exception";
    HttpResponse response =
        ElasticError(status, type,
                     status == 404 ? StrCat(message,
                                            " (the Elasticsearch-compatible API is "
                                            "described in docs/elasticsearch.md)")
                                   : std::string(message));
    if (status == 503) response.headers.emplace_back("Retry-After", "1");
    return response;
  });
}

void AddElasticRoutes(Router* router, const ElasticContext* context, MetricsRegistry* metrics) {
  elastic::AddClusterRoutes(router, context);
  elastic::AddDocumentRoutes(router, context, metrics);
  elastic::AddMetadataRoutes(router, context);
}

}  // namespace mayak
