#include "trace/trace_store.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/status_macros.h"
#include "common/strings.h"
#include "query/filter.h"
#include "query/kql.h"
#include "trace/clock_skew.h"
#include "trace/shared_spans.h"

namespace mayak {
namespace {

// `field:"value"`, matching the value exactly.
std::string Term(std::string_view field, std::string_view value) {
  return StrCat(field, ":", kql::Quoted(value));
}

std::string Join(const std::vector<std::string>& terms) {
  std::string out;
  for (const std::string& t : terms) out += out.empty() ? t : StrCat(" and ", t);
  return out;
}

absl::StatusOr<Filter> FilterOf(const std::vector<std::string>& terms) {
  auto filter = Filter::Parse(Join(terms));
  if (!filter.ok()) {
    return absl::InvalidArgumentError(
        StrCat("cannot search spans for ", Join(terms), ": ", filter.status().message()));
  }
  return filter;
}

// The spans a search found, as spans; rows that are not spans' are skipped
// (a store of spans holds nothing else, but a damaged row is no reason to
// fail a whole trace).
std::vector<Span> SpansOf(const std::vector<LogRecord>& rows) {
  std::vector<Span> spans;
  spans.reserve(rows.size());
  for (const LogRecord& row : rows) {
    auto span = SpanFromRecord(row);
    if (span.ok()) spans.push_back(*std::move(span));
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return std::tie(a.start_ns, a.span_id) < std::tie(b.start_ns, b.span_id);
  });
  return spans;
}

// The values of one field among the groups of a count, as strings.
std::vector<std::string> StringValues(const CountResult& counts) {
  std::vector<std::string> out;
  for (const auto& [value, n] : counts.values) {
    if (const auto* s = std::get_if<std::string>(&value); s != nullptr && !s->empty()) {
      out.push_back(*s);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

absl::StatusOr<std::string> NormalizeTraceId(std::string_view id) {
  std::string lower = ToLower(StripWhitespace(id));
  if (lower.size() == 16) lower = std::string(16, '0') + lower;
  if (!IsSpanIdentifier(lower, 32)) {
    return absl::InvalidArgumentError(
        StrCat("'", id, "' is not a trace id: give 32 (or 16) hex digits, not all zero"));
  }
  return lower;
}

namespace {

// The trace of `id` from its rows: shared span ids told apart, clock skew
// adjusted.
Trace TraceOf(std::string id, const std::vector<LogRecord>& rows, bool truncated) {
  Trace trace;
  trace.trace_id = std::move(id);
  trace.spans = SpansOf(rows);
  SeparateSharedSpans(&trace.spans);
  trace.span_warnings.assign(trace.spans.size(), "");
  for (SkewAdjustment& adjusted : AdjustClockSkew(&trace.spans)) {
    trace.span_warnings[adjusted.span] = std::move(adjusted.warning);
  }
  trace.truncated = truncated;
  return trace;
}

}  // namespace

absl::StatusOr<Trace> TraceStore::Find(std::string_view trace_id, const QueryBudget& budget) const {
  ASSIGN_OR_RETURN(const std::string id, NormalizeTraceId(trace_id));
  ASSIGN_OR_RETURN(const Filter filter, FilterOf({Term(field::kTraceId, id)}));
  SearchRequest request;
  request.filter = &filter;
  request.limit = kMaxTraceSpans;
  request.budget = budget;
  ASSIGN_OR_RETURN(const SearchResult found, spans_->Search(request));
  if (found.hits.empty()) return absl::NotFoundError(StrCat("trace ", id, " not found"));
  return TraceOf(id, found.hits, found.total > found.hits.size());
}

absl::StatusOr<std::vector<Trace>> TraceStore::FindAll(const std::vector<std::string>& trace_ids,
                                                       const QueryBudget& budget) const {
  // One search for them all: a row group holding spans of several is read
  // once, and the scan threads share the row groups of all of them.
  std::vector<std::string> ids;
  std::string any;
  for (const std::string& trace_id : trace_ids) {
    ASSIGN_OR_RETURN(std::string id, NormalizeTraceId(trace_id));
    any += StrCat(any.empty() ? "" : " or ", Term(field::kTraceId, id));
    ids.push_back(std::move(id));
  }
  std::vector<Trace> traces;
  if (ids.empty()) return traces;
  ASSIGN_OR_RETURN(const Filter filter, FilterOf({StrCat("(", any, ")")}));
  SearchRequest request;
  request.filter = &filter;
  request.limit = kMaxTraceSpans * ids.size();
  request.budget = budget;
  ASSIGN_OR_RETURN(SearchResult found, spans_->Search(request));
  // By trace; a trace with more spans than a trace is read with is read
  // alone, and cut as Find cuts it (to its newest spans).
  std::map<std::string, std::vector<LogRecord>, std::less<>> rows_of;
  const bool cut = found.total > found.hits.size();
  for (LogRecord& row : found.hits) {
    const AttributeValue* id = row.FindAttribute(field::kTraceId);
    const auto* text = id == nullptr ? nullptr : std::get_if<std::string>(id);
    if (text != nullptr) {
      std::vector<LogRecord>& rows = rows_of[*text];
      rows.push_back(std::move(row));
    }
  }
  for (const std::string& id : ids) {
    auto it = rows_of.find(id);
    if (it == rows_of.end() && !cut) continue;
    if (cut || it->second.size() > kMaxTraceSpans) {
      auto alone = Find(id, budget);
      if (alone.ok()) {
        traces.push_back(*std::move(alone));
      } else if (!absl::IsNotFound(alone.status())) {
        return alone.status();
      }
      continue;
    }
    traces.push_back(TraceOf(id, it->second, false));
  }
  return traces;
}

absl::StatusOr<std::vector<std::string>> TraceStore::Services(int64_t from_ns, int64_t to_ns,
                                                              const QueryBudget& budget) const {
  CountRequest request;
  request.from_ns = from_ns;
  request.to_ns = to_ns;
  request.group_by = {std::string(field::kServiceName)};
  request.flat_values = true;
  request.budget = budget;
  ASSIGN_OR_RETURN(const CountResult counts, spans_->Count(request));
  return StringValues(counts);
}

absl::StatusOr<std::vector<OperationName>> TraceStore::Operations(std::string_view service,
                                                                  std::string_view span_kind,
                                                                  const QueryBudget& budget) const {
  std::vector<std::string> terms = {Term(field::kServiceName, service)};
  if (!span_kind.empty()) terms.push_back(Term(field::kSpanKind, ToLower(span_kind)));
  ASSIGN_OR_RETURN(const Filter filter, FilterOf(terms));
  // Names with their kinds; a name none of whose spans has a kind is listed
  // with "" (a group needs every field it is grouped by).
  CountRequest request;
  request.filter = &filter;
  request.group_by = {std::string(field::kMessage), std::string(field::kSpanKind)};
  request.budget = budget;
  ASSIGN_OR_RETURN(const CountResult kinds, spans_->Count(request));
  std::set<OperationName> out;
  std::set<std::string> named;
  for (const auto& [key, n] : kinds.groups) {
    const AttributeValue& name_value = key.values[0];
    const AttributeValue& kind_value = key.values[1];
    const auto* name = std::get_if<std::string>(&name_value);
    const auto* kind = std::get_if<std::string>(&kind_value);
    if (name == nullptr || kind == nullptr) continue;
    out.insert({*name, *kind});
    named.insert(*name);
  }
  if (span_kind.empty()) {
    request.group_by = {std::string(field::kMessage)};
    request.flat_values = true;
    ASSIGN_OR_RETURN(const CountResult names, spans_->Count(request));
    for (std::string& name : StringValues(names)) {
      if (!named.contains(name)) out.insert({std::move(name), ""});
    }
  }
  return std::vector<OperationName>(out.begin(), out.end());
}

absl::StatusOr<ServiceGraph> TraceStore::Graph(int64_t from_ns, int64_t to_ns, size_t max_spans,
                                               const QueryBudget& budget) const {
  SearchRequest request;
  request.from_ns = from_ns;
  request.to_ns = to_ns;
  request.limit = max_spans;
  request.budget = budget;
  ASSIGN_OR_RETURN(const SearchResult found, spans_->Search(request));
  std::map<std::string, std::vector<Span>> by_trace;
  for (const LogRecord& row : found.hits) {
    auto span = SpanFromRecord(row);
    if (!span.ok()) continue;
    std::vector<Span>& spans = by_trace[span->trace_id];
    spans.push_back(*std::move(span));
  }
  ServiceGraphBuilder builder;
  for (auto& [id, spans] : by_trace) {
    SeparateSharedSpans(&spans);
    builder.AddTrace(spans);
  }
  ServiceGraph graph;
  graph.services = builder.Services();
  graph.edges = builder.Edges();
  graph.spans_read = found.hits.size();
  graph.spans_total = found.total;
  return graph;
}

absl::StatusOr<std::vector<Trace>> TraceStore::Search(const TraceQuery& query) const {
  std::vector<std::string> terms;
  if (!query.service.empty()) terms.push_back(Term(field::kServiceName, query.service));
  if (!query.operation.empty()) terms.push_back(Term(field::kMessage, query.operation));
  if (!query.span_kind.empty()) {
    terms.push_back(Term(field::kSpanKind, ToLower(query.span_kind)));
  }
  for (const auto& [key, value] : query.tags) {
    // Jaeger marks failed spans with the tag error=true; Mayak keeps the
    // span's status.
    if (key == "error" && (value == "true" || value == "false")) {
      terms.push_back(value == "true" ? Term(field::kStatusCode, "ERROR")
                                      : StrCat("not ", Term(field::kStatusCode, "ERROR")));
      continue;
    }
    terms.push_back(Term(key, value));
  }
  if (query.min_duration_ns > 0) {
    terms.push_back(StrCat(field::kEventDuration, " >= ", query.min_duration_ns));
  }
  if (query.max_duration_ns > 0) {
    terms.push_back(StrCat(field::kEventDuration, " <= ", query.max_duration_ns));
  }
  ASSIGN_OR_RETURN(const Filter filter, FilterOf(terms));
  // The newest matching spans, enough of them to name `limit` traces in
  // most cases; the operation is compared exactly here, as the filter
  // matches the message's words.
  SearchRequest request;
  request.filter = &filter;
  request.from_ns = query.from_ns;
  request.to_ns = query.to_ns;
  request.limit = std::min<size_t>(kMaxTraceSpans, std::max<size_t>(query.limit, 1) * 50);
  // Only the name and trace id of each are read: the traces are read whole
  // next.
  request.fields = {std::string(field::kMessage), std::string(field::kTraceId)};
  request.budget = query.budget;
  ASSIGN_OR_RETURN(const SearchResult found, spans_->Search(request));
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (const LogRecord& row : found.hits) {
    if (ids.size() >= query.limit) break;
    if (!query.operation.empty() && row.message != query.operation) continue;
    const AttributeValue* id = row.FindAttribute(field::kTraceId);
    const auto* text = id == nullptr ? nullptr : std::get_if<std::string>(id);
    if (text != nullptr && seen.insert(*text).second) ids.push_back(*text);
  }
  return FindAll(ids, query.budget);
}

}  // namespace mayak
