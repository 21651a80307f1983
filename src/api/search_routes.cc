#include <chrono>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "api/piped_query.h"
#include "api/query_params.h"
#include "api/routes.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "model/record_json.h"
#include "query/filter.h"
#include "query/kql.h"
#include "query/pipes.h"

namespace mayak {
namespace {

constexpr size_t kDefaultLimit = 100;
// NDJSON replies go out in chunks of about this size.
constexpr size_t kChunkBytes = 64 * 1024;

// Whether the client asked for NDJSON (Accept: application/x-ndjson).
bool WantsNdjson(const HttpRequest& request) {
  const std::string accept = ToLower(request.Header("accept"));
  return Contains(accept, "application/x-ndjson") || Contains(accept, "application/ndjson");
}

// A reply of `count` lines, `line(i, out)` appending the i-th, streamed a
// chunk at a time as it is written: a client reads the first hits while
// the rest are still being formatted. Totals travel in headers, so that
// every line is a record (or a row) and `jq` or a bulk loader needs no
// special case.
HttpResponse NdjsonReply(size_t count, std::function<void(size_t, std::string*)> line,
                         std::vector<std::pair<std::string, std::string>> headers) {
  HttpResponse response;
  response.content_type = "application/x-ndjson";
  response.headers = std::move(headers);
  response.stream = [count, line = std::move(line)](std::shared_ptr<ResponseStream> stream) {
    std::string out;
    for (size_t i = 0; i < count; ++i) {
      line(i, &out);
      out.push_back('\n');
      if (out.size() >= kChunkBytes) {
        if (!stream->Write(std::move(out))) return;  // the client left
        out.clear();
      }
    }
    if (!out.empty()) stream->Write(std::move(out));
    stream->End();
  };
  return response;
}

// A table row as an object by column name, nulls left out.
void WriteRowObject(const std::vector<std::string>& columns, const std::vector<TableCell>& row,
                    JsonWriter* json) {
  json->BeginObject();
  for (size_t c = 0; c < columns.size() && c < row.size(); ++c) {
    if (!row[c]) continue;
    json->Key(columns[c]);
    WriteValueJson(*row[c], json);
  }
  json->EndObject();
}

// A piped query's table: columns, rows, the records matched, whether the
// stages saw only the newest of them, and which columns are estimates.
void WriteTable(const PipedResult& result, JsonWriter* json) {
  json->Key("columns").BeginArray();
  for (const std::string& c : result.table.columns) json->String(c);
  json->EndArray();
  json->Key("rows").BeginArray();
  for (const auto& row : result.table.rows) {
    json->BeginArray();
    for (const TableCell& cell : row) {
      if (cell) {
        WriteValueJson(*cell, json);
      } else {
        json->Null();
      }
    }
    json->EndArray();
  }
  json->EndArray();
  json->Key("total").Uint(result.total);
  if (result.truncated) json->Key("truncated").Bool(true);
  if (!result.approximate.empty()) {
    json->Key("approximate").BeginArray();
    for (const std::string& c : result.approximate) json->String(c);
    json->EndArray();
  }
}

// With explain=true: the filter as parsed and what the scan read and skipped.
void WritePlan(std::string_view filter, const ScanPlan& plan, JsonWriter* json) {
  json->Key("plan").BeginObject();
  auto tree = kql::Parse(filter);
  json->Key("filter").String(tree.ok() ? kql::ToString(*tree) : std::string(filter));
  json->Key("segments").Uint(plan.segments);
  json->Key("segments_skipped_by_time").Uint(plan.segments_skipped_by_time);
  json->Key("row_groups").Uint(plan.row_groups);
  json->Key("row_groups_skipped_by_time").Uint(plan.row_groups_skipped_by_time);
  json->Key("row_groups_skipped_by_index").Uint(plan.row_groups_skipped_by_index);
  json->Key("row_groups_read").Uint(plan.row_groups_read);
  json->Key("memory_records").Uint(plan.memory_records);
  json->EndObject();
}

}  // namespace

void AddSearchRoutes(Router* router, const ServerState* state, const ApiLimits& limits) {
  const HttpHandler handler = [state, limits](const HttpRequest& request, Respond respond) {
    const auto start = std::chrono::steady_clock::now();
    LogStore* store = ReadyStoreOrRespond(state, respond);
    if (store == nullptr) return;
    QueryParams params;
    HttpResponse error;
    if (!ReadQueryParams(request, limits, &params, &error)) return respond(std::move(error));
    // kind=spans searches the spans (docs/tracing.md) with the same language.
    if (const auto kind = params.values.find("kind"); kind != params.values.end()) {
      if (kind->second == "spans") {
        store = state->spans.load();
        if (store == nullptr) {
          return respond(JsonError(503, "starting", "the store of spans is not open yet"));
        }
      } else if (kind->second != "logs") {
        return respond(JsonError(400, "bad_request",
                                 StrCat("kind must be logs or spans, not '", kind->second, "'")));
      }
    }
    SearchRequest search;
    search.from_ns = params.from_ns;
    search.to_ns = params.to_ns;
    const std::optional<uint64_t> limit = params.Count(
        "limit", kDefaultLimit, 0, limits.max_search_hits, "limits.max_search_hits", &error);
    if (!limit) return respond(std::move(error));
    search.limit = *limit;
    search.budget = params.budget;
    const auto explain_param = params.values.find("explain");
    const bool explain = explain_param != params.values.end() &&
                         (explain_param->second == "true" || explain_param->second == "1");
    auto piped = ParsePipes(params.q);
    if (!piped.ok()) return respond(QuerySyntaxError(piped.status()));
    auto filter = Filter::Parse(piped->filter);
    if (!filter.ok()) return respond(QuerySyntaxError(filter.status()));
    search.filter = &*filter;
    const auto took_ms = [start] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now() - start)
          .count();
    };
    const bool ndjson = WantsNdjson(request);
    HttpResponse response;
    JsonWriter json(&response.body);
    json.BeginObject();
    if (!piped->stages.empty()) {
      PipedQueryOptions pipe_limits;
      pipe_limits.max_records = limits.max_search_hits;
      pipe_limits.budget = params.budget;
      pipe_limits.time_zone = params.time_zone;
      auto result =
          RunPipedQuery(*store, *filter, piped->stages, search.from_ns, search.to_ns, pipe_limits);
      if (!result.ok()) {
        if (absl::IsInvalidArgument(result.status())) {
          return respond(kql::SyntaxPosition(result.status()) >= 0
                             ? QuerySyntaxError(result.status())
                             : JsonError(400, "bad_request", StatusMessage(result.status())));
        }
        return respond(QueryFailed(result.status()));
      }
      if (ndjson) {
        auto table = std::make_shared<Table>(std::move(result->table));
        std::vector<std::pair<std::string, std::string>> headers = {
            {"X-Total-Count", StrCat(result->total)}, {"X-Took-Ms", StrCat(took_ms())}};
        if (result->truncated) headers.emplace_back("X-Truncated", "true");
        return respond(NdjsonReply(
            table->rows.size(),
            [table](size_t i, std::string* out) {
              JsonWriter line(out);
              WriteRowObject(table->columns, table->rows[i], &line);
            },
            std::move(headers)));
      }
      WriteTable(*result, &json);
      if (explain) WritePlan(piped->filter, result->plan, &json);
    } else {
      auto result = store->Search(search);
      if (!result.ok()) {
        return respond(QueryFailed(result.status()));
      }
      if (ndjson) {
        auto hits = std::make_shared<std::vector<LogRecord>>(std::move(result->hits));
        return respond(NdjsonReply(
            hits->size(),
            [hits](size_t i, std::string* out) {
              JsonWriter line(out);
              WriteRecordJson((*hits)[i], &line);
            },
            {{"X-Total-Count", StrCat(result->total)}, {"X-Took-Ms", StrCat(took_ms())}}));
      }
      json.Key("hits").BeginArray();
      for (const LogRecord& hit : result->hits) WriteRecordJson(hit, &json);
      json.EndArray();
      json.Key("total").Uint(result->total);
      if (explain) WritePlan(piped->filter, result->plan, &json);
    }
    json.Key("took_ms").Int(took_ms());
    json.EndObject();
    respond(std::move(response));
  };
  router->Add("GET", "/api/v1/search", handler);
  router->Add("POST", "/api/v1/search", handler);
  router->Add("GET", "/api/v1/query", handler);
  router->Add("POST", "/api/v1/query", handler);
}

}  // namespace mayak
