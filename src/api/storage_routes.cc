// GET /api/v1/storage: what each system holds on disk, against its
// retention settings, and how the last retention run went; logs and spans
// apart (`kind`).
#include <utility>
#include <vector>

#include "api/routes.h"
#include "common/json_writer.h"
#include "common/timestamps.h"

namespace mayak {

void AddStorageRoutes(Router* router, const ServerState* state) {
  router->Add("GET", "/api/v1/storage", [state](const HttpRequest&, Respond respond) {
    LogStore* store = ReadyStoreOrRespond(state, respond);
    if (store == nullptr) return;
    HttpResponse response;
    JsonWriter json(&response.body);
    json.BeginObject();
    json.Key("systems").BeginArray();
    // Logs, then spans (kind "spans"), each system once per kind.
    std::vector<SystemUsage> usage = store->Usage();
    LogStore* spans = state->spans.load();
    uint64_t wal_bytes = store->Stats().wal_bytes;
    if (spans != nullptr) {
      for (SystemUsage& u : spans->Usage()) usage.push_back(std::move(u));
      wal_bytes += spans->Stats().wal_bytes;
    }
    for (const SystemUsage& u : usage) {
      json.BeginObject();
      json.Key("system").String(u.system);
      json.Key("kind").String(u.kind);
      json.Key("bytes").Uint(u.bytes);
      json.Key("records").Uint(u.records);
      if (u.records > 0) {
        json.Key("oldest").String(FormatRfc3339Millis(u.oldest_ns));
        json.Key("newest").String(FormatRfc3339Millis(u.newest_ns));
      } else {
        json.Key("oldest").Null();
        json.Key("newest").Null();
      }
      json.Key("cap_bytes").Int(u.cap_bytes);
      json.Key("percent_used")
          .Double(u.cap_bytes > 0
                      ? 100.0 * static_cast<double>(u.bytes) / static_cast<double>(u.cap_bytes)
                      : 0.0);
      json.Key("hot_days").Int(u.hot_days);
      json.Key("partitions").Uint(u.partitions);
      json.Key("archived_partitions").Uint(u.archived_partitions);
      json.Key("last_retention");
      if (u.last_retention) {
        json.BeginObject();
        json.Key("time").String(FormatRfc3339Millis(u.last_retention->time_ns));
        json.Key("outcome").String(u.last_retention->outcome);
        json.Key("dropped_partitions").Uint(u.last_retention->dropped_partitions);
        json.Key("dropped_bytes").Uint(u.last_retention->dropped_bytes);
        json.EndObject();
      } else {
        json.Null();
      }
      json.EndObject();
    }
    json.EndArray();
    json.Key("wal_bytes").Uint(wal_bytes);
    json.EndObject();
    respond(std::move(response));
  });
}

}  // namespace mayak
