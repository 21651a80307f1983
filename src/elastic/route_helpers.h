// Pieces shared by the Elasticsearch-compatible routes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/router.h"
#include "common/metrics.h"
#include "elastic/elastic_routes.h"

namespace mayak::elastic {

// Adds a route whose every response carries the product header.
void AddRoute(Router* router, std::string_view method, std::string_view path, HttpHandler handler);

// 201 Created-style JSON replies and plain JSON, with the product header
// added by AddRoute.
HttpResponse Json(int status, std::string body);

// The store when the server is ready; otherwise responds 503 in
// Elasticsearch's shape and returns null.
LogStore* ReadyStoreOrReply(const ServerState* state, const Respond& respond);

// The request body with its content encoding (gzip ...) undone: the body
// as it lies, or decoded into `*decoded`. On an error, responds (413, 415,
// 400) and returns nullopt.
std::optional<std::string_view> DecodedBody(const HttpRequest& request,
                                            const ElasticContext* context, const Respond& respond,
                                            std::string* decoded);

// Index names as Elasticsearch allows them: lower case, not starting with
// '_', '-' or '+', none of \ / * ? " < > | , # : or space.
absl::Status CheckIndexName(std::string_view name);

// _bulk, _doc and _create.
void AddDocumentRoutes(Router* router, const ElasticContext* context, MetricsRegistry* metrics);
// GET /, cluster, license, nodes.
void AddClusterRoutes(Router* router, const ElasticContext* context);
// Templates, policies, pipelines, indices and data streams kept as given.
void AddMetadataRoutes(Router* router, const ElasticContext* context);

}  // namespace mayak::elastic
