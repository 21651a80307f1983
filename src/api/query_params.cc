#include "api/query_params.h"

#include "absl/time/clock.h"
#include "api/router.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "query/kql.h"
#include "query/pipes.h"
#include "simdjson.h"

namespace mayak {
namespace {

constexpr int64_t kDefaultLookbackNanos = 15LL * 60 * kNanosPerSecond;

// The body's parameters (JSON object or form), over those of the query string.
absl::Status ReadBody(const HttpRequest& request, std::map<std::string, std::string>* values) {
  if (request.method != "POST" || StripWhitespace(request.body).empty()) return absl::OkStatus();
  if (!Contains(ToLower(request.Header("content-type")), "json")) {
    for (const auto& [key, value] : ParseQueryString(request.body)) (*values)[key] = value;
    return absl::OkStatus();
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto error = parser.parse(request.body).get(doc); error || !doc.is_object()) {
    return absl::InvalidArgumentError(
        "the body is not a JSON object such as {\"query\":\"...\",\"from\":\"now-1h\"}");
  }
  const simdjson::dom::object object = doc.get_object().value_unsafe();
  for (auto [key, value] : object) {
    if (value.is_string()) {
      (*values)[std::string(key)] = std::string(value.get_string().value_unsafe());
    } else if (value.is_number()) {
      (*values)[std::string(key)] = simdjson::minify(value);
    } else {
      return absl::InvalidArgumentError(StrCat("'", key, "' must be a string or number"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

// The filter of a request that takes no pipes; on error the 400 to send.
std::optional<Filter> ParseFilterOnly(const QueryParams& params, std::string_view endpoint,
                                      HttpResponse* error) {
  auto piped = ParsePipes(params.q);
  if (!piped.ok()) {
    *error = QuerySyntaxError(piped.status());
    return std::nullopt;
  }
  if (!piped->stages.empty()) {
    *error = JsonError(400, "bad_request",
                       StrCat(endpoint,
                              " takes a filter without pipes; send pipes to "
                              "/api/v1/query"));
    return std::nullopt;
  }
  auto filter = Filter::Parse(piped->filter);
  if (!filter.ok()) {
    *error = QuerySyntaxError(filter.status());
    return std::nullopt;
  }
  return *std::move(filter);
}

HttpResponse QueryFailed(const absl::Status& status) {
  if (absl::IsDeadlineExceeded(status)) {
    return JsonError(504, "query_timeout", StatusMessage(status));
  }
  if (absl::IsResourceExhausted(status)) {
    return JsonError(422, "query_too_large", StatusMessage(status));
  }
  if (absl::IsCancelled(status)) {
    return JsonError(499, "client_closed_request", StatusMessage(status));
  }
  return JsonError(500, "search_failed", StatusMessage(status));
}

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

bool ReadQueryParams(const HttpRequest& request, const ApiLimits& limits, QueryParams* params,
                     HttpResponse* error) {
  params->budget =
      QueryBudget(limits.query_timeout_ns, limits.query_memory_bytes, request.client_gone);
  for (const auto& [key, value] : request.params) params->values[key] = value;
  if (absl::Status s = ReadBody(request, &params->values); !s.ok()) {
    *error = JsonError(400, "bad_request", StatusMessage(s));
    return false;
  }
  const auto get = [params](const char* key) {
    auto it = params->values.find(key);
    return it == params->values.end() ? std::string() : it->second;
  };
  params->q = params->values.count("q") > 0 ? get("q") : get("query");
  if (const std::string zone = get("timezone"); !zone.empty()) {
    auto parsed = ParseTimeZone(zone);
    if (!parsed.ok()) {
      *error = JsonError(400, "bad_timezone", StatusMessage(parsed.status()));
      return false;
    }
    params->time_zone = *parsed;
  }
  const int64_t now = absl::GetCurrentTimeNanos();
  params->from_ns = now - kDefaultLookbackNanos;
  params->to_ns = now;
  for (const auto& [key, target] :
       {std::pair{"from", &params->from_ns}, std::pair{"to", &params->to_ns}}) {
    const std::string text = get(key);
    if (text.empty()) continue;
    auto bound = ParseTimeBound(text, now, params->time_zone);
    if (!bound.ok()) {
      *error = JsonError(400, "bad_time", StrCat(key, ": ", StatusMessage(bound.status())));
      return false;
    }
    *target = *bound;
  }
  if (params->from_ns > params->to_ns) {
    *error = JsonError(400, "bad_time", "from is later than to");
    return false;
  }
  return true;
}

std::optional<uint64_t> QueryParams::Count(const std::string& name, uint64_t fallback, uint64_t min,
                                           uint64_t max, const std::string& limit_name,
                                           HttpResponse* error) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return fallback;
  uint64_t n = 0;
  if (!ParseInt(it->second, &n) || n < min || n > max) {
    *error = JsonError(400, StrCat("bad_", name),
                       StrCat(name, ": '", it->second, "' is not a number from ", min, " to ", max,
                              limit_name.empty() ? "" : StrCat(" (", limit_name, ")")));
    return std::nullopt;
  }
  return n;
}

}  // namespace mayak
