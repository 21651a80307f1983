// A deterministic generator of the first customer's traces, for the
// tracing benchmarks: orders placed in the shop that cross the CRM,
// RabbitMQ and the MES down to PostgreSQL (6 spans), order look-ups through
// the CRM (4), product pages with a query (2); errors with exception events
// on a few; several hosts per service. The same seed gives the same spans.
#pragma once

#include <cstdint>
#include <vector>

#include "loadgen/random.h"
#include "model/span.h"

namespace mayak {

struct CompanyTraceOptions {
  uint64_t seed = 1;
  int64_t start_ns = 1'795'478'400LL * 1'000'000'000;  // 2026-11-24T00:00:00Z
  double traces_per_second = 100;                      // of simulated time
};

class CompanyTraceGenerator {
 public:
  explicit CompanyTraceGenerator(const CompanyTraceOptions& options);

  // Appends the next trace's spans (about 4.3 a trace on average).
  void Next(std::vector<Span>* out);

 private:
  // A span of `service` on one of its hosts, starting `offset_ns` into the
  // trace, lasting `duration_ns`.
  Span Make(const std::string& trace_id, const std::string& parent, const char* service,
            const char* name, SpanKind kind, int64_t start_ns, int64_t duration_ns);
  int64_t Millis(double mean_ms);  // an exponential duration, in ns
  void PlaceOrder(const std::string& trace_id, int64_t t, std::vector<Span>* out);
  void LookUpOrder(const std::string& trace_id, int64_t t, std::vector<Span>* out);
  void ShowProduct(const std::string& trace_id, int64_t t, std::vector<Span>* out);

  CompanyTraceOptions options_;
  DeterministicRandom random_;
  int64_t now_ns_;
  int64_t next_order_id_ = 500000;
};

}  // namespace mayak
