// Index templates, legacy templates, ILM policies, ingest pipelines, indices
// and data streams: created by shippers at start-up, kept in the
// MetadataStore and returned as given. Mayak routes and retains logs by its
// own rules; these answer the shippers' "is my template there?".
#include <string>

#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "elastic/route_helpers.h"

namespace mayak::elastic {
namespace {

HttpResponse Acknowledged() { return Json(200, R"({"acknowledged":true})"); }

HttpResponse NotFound(std::string_view what, std::string_view name) {
  return ElasticError(404, "resource_not_found_exception",
                      StrCat(what, " matching [", name, "] not found"));
}

HttpResponse StoreFailed(const absl::Status& status) {
  if (status.code() == absl::StatusCode::kInvalidArgument) {
    return ElasticError(400, "parse_exception", StatusMessage(status));
  }
  return ElasticError(500, "io_exception", StatusMessage(status));
}

// `object` (compact JSON "{...}") with `members` ("\"a\":1") put first.
std::string WithMembers(std::string_view members, std::string_view object) {
  std::string out = StrCat("{", members);
  if (object.size() > 2)
    StrAppend(&out, ",", object.substr(1));
  else
    out.push_back('}');
  return out;
}

// PUT, GET (one, a pattern, or all) and HEAD of one kind of named body.
// `render` writes the GET reply of the bodies found.
using Render = std::string (*)(const std::vector<std::pair<std::string, std::string>>&);

void AddKind(Router* router, const ElasticContext* context, std::string_view path,
             MetadataKind kind, std::string_view what, Render render) {
  MetadataStore* store = context->metadata;
  const std::string named = StrCat(path, "/{name}");
  const HttpHandler put = [context, store, kind](const HttpRequest& request,
                                                 const Respond& respond) {
    std::string decoded;
    auto body = DecodedBody(request, context, respond, &decoded);
    if (!body) return;
    const absl::Status status = store->Put(kind, request.PathParam("name"), *body);
    respond(status.ok() ? Acknowledged() : StoreFailed(status));
  };
  AddRoute(router, "PUT", named, put);
  AddRoute(router, "POST", named, put);
  const auto get = [store, kind, what = std::string(what), render](std::string_view pattern,
                                                                   const Respond& respond) {
    const auto found = store->Find(kind, pattern);
    if (found.empty() && pattern != "*") return respond(NotFound(what, pattern));
    respond(Json(200, render(found)));
  };
  AddRoute(router, "GET", named, [get](const HttpRequest& request, const Respond& respond) {
    get(request.PathParam("name"), respond);
  });
  AddRoute(router, "GET", path,
           [get](const HttpRequest&, const Respond& respond) { get("*", respond); });
  AddRoute(router, "HEAD", named,
           [store, kind](const HttpRequest& request, const Respond& respond) {
             const bool found = !store->Find(kind, request.PathParam("name")).empty();
             respond(Json(found ? 200 : 404, ""));
           });
}

std::string RenderIndexTemplates(const std::vector<std::pair<std::string, std::string>>& found) {
  std::string body;
  JsonWriter json(&body);
  json.BeginObject().Key("index_templates").BeginArray();
  for (const auto& [name, template_body] : found) {
    json.BeginObject().Key("name").String(name).Key("index_template").Raw(template_body);
    json.EndObject();
  }
  json.EndArray().EndObject();
  return body;
}

// {name: body, ...}: legacy templates and ingest pipelines.
std::string RenderByName(const std::vector<std::pair<std::string, std::string>>& found) {
  std::string body;
  JsonWriter json(&body);
  json.BeginObject();
  for (const auto& [name, stored] : found) json.Key(name).Raw(stored);
  json.EndObject();
  return body;
}

// {name: {version, policy...}}: the PUT body is {"policy": {...}}.
std::string RenderPolicies(const std::vector<std::pair<std::string, std::string>>& found) {
  std::string body;
  JsonWriter json(&body);
  json.BeginObject();
  for (const auto& [name, stored] : found)
    json.Key(name).Raw(WithMembers(R"("version":1)", stored));
  json.EndObject();
  return body;
}

std::string RenderDataStreams(const std::vector<std::pair<std::string, std::string>>& found) {
  std::string body;
  JsonWriter json(&body);
  json.BeginObject().Key("data_streams").BeginArray();
  for (const auto& [name, stored] : found) {
    json.BeginObject().Key("name").String(name);
    json.Key("timestamp_field").BeginObject().Key("name").String("@timestamp").EndObject();
    json.Key("indices").BeginArray().EndArray();
    json.Key("generation").Int(1).Key("status").String("GREEN");
    json.EndObject();
  }
  json.EndArray().EndObject();
  return body;
}

void AddIndexRoutes(Router* router, const ElasticContext* context) {
  MetadataStore* store = context->metadata;
  AddRoute(
      router, "PUT", "/{index}",
      [context, store](const HttpRequest& request, const Respond& respond) {
        const std::string name = request.PathParam("index");
        if (absl::Status valid = CheckIndexName(name); !valid.ok()) {
          return respond(ElasticError(400, "invalid_index_name_exception", StatusMessage(valid)));
        }
        std::string decoded;
        auto settings = DecodedBody(request, context, respond, &decoded);
        if (!settings) return;
        auto added = store->PutIfAbsent(MetadataKind::kIndex, name,
                                        StripWhitespace(*settings).empty() ? "{}" : *settings);
        if (!added.ok()) return respond(StoreFailed(added.status()));
        if (!*added) {
          return respond(ElasticError(400, "resource_already_exists_exception",
                                      StrCat("index [", name, "] already exists")));
        }
        std::string body;
        JsonWriter(&body)
            .BeginObject()
            .Key("acknowledged")
            .Bool(true)
            .Key("shards_acknowledged")
            .Bool(true)
            .Key("index")
            .String(name)
            .EndObject();
        respond(Json(200, std::move(body)));
      });
  const auto exists = [store](std::string_view pattern) {
    return !store->Find(MetadataKind::kIndex, pattern).empty() ||
           !store->Find(MetadataKind::kDataStream, pattern).empty();
  };
  AddRoute(router, "HEAD", "/{index}",
           [exists](const HttpRequest& request, const Respond& respond) {
             respond(Json(exists(request.PathParam("index")) ? 200 : 404, ""));
           });
  AddRoute(router, "GET", "/{index}", [store](const HttpRequest& request, const Respond& respond) {
    const std::string pattern = request.PathParam("index");
    const auto found = store->Find(MetadataKind::kIndex, pattern);
    if (found.empty()) {
      return respond(
          ElasticError(404, "index_not_found_exception", StrCat("no such index [", pattern, "]")));
    }
    std::string body;
    JsonWriter json(&body);
    json.BeginObject();
    for (const auto& [name, stored] : found) {
      json.Key(name).Raw(WithMembers(R"("aliases":{},"mappings":{},"settings":{})", stored));
    }
    json.EndObject();
    respond(Json(200, std::move(body)));
  });
}

void AddDataStreamRoutes(Router* router, const ElasticContext* context) {
  MetadataStore* store = context->metadata;
  AddRoute(
      router, "PUT", "/_data_stream/{name}",
      [store](const HttpRequest& request, const Respond& respond) {
        const std::string name = request.PathParam("name");
        if (absl::Status valid = CheckIndexName(name); !valid.ok()) {
          return respond(ElasticError(400, "invalid_index_name_exception", StatusMessage(valid)));
        }
        auto added = store->PutIfAbsent(MetadataKind::kDataStream, name, "{}");
        if (!added.ok()) return respond(StoreFailed(added.status()));
        if (!*added) {
          return respond(ElasticError(400, "resource_already_exists_exception",
                                      StrCat("data_stream [", name, "] already exists")));
        }
        respond(Acknowledged());
      });
  const auto get = [store](std::string_view pattern, const Respond& respond) {
    const auto found = store->Find(MetadataKind::kDataStream, pattern);
    if (found.empty() && pattern != "*") {
      return respond(
          ElasticError(404, "index_not_found_exception", StrCat("no such index [", pattern, "]")));
    }
    respond(Json(200, RenderDataStreams(found)));
  };
  AddRoute(router, "GET", "/_data_stream/{name}",
           [get](const HttpRequest& request, const Respond& respond) {
             get(request.PathParam("name"), respond);
           });
  AddRoute(router, "GET", "/_data_stream",
           [get](const HttpRequest&, const Respond& respond) { get("*", respond); });
}

}  // namespace

void AddMetadataRoutes(Router* router, const ElasticContext* context) {
  AddKind(router, context, "/_index_template", MetadataKind::kIndexTemplate, "index template",
          RenderIndexTemplates);
  AddKind(router, context, "/_template", MetadataKind::kLegacyTemplate, "index template",
          RenderByName);
  AddKind(router, context, "/_ilm/policy", MetadataKind::kIlmPolicy, "lifecycle policy",
          RenderPolicies);
  AddKind(router, context, "/_ingest/pipeline", MetadataKind::kIngestPipeline, "pipeline",
          RenderByName);
  AddIndexRoutes(router, context);
  AddDataStreamRoutes(router, context);
}

}  // namespace mayak::elastic
