// GET / and the cluster, license and node calls that clients make before
// they send anything. Mayak is one node of one cluster, always green: what
// it reports is true of it, in the shape clients parse.
#include "common/json_writer.h"
#include "elastic/route_helpers.h"

namespace mayak::elastic {
namespace {

constexpr std::string_view kClusterName = "mayak";
constexpr std::string_view kLuceneVersion = "9.12.1";  // what 8.19 reports

void WriteVersion(JsonWriter* json) {
  json->Key("version").BeginObject();
  json->Key("number").String(kElasticsearchVersion);
  json->Key("build_flavor").String("default");
  json->Key("build_type").String("tar");
  json->Key("build_hash").String("mayak");
  json->Key("build_snapshot").Bool(false);
  json->Key("lucene_version").String(kLuceneVersion);
  json->Key("minimum_wire_compatibility_version").String("7.17.0");
  json->Key("minimum_index_compatibility_version").String("7.0.0");
  json->EndObject();
}

void WriteLicense(JsonWriter* json, const ElasticContext* context) {
  json->BeginObject();
  json->Key("uid").String(context->metadata->cluster_uuid());
  json->Key("type").String("basic").Key("mode").String("basic").Key("status").String("active");
  json->EndObject();
}

}  // namespace

void AddClusterRoutes(Router* router, const ElasticContext* context) {
  AddRoute(router, "GET", "/", [context](const HttpRequest&, const Respond& respond) {
    std::string body;
    JsonWriter json(&body);
    json.BeginObject();
    json.Key("name").String(context->node_name);
    json.Key("cluster_name").String(kClusterName);
    json.Key("cluster_uuid").String(context->metadata->cluster_uuid());
    WriteVersion(&json);
    json.Key("tagline").String("You Know, for Search");
    json.EndObject();
    respond(Json(200, std::move(body)));
  });

  const HttpHandler health = [](const HttpRequest&, const Respond& respond) {
    std::string body;
    JsonWriter json(&body);
    json.BeginObject();
    json.Key("cluster_name").String(kClusterName);
    json.Key("status").String("green").Key("timed_out").Bool(false);
    json.Key("number_of_nodes").Int(1).Key("number_of_data_nodes").Int(1);
    for (std::string_view zero :
         {"active_primary_shards", "active_shards", "relocating_shards", "initializing_shards",
          "unassigned_shards", "delayed_unassigned_shards", "number_of_pending_tasks",
          "number_of_in_flight_fetch", "task_max_waiting_in_queue_millis"}) {
      json.Key(zero).Int(0);
    }
    json.Key("active_shards_percent_as_number").Double(100.0);
    json.EndObject();
    respond(Json(200, std::move(body)));
  };
  AddRoute(router, "GET", "/_cluster/health", health);
  AddRoute(router, "GET", "/_cluster/health/{index}", health);

  AddRoute(router, "GET", "/_license", [context](const HttpRequest&, const Respond& respond) {
    std::string body;
    JsonWriter json(&body);
    json.BeginObject().Key("license");
    WriteLicense(&json, context);
    json.EndObject();
    respond(Json(200, std::move(body)));
  });

  AddRoute(router, "GET", "/_xpack", [context](const HttpRequest&, const Respond& respond) {
    std::string body;
    JsonWriter json(&body);
    json.BeginObject();
    json.Key("build").BeginObject().Key("hash").String("mayak").EndObject();
    json.Key("license");
    WriteLicense(&json, context);
    // Shippers ask whether ILM is there before they install policies; the
    // policies are kept (see metadata routes), retention is Mayak's own.
    json.Key("features").BeginObject();
    json.Key("ilm").BeginObject().Key("available").Bool(true).Key("enabled").Bool(true).EndObject();
    json.Key("security").BeginObject().Key("available").Bool(false);
    json.Key("enabled").Bool(false).EndObject();
    json.EndObject();
    json.Key("tagline").String("You know, for X");
    json.EndObject();
    respond(Json(200, std::move(body)));
  });

  const HttpHandler nodes = [context](const HttpRequest& request, const Respond& respond) {
    // Sniffing clients connect to publish_address: the address they used.
    std::string address = request.Header("host");
    if (address.empty()) address = "127.0.0.1:9200";
    std::string body;
    JsonWriter json(&body);
    json.BeginObject();
    json.Key("_nodes").BeginObject().Key("total").Int(1).Key("successful").Int(1);
    json.Key("failed").Int(0).EndObject();
    json.Key("cluster_name").String(kClusterName);
    json.Key("nodes").BeginObject().Key(context->metadata->cluster_uuid()).BeginObject();
    json.Key("name").String(context->node_name);
    json.Key("version").String(kElasticsearchVersion);
    json.Key("roles").BeginArray().String("data").String("ingest").String("master").EndArray();
    json.Key("http").BeginObject().Key("publish_address").String(address).EndObject();
    json.EndObject().EndObject();
    json.EndObject();
    respond(Json(200, std::move(body)));
  };
  AddRoute(router, "GET", "/_nodes", nodes);
  AddRoute(router, "GET", "/_nodes/{filter}", nodes);
  AddRoute(router, "GET", "/_nodes/{filter}/{metric}", nodes);
}

}  // namespace mayak::elastic
