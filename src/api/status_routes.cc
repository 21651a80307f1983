#include "absl/strings/str_cat.h"
#include "api/routes.h"
#include "common/json_writer.h"

namespace mayak {

LogStore* ReadyStoreOrRespond(const ServerState* state, const Respond& respond) {
  const ServerPhase phase = state->phase.load();
  LogStore* store = state->store.load();
  if (phase == ServerPhase::kReady && store != nullptr) return store;
  HttpResponse response =
      phase == ServerPhase::kStarting
          ? JsonError(503, "starting", "the server is starting (replaying its write-ahead log)")
          : JsonError(503, "shutting_down", "the server is shutting down");
  response.headers.emplace_back("Retry-After", "1");
  respond(std::move(response));
  return nullptr;
}

void AddStatusRoutes(Router* router, const ServerState* state, MetricsRegistry* metrics) {
  router->Add("GET", "/health", [state](const HttpRequest&, Respond respond) {
    HttpResponse response;
    JsonWriter json(&response.body);
    json.BeginObject();
    switch (state->phase.load()) {
      case ServerPhase::kReady:
        json.Key("status").String("ok");
        break;
      case ServerPhase::kStarting:
        response.status = 503;
        json.Key("status").String("starting");
        json.Key("reason").String("replaying the write-ahead log");
        break;
      case ServerPhase::kStopping:
        response.status = 503;
        json.Key("status").String("shutting_down");
        json.Key("reason").String("shutting down");
        break;
    }
    json.EndObject();
    respond(std::move(response));
  });

  router->Add("GET", "/metrics", [metrics](const HttpRequest&, Respond respond) {
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics->RenderPrometheus();
    respond(std::move(response));
  });
}

}  // namespace mayak
