// The Elasticsearch-compatible API (docs/elasticsearch.md), served on its
// own listener (default 127.0.0.1:9200): what Elasticsearch clients and
// shippers (Filebeat, Logstash, Fluent Bit, the official client libraries)
// call to send logs — `_bulk`, `_doc`, `_create` — and the calls they make
// at start-up to check the server, its license, and their templates and
// policies. Every response carries `X-Elastic-Product: Elasticsearch`, as
// official clients require, and errors have Elasticsearch's shape.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/router.h"
#include "api/routes.h"
#include "api/server_state.h"
#include "common/metrics.h"
#include "elastic/index_routing.h"
#include "elastic/metadata_store.h"

namespace mayak {

// The version GET / reports: clients and shippers refuse servers older
// than themselves, and 8.x is what today's speak.
inline constexpr std::string_view kElasticsearchVersion = "8.19.0";

struct ElasticContext {
  const ServerState* state = nullptr;
  ApiLimits limits;
  IndexRouting routing;
  MetadataStore* metadata = nullptr;
  std::string node_name;  // GET /'s "name": the host's name
  // `_seq_no` of the next document stored.
  mutable std::atomic<uint64_t> next_seq_no{0};
};

// {"error":{"root_cause":[{type, reason}],"type","reason"},"status"} with
// the product header.
HttpResponse ElasticError(int status, std::string_view type, std::string_view reason);

// A router whose 404 and 405 answers have Elasticsearch's shape.
Router MakeElasticRouter();

// Adds every route; `context` must outlive the router.
void AddElasticRoutes(Router* router, const ElasticContext* context, MetricsRegistry* metrics);

}  // namespace mayak
