// Traces read from the store of spans (kind = spans; rows as model/span.h
// maps them): a trace by its id, the services and operations seen, and
// traces found by service, operation, attributes and duration. The Jaeger
// query API and Mayak's own trace API both answer from here.
//
// A trace is found by id through the Bloom filters every row group keeps of
// its trace.id values (storage/bloom_filter.h): the row groups that cannot
// hold it are skipped without being read, so a lookup reads only the few
// row groups the trace's spans are in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "model/span.h"
#include "query/query_budget.h"
#include "storage/log_store.h"
#include "trace/service_graph.h"

namespace mayak {

// The most spans one trace is read with; a bigger trace is cut (and says so).
inline constexpr size_t kMaxTraceSpans = 20000;

struct Trace {
  std::string trace_id;
  std::vector<Span> spans;  // by start time as stored
  bool truncated = false;   // more than kMaxTraceSpans spans
  // By span index: what was adjusted for display (clock skew), "" for
  // nothing.
  std::vector<std::string> span_warnings;
};

struct TraceQuery {
  std::string service;    // empty: any
  std::string operation;  // the span name, exactly; empty: any
  std::string span_kind;  // "server", ...; empty: any
  // Fields and their values, all required (span or resource attributes;
  // "error" = "true" asks for spans with an error status).
  std::vector<std::pair<std::string, std::string>> tags;
  int64_t min_duration_ns = 0;  // 0: no bound
  int64_t max_duration_ns = 0;  // 0: no bound
  int64_t from_ns = 0;          // span start times, inclusive
  int64_t to_ns = INT64_MAX;
  size_t limit = 20;  // traces
  QueryBudget budget;
};

struct OperationName {
  std::string name;
  std::string span_kind;  // "" when the spans do not say

  bool operator==(const OperationName&) const = default;
  bool operator<(const OperationName& o) const {
    return std::tie(name, span_kind) < std::tie(o.name, o.span_kind);
  }
};

// The service graph of a time range (trace/service_graph.h).
struct ServiceGraph {
  std::vector<std::string> services;
  std::vector<ServiceEdge> edges;
  uint64_t spans_read = 0;   // the newest spans of the range, at most the limit
  uint64_t spans_total = 0;  // every span of the range
};

class TraceStore {
 public:
  // `spans` must outlive this.
  explicit TraceStore(const LogStore* spans) : spans_(spans) {}

  // The trace's spans, shared span ids told apart (trace/shared_spans.h)
  // and clock skew adjusted (trace/clock_skew.h); NotFound when it has none.
  absl::StatusOr<Trace> Find(std::string_view trace_id, const QueryBudget& budget) const;
  // Each of the traces as Find gives it, in the order asked, those with no
  // spans left out; read in one pass over the row groups that hold any.
  absl::StatusOr<std::vector<Trace>> FindAll(const std::vector<std::string>& trace_ids,
                                             const QueryBudget& budget) const;

  // Service names with spans in [from, to], sorted.
  absl::StatusOr<std::vector<std::string>> Services(int64_t from_ns, int64_t to_ns,
                                                    const QueryBudget& budget) const;

  // The operations of a service (and span kind, when given), sorted.
  absl::StatusOr<std::vector<OperationName>> Operations(std::string_view service,
                                                        std::string_view span_kind,
                                                        const QueryBudget& budget) const;

  // The graph of the spans that started in [from, to]: the newest
  // `max_spans` of them, grouped by trace (spans_read < spans_total says it
  // is a sample).
  absl::StatusOr<ServiceGraph> Graph(int64_t from_ns, int64_t to_ns, size_t max_spans,
                                     const QueryBudget& budget) const;

  // The newest traces with a span that matches, at most `limit`, each whole.
  absl::StatusOr<std::vector<Trace>> Search(const TraceQuery& query) const;

 private:
  const LogStore* spans_;
};

// A trace id as given (any case, and 16 hex digits for a 64-bit id, as
// Zipkin and Jaeger allow) as the 32 lowercase hex digits stored; an error
// naming the id otherwise.
absl::StatusOr<std::string> NormalizeTraceId(std::string_view id);

}  // namespace mayak
