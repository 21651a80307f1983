#include "jaeger/jaeger_routes.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/units.h"
#include "jaeger/jaeger_json.h"
#include "simdjson.h"
#include "trace/trace_store.h"

namespace mayak {
namespace {

constexpr int64_t kNanosPerMicro = 1000;
constexpr int64_t kDefaultLookbackNs = 3600LL * 1'000'000'000;
constexpr size_t kDefaultLimit = 20;
constexpr size_t kMaxLimit = 1500;  // the Jaeger UI's own largest choice
// The newest spans dependencies are counted from (a sample past it).
constexpr size_t kDependencyMaxSpans = 50000;

HttpResponse JaegerError(int status, std::string_view message) {
  HttpResponse response;
  response.status = status;
  response.body = JaegerErrorBody(status, message);
  return response;
}

// A store's failure as Jaeger's error: a bad request is 400, a missing
// trace 404, a query out of time 504, anything else 500.
HttpResponse StatusError(const absl::Status& status) {
  const std::string_view message = StatusMessage(status);
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return JaegerError(400, message);
    case absl::StatusCode::kNotFound:
      return JaegerError(404, message);
    case absl::StatusCode::kDeadlineExceeded:
      return JaegerError(504, message);
    default:
      return JaegerError(500, message);
  }
}

// The store of spans, or a 503 sent.
const LogStore* ReadySpansOrRespond(const ServerState* state, const Respond& respond) {
  LogStore* spans = state->phase.load() == ServerPhase::kReady ? state->spans.load() : nullptr;
  if (spans == nullptr) {
    HttpResponse busy = JaegerError(503, "the server is not ready");
    busy.headers.emplace_back("Retry-After", "1");
    respond(std::move(busy));
  }
  return spans;
}

QueryBudget BudgetOf(const HttpRequest& request, const ApiLimits& limits) {
  return QueryBudget(limits.query_timeout_ns, limits.query_memory_bytes, request.client_gone);
}

HttpResponse TracesReply(const std::vector<Trace>& traces) {
  HttpResponse response;
  JsonWriter json(&response.body);
  BeginJaegerReply(&json);
  json.BeginArray();
  for (const Trace& t : traces) WriteJaegerTrace(t, &json);
  json.EndArray();
  EndJaegerReply(traces.size(), &json);
  return response;
}

// A whole number parameter, or an error naming it.
absl::StatusOr<std::optional<int64_t>> IntParam(const HttpRequest& request, std::string_view name) {
  const std::string text = request.Param(name);
  if (text.empty()) return std::optional<int64_t>();
  int64_t value = 0;
  if (!ParseInt(text, &value)) {
    return absl::InvalidArgumentError(
        StrCat("parameter '", name, "' must be a whole number, not '", text, "'"));
  }
  return std::optional<int64_t>(value);
}

absl::StatusOr<int64_t> DurationParam(const HttpRequest& request, std::string_view name) {
  const std::string text = request.Param(name);
  if (text.empty()) return 0;
  auto ns = ParseDurationNanos(text);
  if (!ns.ok()) {
    return absl::InvalidArgumentError(StrCat("parameter '", name, "': ", ns.status().message()));
  }
  return *ns;
}

// tags={"k":"v",...} (what the Jaeger UI sends) and tag=k:v (repeated).
absl::Status ReadTags(const HttpRequest& request, TraceQuery* query) {
  const std::string tags = request.Param("tags");
  if (!tags.empty()) {
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    if (parser.parse(tags.data(), tags.size()).get_object().get(object) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError(StrCat(
          "parameter 'tags' must be a JSON object such as {\"error\":\"true\"}, not ", tags));
    }
    for (auto [key, value] : object) {
      std::string_view text;
      if (value.get_string().get(text) == simdjson::SUCCESS) {
        query->tags.emplace_back(std::string(key), std::string(text));
      } else {
        query->tags.emplace_back(std::string(key), simdjson::to_string(value));
      }
    }
  }
  const auto [begin, end] = request.params.equal_range("tag");
  for (auto it = begin; it != end; ++it) {
    const size_t colon = it->second.find(':');
    if (colon == std::string::npos || colon == 0) {
      return absl::InvalidArgumentError(
          StrCat("parameter 'tag' must be key:value, not '", it->second, "'"));
    }
    query->tags.emplace_back(it->second.substr(0, colon), it->second.substr(colon + 1));
  }
  return absl::OkStatus();
}

// GET /traces: by ids, or a search.
absl::StatusOr<std::vector<Trace>> FindTraces(const HttpRequest& request, const TraceStore& store,
                                              const QueryBudget& budget) {
  std::vector<Trace> traces;
  const auto [ids_begin, ids_end] = request.params.equal_range("traceID");
  if (ids_begin != ids_end) {
    for (auto it = ids_begin; it != ids_end; ++it) {
      auto trace = store.Find(it->second, budget);
      if (trace.ok()) {
        traces.push_back(*std::move(trace));
      } else if (!absl::IsNotFound(trace.status())) {
        return trace.status();
      }
    }
    return traces;
  }
  TraceQuery query;
  query.service = request.Param("service");
  if (query.service.empty()) {
    return absl::InvalidArgumentError("parameter 'service' is required (or give traceID)");
  }
  query.operation = request.Param("operation");
  query.span_kind = request.Param("spanKind");
  if (absl::Status s = ReadTags(request, &query); !s.ok()) return s;
  auto min_duration = DurationParam(request, "minDuration");
  if (!min_duration.ok()) return min_duration.status();
  auto max_duration = DurationParam(request, "maxDuration");
  if (!max_duration.ok()) return max_duration.status();
  query.min_duration_ns = *min_duration;
  query.max_duration_ns = *max_duration;
  auto start = IntParam(request, "start");
  if (!start.ok()) return start.status();
  auto end = IntParam(request, "end");
  if (!end.ok()) return end.status();
  auto limit = IntParam(request, "limit");
  if (!limit.ok()) return limit.status();
  int64_t lookback = kDefaultLookbackNs;
  if (const std::string text = request.Param("lookback"); !text.empty() && text != "custom") {
    auto parsed = ParseDurationNanos(text);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          StrCat("parameter 'lookback': ", parsed.status().message()));
    }
    lookback = *parsed;
  }
  // start and end are microseconds since the epoch, as Jaeger sends them.
  query.to_ns = end->has_value() ? **end * kNanosPerMicro : absl::GetCurrentTimeNanos();
  query.from_ns = start->has_value() ? **start * kNanosPerMicro : query.to_ns - lookback;
  if (query.from_ns > query.to_ns) {
    return absl::InvalidArgumentError("parameter 'start' is after 'end'");
  }
  query.limit = limit->has_value() ? static_cast<size_t>(std::clamp<int64_t>(**limit, 1, kMaxLimit))
                                   : kDefaultLimit;
  query.budget = budget;
  return store.Search(query);
}

template <typename Items, typename WriteItem>
HttpResponse ListReply(const Items& items, WriteItem&& write) {
  HttpResponse response;
  JsonWriter json(&response.body);
  BeginJaegerReply(&json);
  json.BeginArray();
  for (const auto& item : items) write(item, &json);
  json.EndArray();
  EndJaegerReply(items.size(), &json);
  return response;
}

}  // namespace

Router MakeJaegerRouter() {
  return Router([](int status, std::string_view, std::string_view message) {
    return JaegerError(status, message);
  });
}

void AddJaegerRoutes(Router* router, std::string_view prefix, const ServerState* state,
                     const ApiLimits& limits) {
  router->Add("GET", StrCat(prefix, "/services"),
              [state, limits](const HttpRequest& request, Respond respond) {
                const LogStore* spans = ReadySpansOrRespond(state, respond);
                if (spans == nullptr) return;
                auto services = TraceStore(spans).Services(0, INT64_MAX, BudgetOf(request, limits));
                if (!services.ok()) return respond(StatusError(services.status()));
                respond(ListReply(*services, [](const std::string& name, JsonWriter* json) {
                  json->String(name);
                }));
              });
  router->Add("GET", StrCat(prefix, "/services/{service}/operations"),
              [state, limits](const HttpRequest& request, Respond respond) {
                const LogStore* spans = ReadySpansOrRespond(state, respond);
                if (spans == nullptr) return;
                auto operations = TraceStore(spans).Operations(request.PathParam("service"), "",
                                                               BudgetOf(request, limits));
                if (!operations.ok()) return respond(StatusError(operations.status()));
                // Each name once, whatever kinds its spans have.
                std::vector<std::string> names;
                for (const OperationName& op : *operations) {
                  if (names.empty() || names.back() != op.name) names.push_back(op.name);
                }
                respond(ListReply(
                    names, [](const std::string& name, JsonWriter* json) { json->String(name); }));
              });
  router->Add("GET", StrCat(prefix, "/operations"),
              [state, limits](const HttpRequest& request, Respond respond) {
                const LogStore* spans = ReadySpansOrRespond(state, respond);
                if (spans == nullptr) return;
                const std::string service = request.Param("service");
                if (service.empty()) {
                  return respond(JaegerError(400, "parameter 'service' is required"));
                }
                auto operations = TraceStore(spans).Operations(service, request.Param("spanKind"),
                                                               BudgetOf(request, limits));
                if (!operations.ok()) return respond(StatusError(operations.status()));
                respond(ListReply(*operations, [](const OperationName& op, JsonWriter* json) {
                  json->BeginObject()
                      .Key("name")
                      .String(op.name)
                      .Key("spanKind")
                      .String(op.span_kind)
                      .EndObject();
                }));
              });
  // Jaeger's dependencies: calls between services over [endTs - lookback,
  // endTs], both in milliseconds.
  router->Add("GET", StrCat(prefix, "/dependencies"),
              [state, limits](const HttpRequest& request, Respond respond) {
                const LogStore* spans = ReadySpansOrRespond(state, respond);
                if (spans == nullptr) return;
                auto end = IntParam(request, "endTs");
                if (!end.ok()) return respond(StatusError(end.status()));
                auto lookback = IntParam(request, "lookback");
                if (!lookback.ok()) return respond(StatusError(lookback.status()));
                constexpr int64_t kNanosPerMilli = 1'000'000;
                const int64_t to =
                    end->has_value() ? **end * kNanosPerMilli : absl::GetCurrentTimeNanos();
                const int64_t from =
                    to - (lookback->has_value() ? **lookback * kNanosPerMilli : 86'400'000'000'000);
                auto graph = TraceStore(spans).Graph(from, to, kDependencyMaxSpans,
                                                     BudgetOf(request, limits));
                if (!graph.ok()) return respond(StatusError(graph.status()));
                // Jaeger's links count calls between two services, whatever the queue.
                std::map<std::pair<std::string, std::string>, uint64_t> calls;
                for (const ServiceEdge& e : graph->edges) calls[{e.from, e.to}] += e.calls;
                respond(ListReply(calls, [](const auto& link, JsonWriter* json) {
                  json->BeginObject()
                      .Key("parent")
                      .String(link.first.first)
                      .Key("child")
                      .String(link.first.second)
                      .Key("callCount")
                      .Uint(link.second)
                      .EndObject();
                }));
              });
  router->Add("GET", StrCat(prefix, "/traces/{traceID}"),
              [state, limits](const HttpRequest& request, Respond respond) {
                const LogStore* spans = ReadySpansOrRespond(state, respond);
                if (spans == nullptr) return;
                auto trace =
                    TraceStore(spans).Find(request.PathParam("traceID"), BudgetOf(request, limits));
                if (!trace.ok()) return respond(StatusError(trace.status()));
                respond(TracesReply({*std::move(trace)}));
              });
  router->Add("GET", StrCat(prefix, "/traces"),
              [state, limits](const HttpRequest& request, Respond respond) {
                const LogStore* spans = ReadySpansOrRespond(state, respond);
                if (spans == nullptr) return;
                auto traces = FindTraces(request, TraceStore(spans), BudgetOf(request, limits));
                if (!traces.ok()) return respond(StatusError(traces.status()));
                respond(TracesReply(*traces));
              });
}

}  // namespace mayak
