#include <chrono>

#include "absl/time/clock.h"
#include "api/piped_query.h"
#include "api/routes.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "common/units.h"
#include "model/record_json.h"
#include "query/filter.h"
#include "query/kql.h"
#include "query/pipes.h"
#include "simdjson.h"

namespace mayak {
namespace {

// A query the filter parser refused: 400 with the position it names, so
// clients can point at it (the CLI prints a caret there).
HttpResponse QuerySyntaxError(const absl::Status& status) {
  HttpResponse response;
  response.status = 400;
  JsonWriter json(&response.body);
  json.BeginObject().Key("error").BeginObject();
  json.Key("code").String("query_syntax").Key("message").String(StatusMessage(status));
  if (const int64_t position = kql::SyntaxPosition(status); position >= 0) {
    json.Key("position").Int(position);
  }
  json.EndObject().EndObject();
  return response;
}

constexpr int64_t kDefaultLookbackNanos = 15LL * 60 * kNanosPerSecond;
constexpr size_t kDefaultLimit = 100;

// q, from, to and limit, from the query string, a form body or a JSON body.
struct SearchParams {
  std::string q, from, to, limit;
};

absl::StatusOr<SearchParams> ReadParams(const HttpRequest& request) {
  SearchParams p{request.Param("q"), request.Param("from"), request.Param("to"),
                 request.Param("limit")};
  if (request.method != "POST" || StripWhitespace(request.body).empty()) return p;
  if (Contains(ToLower(request.Header("content-type")), "json")) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (auto error = parser.parse(request.body).get(doc); error || !doc.is_object()) {
      return absl::InvalidArgumentError(
          "the body is not a JSON object such as {\"q\":\"...\",\"from\":\"now-1h\"}");
    }
    const simdjson::dom::object object = doc.get_object().value_unsafe();
    for (auto [key, value] : object) {
      std::string text;
      if (value.is_string()) {
        text = std::string(value.get_string().value_unsafe());
      } else if (value.is_number()) {
        text = simdjson::minify(value);
      } else {
        return absl::InvalidArgumentError(StrCat("'", key, "' must be a string or number"));
      }
      if (key == "q" || key == "query") p.q = text;
      if (key == "from") p.from = text;
      if (key == "to") p.to = text;
      if (key == "limit") p.limit = text;
    }
    return p;
  }
  const auto form = ParseQueryString(request.body);
  const auto get = [&form](const char* k, std::string* out) {
    if (auto it = form.find(k); it != form.end()) *out = it->second;
  };
  get("q", &p.q);
  get("from", &p.from);
  get("to", &p.to);
  get("limit", &p.limit);
  return p;
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

}  // namespace

void AddSearchRoutes(Router* router, const ServerState* state, const ApiLimits& limits) {
  const HttpHandler handler = [state, limits](const HttpRequest& request, Respond respond) {
    const auto start = std::chrono::steady_clock::now();
    LogStore* store = ReadyStoreOrRespond(state, respond);
    if (store == nullptr) return;
    auto params = ReadParams(request);
    if (!params.ok()) return respond(JsonError(400, "bad_request", StatusMessage(params.status())));

    const int64_t now = absl::GetCurrentTimeNanos();
    SearchRequest search;
    search.from_ns = now - kDefaultLookbackNanos;
    search.to_ns = now;
    if (!params->from.empty()) {
      auto from = ParseTimeBound(params->from, now);
      if (!from.ok()) {
        return respond(JsonError(400, "bad_time", StrCat("from: ", StatusMessage(from.status()))));
      }
      search.from_ns = *from;
    }
    if (!params->to.empty()) {
      auto to = ParseTimeBound(params->to, now);
      if (!to.ok()) {
        return respond(JsonError(400, "bad_time", StrCat("to: ", StatusMessage(to.status()))));
      }
      search.to_ns = *to;
    }
    if (search.from_ns > search.to_ns) {
      return respond(JsonError(400, "bad_time", "from is later than to"));
    }
    search.limit = kDefaultLimit;
    if (!params->limit.empty()) {
      uint64_t limit = 0;
      if (!ParseInt(params->limit, &limit) || limit > limits.max_search_hits) {
        return respond(JsonError(400, "bad_limit",
                                 StrCat("limit: '", params->limit, "' is not a number from 0 to ",
                                        limits.max_search_hits, " (limits.max_search_hits)")));
      }
      search.limit = limit;
    }
    auto piped = ParsePipes(params->q);
    if (!piped.ok()) return respond(QuerySyntaxError(piped.status()));
    auto filter = Filter::Parse(piped->filter);
    if (!filter.ok()) return respond(QuerySyntaxError(filter.status()));
    search.filter = &*filter;
    HttpResponse response;
    JsonWriter json(&response.body);
    json.BeginObject();
    if (!piped->stages.empty()) {
      PipedQueryLimits pipe_limits;
      pipe_limits.max_records = limits.max_search_hits;
      auto result =
          RunPipedQuery(*store, *filter, piped->stages, search.from_ns, search.to_ns, pipe_limits);
      if (!result.ok()) {
        if (absl::IsInvalidArgument(result.status())) {
          return respond(kql::SyntaxPosition(result.status()) >= 0
                             ? QuerySyntaxError(result.status())
                             : JsonError(400, "bad_request", StatusMessage(result.status())));
        }
        return respond(JsonError(500, "search_failed", StatusMessage(result.status())));
      }
      WriteTable(*result, &json);
    } else {
      auto result = store->Search(search);
      if (!result.ok()) {
        return respond(JsonError(500, "search_failed", StatusMessage(result.status())));
      }
      json.Key("hits").BeginArray();
      for (const LogRecord& hit : result->hits) WriteRecordJson(hit, &json);
      json.EndArray();
      json.Key("total").Uint(result->total);
    }
    json.Key("took_ms").Int(std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - start)
                                .count());
    json.EndObject();
    respond(std::move(response));
  };
  router->Add("GET", "/api/v1/search", handler);
  router->Add("POST", "/api/v1/search", handler);
  router->Add("GET", "/api/v1/query", handler);
  router->Add("POST", "/api/v1/query", handler);
}

}  // namespace mayak
