// The service dependency graph: who calls whom, how often, how often it
// fails, how long it takes. Built from the spans of whole traces:
//   - a span whose parent is in another service: an edge parent service ->
//     its service (a client span and the server span it caused: one call);
//   - a span without a parent in the trace, linked to a span of another
//     service (a RabbitMQ consumer linked to its producer): an edge through
//     the link;
//   - a client or producer span with no child in another service, naming
//     its peer (peer.service, db.system, messaging.system): an edge to that
//     peer, so PostgreSQL and RabbitMQ show though they send no spans.
// An edge into a consumer span is "via" its messaging.destination.name (the
// queue). Calls, errors (the callee's span has an error status) and the
// 95th percentile of the callee's span durations, per edge.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "model/span.h"

namespace mayak {

struct ServiceEdge {
  std::string from;
  std::string to;
  std::string via;  // the queue of a messaging edge, else ""
  uint64_t calls = 0;
  uint64_t errors = 0;
  int64_t p95_ns = 0;
};

class ServiceGraphBuilder {
 public:
  // Adds the edges of one trace (its spans, any order; shared span ids
  // apart, see trace/shared_spans.h).
  void AddTrace(const std::vector<Span>& spans);
  // The edges by (from, to, via); services are every name that appears.
  std::vector<ServiceEdge> Edges() const;
  std::vector<std::string> Services() const;

 private:
  struct Stats {
    uint64_t calls = 0;
    uint64_t errors = 0;
    std::vector<int64_t> durations;
  };
  void Add(const std::string& from, const std::string& to, const std::string& via,
           const Span& callee);

  std::map<std::tuple<std::string, std::string, std::string>, Stats> edges_;
};

}  // namespace mayak
