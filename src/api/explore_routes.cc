// GET /api/v1/histogram and GET /api/v1/fields: what a log viewer draws
// beside the hits (a bar chart of counts by level over time, the field list
// with each field's top values).
#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include "api/query_params.h"
#include "api/routes.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "common/units.h"
#include "model/record_json.h"
#include "query/filter.h"
#include "query/pipes.h"

namespace mayak {
namespace {

constexpr size_t kTopValues = 5;

int64_t TookMs(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

// Counts by time bucket and log.level: every bucket of the range, empty ones
// as 0; records without a level count in the bucket's count only.
void ServeHistogram(const LogStore& store, const QueryParams& params, const ApiLimits& limits,
                    const Respond& respond) {
  const auto start = std::chrono::steady_clock::now();
  HttpResponse error;
  std::optional<Filter> filter = ParseFilterOnly(params, "/api/v1/histogram", &error);
  if (!filter) return respond(std::move(error));
  const std::optional<uint64_t> buckets =
      params.Count("buckets", 60, 1, limits.max_histogram_buckets, "", &error);
  if (!buckets) return respond(std::move(error));
  const int64_t span = AutoSpan(params.from_ns, params.to_ns, static_cast<int64_t>(*buckets));
  CountRequest request;
  request.filter = &*filter;
  request.from_ns = params.from_ns;
  request.to_ns = params.to_ns;
  request.bucket_ns = span;
  request.bucket_offset_ns = UtcOffsetNanos(params.time_zone, params.from_ns);
  request.budget = params.budget;
  auto totals = store.Count(request);
  request.group_by = {std::string(field::kLevel)};
  auto by_level = totals.ok() ? store.Count(request) : totals;
  if (!by_level.ok()) {
    return respond(QueryFailed(by_level.status()));
  }
  std::map<int64_t, std::vector<std::pair<std::string, uint64_t>>> levels;
  for (const auto& [key, count] : by_level->groups) {
    levels[key.bucket_ns].emplace_back(std::get<std::string>(key.values[0]), count);
  }
  std::map<int64_t, uint64_t> counts;
  for (const auto& [key, count] : totals->groups) counts[key.bucket_ns] = count;

  HttpResponse response;
  JsonWriter json(&response.body);
  json.BeginObject();
  json.Key("span").String(FormatDuration(span));
  json.Key("span_ms").Int(span / 1'000'000);
  json.Key("buckets").BeginArray();
  const int64_t first = BucketStart(params.from_ns, span, request.bucket_offset_ns);
  for (int64_t bucket = first; bucket <= params.to_ns; bucket += span) {
    json.BeginObject().Key("time").String(FormatRfc3339In(bucket, params.time_zone));
    const auto c = counts.find(bucket);
    json.Key("count").Uint(c == counts.end() ? 0 : c->second);
    json.Key("levels").BeginObject();
    if (auto l = levels.find(bucket); l != levels.end()) {
      for (const auto& [level, count] : l->second) json.Key(level).Uint(count);
    }
    json.EndObject().EndObject();
    if (bucket > INT64_MAX - span) break;
  }
  json.EndArray();
  json.Key("total").Uint(totals->total);
  json.Key("took_ms").Int(TookMs(start));
  json.EndObject();
  respond(std::move(response));
}

// One field's presence and values in the sample.
struct FieldSample {
  uint64_t count = 0;
  std::vector<std::pair<AttributeValue, uint64_t>> values;  // in order first seen
  std::map<AttributeValue, size_t> index;                   // value -> its place in `values`

  void Add(const AttributeValue& v) {
    ++count;
    auto [it, added] = index.try_emplace(v, values.size());
    if (added) values.emplace_back(v, 0);
    ++values[it->second].second;
  }
};

// Field names and types in the range, with the top values of each among
// the newest `sample` matching records (as Kibana's field list shows them).
void ServeFields(const LogStore& store, const QueryParams& params, const ApiLimits& limits,
                 const Respond& respond) {
  const auto start = std::chrono::steady_clock::now();
  HttpResponse error;
  std::optional<Filter> filter = ParseFilterOnly(params, "/api/v1/fields", &error);
  if (!filter) return respond(std::move(error));
  const std::optional<uint64_t> sample =
      params.Count("sample", 500, 1, limits.max_search_hits, "limits.max_search_hits", &error);
  if (!sample) return respond(std::move(error));
  SearchRequest search;
  search.filter = &*filter;
  search.from_ns = params.from_ns;
  search.to_ns = params.to_ns;
  search.limit = *sample;
  search.budget = params.budget;
  auto found = store.Search(search);
  if (!found.ok()) return respond(QueryFailed(found.status()));
  FieldTypes types = store.Fields(params.from_ns, params.to_ns);
  std::map<std::string, FieldSample> samples;
  for (const LogRecord& r : found->hits) {
    for (std::string_view name :
         {field::kLevel, field::kMessage, field::kSystem, field::kServiceName}) {
      if (std::optional<AttributeValue> v = GetFieldValue(r, name))
        samples[std::string(name)].Add(*v);
    }
    for (const Attribute& a : r.attributes) {
      samples[a.key].Add(a.value);
      types[a.key].insert(std::string(ValueTypeName(a.value)));
    }
  }
  HttpResponse response;
  JsonWriter json(&response.body);
  json.BeginObject().Key("fields").BeginArray();
  for (const auto& [name, field_types] : types) {
    json.BeginObject().Key("name").String(name).Key("types").BeginArray();
    for (const std::string& t : field_types) json.String(t);
    json.EndArray();
    auto s = samples.find(name);
    // Every record has a time; its values are all different, so no top.
    const uint64_t count = name == field::kTimestamp ? found->hits.size()
                           : s == samples.end()      ? 0
                                                     : s->second.count;
    json.Key("count").Uint(count);
    json.Key("top").BeginArray();
    if (s != samples.end() && name != field::kTimestamp) {
      auto values = s->second.values;
      std::stable_sort(values.begin(), values.end(),
                       [](const auto& a, const auto& b) { return a.second > b.second; });
      for (size_t i = 0; i < std::min(kTopValues, values.size()); ++i) {
        json.BeginObject().Key("value");
        WriteValueJson(values[i].first, &json);
        json.Key("count").Uint(values[i].second).EndObject();
      }
    }
    json.EndArray().EndObject();
  }
  json.EndArray();
  json.Key("sampled").Uint(found->hits.size());
  json.Key("total").Uint(found->total);
  json.Key("took_ms").Int(TookMs(start));
  json.EndObject();
  respond(std::move(response));
}

}  // namespace

void AddExploreRoutes(Router* router, const ServerState* state, const ApiLimits& limits) {
  const auto route = [state, limits](auto handler) {
    return [state, limits, handler](const HttpRequest& request, Respond respond) {
      LogStore* store = ReadyStoreOrRespond(state, respond);
      if (store == nullptr) return;
      QueryParams params;
      HttpResponse error;
      if (!ReadQueryParams(request, limits, &params, &error)) return respond(std::move(error));
      handler(*store, params, limits, respond);
    };
  };
  router->Add("GET", "/api/v1/histogram", route(ServeHistogram));
  router->Add("POST", "/api/v1/histogram", route(ServeHistogram));
  router->Add("GET", "/api/v1/fields", route(ServeFields));
  router->Add("POST", "/api/v1/fields", route(ServeFields));
}

}  // namespace mayak
