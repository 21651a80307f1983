// POST /api/v1/archive/restore: brings archived partitions back into search.
// A restore downloads whole partitions, so it runs on the restore thread,
// streaming each segment to disk; the HTTP thread is free meanwhile.
#include "api/routes.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/timestamps.h"

namespace mayak {
namespace {

struct RestoreRange {
  std::string system;
  int64_t from_day = 0;
  int64_t to_day = 0;
};

// Restores the archived partitions of `range`; answers which were restored
// and which were skipped, and why.
void Restore(LogStore* store, const PartitionArchive* archive, const RestoreRange& range,
             const std::atomic<bool>& stopping, const Respond& respond) {
  if (stopping) {
    respond(JsonError(503, "shutting_down", "the server is shutting down; restore again later"));
    return;
  }
  std::vector<PartitionArchive::DamagedManifest> damaged;
  auto partitions = archive->List(&damaged);
  if (!partitions.ok()) {
    respond(JsonError(502, "archive_unavailable", StatusMessage(partitions.status())));
    return;
  }
  HttpResponse response;
  JsonWriter json(&response.body);
  json.BeginObject();
  std::string skipped;
  JsonWriter skipped_json(&skipped);
  skipped_json.BeginArray();
  json.Key("restored").BeginArray();
  size_t restored = 0;
  for (const ArchivedPartition& p : *partitions) {
    if (p.system != range.system || p.day < range.from_day || p.day > range.to_day) continue;
    std::vector<LogStore::SegmentFetch> fetches;
    for (const ArchivedSegment& segment : p.segments) {
      fetches.emplace_back([archive, &p, &segment, &stopping](const std::string& path) {
        return archive->DownloadTo(p, segment, Env::Default(), path, &stopping);
      });
    }
    const absl::Status status = store->RestorePartition(p.system, p.day, fetches);
    if (!status.ok() && stopping) {
      // The server is shutting down: a partition cut short was not restored
      // (RestorePartition keeps all of one or none).
      respond(JsonError(503, "shutting_down",
                        StrCat("the server is shutting down; restored ", restored,
                               " partitions before it stopped; restore the rest again later")));
      return;
    }
    if (!status.ok()) {
      skipped_json.BeginObject();
      skipped_json.Key("system").String(p.system);
      skipped_json.Key("day").String(DayName(p.day));
      skipped_json.Key("reason").String(StatusMessage(status));
      skipped_json.EndObject();
      continue;
    }
    ++restored;
    json.BeginObject();
    json.Key("system").String(p.system);
    json.Key("day").String(DayName(p.day));
    json.Key("segments").Uint(p.segments.size());
    json.Key("records").Uint(p.rows());
    json.EndObject();
  }
  json.EndArray();
  for (const PartitionArchive::DamagedManifest& d : damaged) {
    if (d.system != range.system || d.day < range.from_day || d.day > range.to_day) continue;
    skipped_json.BeginObject();
    skipped_json.Key("system").String(d.system);
    skipped_json.Key("day").String(DayName(d.day));
    skipped_json.Key("reason").String(StrCat("its archived manifest is damaged: ", d.problem));
    skipped_json.EndObject();
  }
  skipped_json.EndArray();
  json.Key("skipped").Raw(skipped);
  json.EndObject();
  respond(std::move(response));
}

}  // namespace

void AddArchiveRoutes(Router* router, const ServerState* state,
                      const PartitionArchive* logs_archive, const PartitionArchive* spans_archive,
                      JobThread* jobs) {
  router->Add(
      "POST", "/api/v1/archive/restore",
      [state, logs_archive, spans_archive, jobs](const HttpRequest& request, Respond respond) {
        LogStore* store = ReadyStoreOrRespond(state, respond);
        if (store == nullptr) return;
        // kind=spans restores spans into the store of spans.
        const std::string kind = request.Param("kind").empty() ? "logs" : request.Param("kind");
        if (kind != "logs" && kind != "spans") {
          respond(JsonError(400, "bad_request",
                            StrCat("kind must be logs or spans, not '", kind, "'")));
          return;
        }
        const PartitionArchive* archive = kind == "spans" ? spans_archive : logs_archive;
        if (kind == "spans") store = state->spans.load();
        if (store == nullptr) {
          respond(JsonError(503, "starting", "the store of spans is not open yet"));
          return;
        }
        if (archive == nullptr) {
          respond(JsonError(409, "no_archive",
                            "no archive is configured (archive.s3.endpoint is empty)"));
          return;
        }
        const std::string system = request.Param("system");
        const std::string from_text = request.Param("from");
        const std::string to_text = request.Param("to").empty() ? from_text : request.Param("to");
        auto from = ParseDay(from_text);
        auto to = ParseDay(to_text);
        if (system.empty() || !from.ok() || !to.ok() || *to < *from) {
          respond(JsonError(400, "bad_request",
                            StrCat("restore needs system=NAME&from=YYYY-MM-DD[&to=YYYY-MM-DD] with "
                                   "from <= to; got system='",
                                   system, "' from='", from_text, "' to='", to_text, "'")));
          return;
        }
        RestoreRange range{system, *from, *to};
        jobs->Post([store, archive, range, respond](const std::atomic<bool>& stopping) {
          Restore(store, archive, range, stopping, respond);
        });
      });
}

}  // namespace mayak
