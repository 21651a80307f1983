// GET /api/v1/context?id=...&before=N&after=N: the records around one
// record from the same system, service and host, oldest first: what a
// support engineer reads around an error (the lines before a stack trace,
// the retries after it). The record is found by its `_id`
// (model/record_id.h); its neighbours are looked for within an hour first,
// then anywhere.
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "api/query_params.h"
#include "api/routes.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "model/record_id.h"
#include "model/record_json.h"
#include "query/kql.h"

namespace mayak {
namespace {

constexpr size_t kDefaultContext = 10;
constexpr int64_t kNearbyNanos = 3600LL * 1'000'000'000;
// Records sharing the anchor's nanosecond looked through to find it.
constexpr size_t kMaxSameInstant = 10'000;

// Matches the records of `anchor`'s system, service and host.
std::string SameSourceQuery(const LogRecord& anchor) {
  std::string q = StrCat("system:", kql::Quoted(anchor.system));
  q += anchor.service.empty() ? " and not service.name:*"
                              : StrCat(" and service.name:", kql::Quoted(anchor.service));
  const std::optional<AttributeValue> host = GetFieldValue(anchor, "host.name");
  const std::string* host_name = host ? std::get_if<std::string>(&*host) : nullptr;
  q += host_name == nullptr ? " and not host.name:*"
                            : StrCat(" and host.name:", kql::Quoted(*host_name));
  return q;
}

// Up to `limit` records of `filter` on one side of `ts`: within an hour
// first, then anywhere; oldest first either way.
absl::StatusOr<std::vector<LogRecord>> Neighbours(const LogStore& store, const Filter& filter,
                                                  int64_t ts, size_t limit, bool after,
                                                  const QueryBudget& budget) {
  if (limit == 0) return std::vector<LogRecord>();
  SearchRequest search;
  search.filter = &filter;
  search.limit = limit;
  search.oldest_first = after;
  search.budget = budget;
  std::vector<LogRecord> found;
  for (const int64_t reach : {kNearbyNanos, INT64_MAX}) {
    if (after) {
      search.from_ns = ts + 1;
      search.to_ns = reach == INT64_MAX || ts > INT64_MAX - reach ? INT64_MAX : ts + reach;
    } else {
      search.from_ns = reach == INT64_MAX || ts < INT64_MIN + reach ? INT64_MIN : ts - reach;
      search.to_ns = ts - 1;
    }
    absl::StatusOr<SearchResult> result = store.Search(search);
    if (!result.ok()) return result.status();
    found = std::move(result->hits);
    if (found.size() >= limit || reach == INT64_MAX) break;
  }
  if (!after) std::reverse(found.begin(), found.end());  // newest first -> oldest first
  return found;
}

}  // namespace

void AddContextRoutes(Router* router, const ServerState* state, const ApiLimits& limits) {
  router->Add(
      "GET", "/api/v1/context", [state, limits](const HttpRequest& request, Respond respond) {
        const auto start = std::chrono::steady_clock::now();
        LogStore* store = ReadyStoreOrRespond(state, respond);
        if (store == nullptr) return;
        QueryParams params;
        HttpResponse error;
        if (!ReadQueryParams(request, limits, &params, &error)) return respond(std::move(error));
        const auto id_param = params.values.find("id");
        if (id_param == params.values.end() || id_param->second.empty()) {
          return respond(JsonError(400, "bad_id", "id is missing: give the _id of a hit"));
        }
        absl::StatusOr<RecordIdParts> id = ParseRecordId(id_param->second);
        if (!id.ok()) return respond(JsonError(400, "bad_id", StatusMessage(id.status())));
        const std::optional<uint64_t> before = params.Count(
            "before", kDefaultContext, 0, limits.max_search_hits, "limits.max_search_hits", &error);
        if (!before) return respond(std::move(error));
        const std::optional<uint64_t> after = params.Count(
            "after", kDefaultContext, 0, limits.max_search_hits, "limits.max_search_hits", &error);
        if (!after) return respond(std::move(error));

        // The record: among those of its nanosecond, the one with its hash.
        SearchRequest at;
        at.from_ns = id->timestamp_ns;
        at.to_ns = id->timestamp_ns;
        at.limit = kMaxSameInstant;
        at.budget = params.budget;
        absl::StatusOr<SearchResult> same_instant = store->Search(at);
        if (!same_instant.ok()) return respond(QueryFailed(same_instant.status()));
        const auto anchor =
            std::find_if(same_instant->hits.begin(), same_instant->hits.end(),
                         [&id](const LogRecord& r) { return RecordHash(r) == id->hash; });
        if (anchor == same_instant->hits.end()) {
          return respond(JsonError(404, "record_not_found",
                                   StrCat("no record has id ", id_param->second,
                                          ": it may have passed its retention, or the id is "
                                          "mistyped")));
        }
        absl::StatusOr<Filter> same_source = Filter::Parse(SameSourceQuery(*anchor));
        if (!same_source.ok()) return respond(QueryFailed(same_source.status()));
        auto earlier =
            Neighbours(*store, *same_source, id->timestamp_ns, *before, false, params.budget);
        if (!earlier.ok()) return respond(QueryFailed(earlier.status()));
        auto later =
            Neighbours(*store, *same_source, id->timestamp_ns, *after, true, params.budget);
        if (!later.ok()) return respond(QueryFailed(later.status()));

        HttpResponse response;
        JsonWriter json(&response.body);
        json.BeginObject().Key("records").BeginArray();
        for (const LogRecord& r : *earlier) WriteRecordJson(r, &json);
        WriteRecordJson(*anchor, &json);
        // Others of the same source and nanosecond follow it, in the order
        // storage gives them (it keeps none finer than the timestamp).
        uint64_t listed_after = 0;
        for (const LogRecord& r : same_instant->hits) {
          if (&r == &*anchor || listed_after >= *after || !same_source->Matches(r)) continue;
          WriteRecordJson(r, &json);
          ++listed_after;
        }
        for (const LogRecord& r : *later) {
          if (listed_after++ >= *after) break;
          WriteRecordJson(r, &json);
        }
        json.EndArray();
        json.Key("anchor").Uint(earlier->size());
        json.Key("took_ms").Int(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - start)
                                    .count());
        json.EndObject();
        respond(std::move(response));
      });
}

}  // namespace mayak
