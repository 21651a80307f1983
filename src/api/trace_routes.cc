// GET /api/v1/traces/{id}: one trace with the time of every stage (self
// time, the critical path; trace/critical_path.h), clock skew shown as
// adjusted, and with ?logs=true the log records that carry its trace.id.
// GET /api/v1/traces/graph: the service dependency graph of a time range.
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "api/query_params.h"
#include "api/routes.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "model/record_json.h"
#include "query/filter.h"
#include "query/kql.h"
#include "trace/critical_path.h"
#include "trace/trace_store.h"

namespace mayak {
namespace {

void WriteAttributes(const std::vector<Attribute>& attributes, JsonWriter* json) {
  json->BeginObject();
  for (const Attribute& a : attributes) {
    json->Key(a.key);
    WriteValueJson(a.value, json);
  }
  json->EndObject();
}

std::string_view StatusName(SpanStatus status) {
  switch (status) {
    case SpanStatus::kOk:
      return "ok";
    case SpanStatus::kError:
      return "error";
    default:
      return "unset";
  }
}

void WriteSpan(const Span& span, int64_t self_ns, int64_t critical_ns, const std::string& warning,
               JsonWriter* json) {
  json->BeginObject();
  json->Key("span_id").String(span.span_id);
  json->Key("parent_id").String(span.parent_span_id);
  json->Key("service").String(span.service);
  json->Key("system").String(span.system);
  json->Key("name").String(span.name);
  json->Key("kind").String(SpanKindName(span.kind));
  json->Key("start").String(FormatRfc3339(span.start_ns));
  json->Key("start_ns").Int(span.start_ns);
  json->Key("duration_ns").Int(span.duration_ns);
  json->Key("self_ns").Int(self_ns);
  json->Key("critical_ns").Int(critical_ns);
  json->Key("status").String(StatusName(span.status));
  json->Key("status_message").String(span.status_message);
  json->Key("attributes");
  WriteAttributes(span.attributes, json);
  json->Key("resource");
  WriteAttributes(span.resource, json);
  json->Key("events").BeginArray();
  for (const SpanEvent& e : span.events) {
    json->BeginObject().Key("time").String(FormatRfc3339(e.time_ns)).Key("name").String(e.name);
    json->Key("attributes");
    WriteAttributes(e.attributes, json);
    json->EndObject();
  }
  json->EndArray();
  json->Key("links").BeginArray();
  for (const SpanLink& l : span.links) {
    json->BeginObject().Key("trace_id").String(l.trace_id).Key("span_id").String(l.span_id);
    json->Key("attributes");
    WriteAttributes(l.attributes, json);
    json->EndObject();
  }
  json->EndArray();
  json->Key("warnings").BeginArray();
  if (!warning.empty()) json->String(warning);
  json->EndArray();
  json->EndObject();
}

void WriteTrace(const Trace& trace, const std::vector<LogRecord>* logs, JsonWriter* json) {
  const StageTimes times = ComputeStageTimes(trace.spans);
  int64_t start = INT64_MAX;
  int64_t end = INT64_MIN;
  std::set<std::string> services;
  for (const Span& s : trace.spans) {
    start = std::min(start, s.start_ns);
    end = std::max(end, s.start_ns + s.duration_ns);
    if (!s.service.empty()) services.insert(s.service);
  }
  json->BeginObject();
  json->Key("trace_id").String(trace.trace_id);
  json->Key("start").String(FormatRfc3339(start));
  json->Key("duration_ns").Int(end - start);
  json->Key("services").BeginArray();
  for (const std::string& s : services) json->String(s);
  json->EndArray();
  json->Key("span_count").Uint(trace.spans.size());
  json->Key("truncated").Bool(trace.truncated);
  json->Key("spans").BeginArray();
  for (size_t i = 0; i < trace.spans.size(); ++i) {
    WriteSpan(trace.spans[i], times.self_ns[i], times.critical_ns[i],
              i < trace.span_warnings.size() ? trace.span_warnings[i] : std::string(), json);
  }
  json->EndArray();
  json->Key("critical_path").BeginArray();
  for (const CriticalSegment& segment : times.path) {
    const Span& s = trace.spans[segment.span];
    json->BeginObject();
    json->Key("span_id").String(s.span_id);
    json->Key("service").String(s.service);
    json->Key("name").String(s.name);
    json->Key("start_ns").Int(segment.start_ns);
    json->Key("duration_ns").Int(segment.end_ns - segment.start_ns);
    json->Key("waiting").Bool(segment.waiting);
    json->EndObject();
  }
  json->EndArray();
  if (logs != nullptr) {
    json->Key("logs").BeginArray();
    for (const LogRecord& r : *logs) WriteRecordJson(r, json);
    json->EndArray();
  }
  json->EndObject();
}

// The newest spans a service graph is built from; past it the graph is a
// sample (and says so).
constexpr size_t kGraphMaxSpans = 50000;

void WriteGraph(const ServiceGraph& graph, JsonWriter* json) {
  json->BeginObject();
  json->Key("services").BeginArray();
  for (const std::string& s : graph.services) json->String(s);
  json->EndArray();
  json->Key("edges").BeginArray();
  for (const ServiceEdge& e : graph.edges) {
    json->BeginObject();
    json->Key("from").String(e.from);
    json->Key("to").String(e.to);
    json->Key("via").String(e.via);
    json->Key("calls").Uint(e.calls);
    json->Key("errors").Uint(e.errors);
    json->Key("error_rate")
        .Double(e.calls == 0 ? 0.0 : static_cast<double>(e.errors) / static_cast<double>(e.calls));
    json->Key("p95_ns").Int(e.p95_ns);
    json->EndObject();
  }
  json->EndArray();
  json->Key("spans_read").Uint(graph.spans_read);
  json->Key("spans_total").Uint(graph.spans_total);
  json->Key("sampled").Bool(graph.spans_read < graph.spans_total);
  json->EndObject();
}

}  // namespace

void AddTraceRoutes(Router* router, const ServerState* state, const ApiLimits& limits) {
  router->Add(
      "GET", "/api/v1/traces/graph", [state, limits](const HttpRequest& request, Respond respond) {
        if (ReadyStoreOrRespond(state, respond) == nullptr) return;
        const LogStore* spans = state->spans.load();
        if (spans == nullptr)
          return respond(JsonError(503, "not_ready", "the server is not ready"));
        QueryParams params;
        HttpResponse error;
        if (!ReadQueryParams(request, limits, &params, &error)) return respond(std::move(error));
        auto graph =
            TraceStore(spans).Graph(params.from_ns, params.to_ns, kGraphMaxSpans, params.budget);
        if (!graph.ok()) return respond(QueryFailed(graph.status()));
        HttpResponse response;
        JsonWriter json(&response.body);
        WriteGraph(*graph, &json);
        respond(std::move(response));
      });
  router->Add(
      "GET", "/api/v1/traces/{id}", [state, limits](const HttpRequest& request, Respond respond) {
        LogStore* store = ReadyStoreOrRespond(state, respond);
        if (store == nullptr) return;
        const LogStore* spans = state->spans.load();
        if (spans == nullptr)
          return respond(JsonError(503, "not_ready", "the server is not ready"));
        const QueryBudget budget(limits.query_timeout_ns, limits.query_memory_bytes,
                                 request.client_gone);
        auto trace = TraceStore(spans).Find(request.PathParam("id"), budget);
        if (!trace.ok()) {
          const absl::Status& status = trace.status();
          if (absl::IsInvalidArgument(status)) {
            return respond(JsonError(400, "bad_trace_id", StatusMessage(status)));
          }
          if (absl::IsNotFound(status)) {
            return respond(JsonError(404, "trace_not_found", StatusMessage(status)));
          }
          return respond(JsonError(500, "search_failed", StatusMessage(status)));
        }
        const std::string logs_param = ToLower(request.Param("logs"));
        std::vector<LogRecord> logs;
        const bool with_logs = logs_param == "true" || logs_param == "1";
        if (with_logs) {
          // The trace's log records, oldest first.
          auto filter = Filter::Parse(StrCat(field::kTraceId, ":", kql::Quoted(trace->trace_id)));
          if (!filter.ok())
            return respond(JsonError(500, "search_failed", StatusMessage(filter.status())));
          SearchRequest search;
          search.filter = &*filter;
          search.limit = limits.max_search_hits;
          search.oldest_first = true;
          search.budget = budget;
          auto found = store->Search(search);
          if (!found.ok())
            return respond(JsonError(500, "search_failed", StatusMessage(found.status())));
          logs = std::move(found->hits);
        }
        HttpResponse response;
        JsonWriter json(&response.body);
        WriteTrace(*trace, with_logs ? &logs : nullptr, &json);
        respond(std::move(response));
      });
}

}  // namespace mayak
