// A hand-built trace of one order across the company, with known answers
// (trace/, jaeger/ tests): the shop's API calls the CRM, which publishes to
// RabbitMQ; the MES consumes, linked to the producer's span. And a trace of
// four health checks.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/span.h"

namespace mayak::testing {

inline constexpr int64_t kT0 = 1'795'600'000'000'000'000;  // 2026-11-25
inline constexpr int64_t kMs = 1'000'000;
inline constexpr char kOrder[] = "4bf92f3577b34da6a3ce929d0e0e4736";
inline constexpr char kHealth[] = "00000000000000000000000000000abc";

inline Span MakeSpan(std::string trace, std::string id, std::string parent, std::string service,
                     std::string name, SpanKind kind, int64_t start_ms, int64_t duration_ms) {
  Span s;
  s.trace_id = std::move(trace);
  s.span_id = std::move(id);
  s.parent_span_id = std::move(parent);
  s.service = std::move(service);
  s.system = s.service;
  s.name = std::move(name);
  s.kind = kind;
  s.start_ns = kT0 + start_ms * kMs;
  s.duration_ns = duration_ms * kMs;
  return s;
}

// The order's trace, by start time.
inline std::vector<Span> OrderTrace() {
  std::vector<Span> t = {
      MakeSpan(kOrder, "0000000000000001", "", "shop", "POST /api/orders", SpanKind::kServer, 0,
               120),
      MakeSpan(kOrder, "0000000000000002", "0000000000000001", "shop", "POST /crm/orders",
               SpanKind::kClient, 10, 80),
      MakeSpan(kOrder, "0000000000000003", "0000000000000002", "crm", "POST /crm/orders",
               SpanKind::kServer, 12, 75),
      MakeSpan(kOrder, "0000000000000004", "0000000000000003", "crm", "orders publish",
               SpanKind::kProducer, 60, 5),
      MakeSpan(kOrder, "0000000000000005", "", "mes", "orders process", SpanKind::kConsumer, 70,
               300),
  };
  t[0].attributes = {{"http.response.status_code", int64_t{201}}, {"order.id", std::string("O-1")}};
  t[2].status = SpanStatus::kError;
  t[2].status_message = "customer locked";
  t[2].events = {{kT0 + 20 * kMs, "exception", {{"exception.type", std::string("Locked")}}}};
  t[4].links = {{kOrder, "0000000000000004", {}}};
  t[4].resource = {{"host.name", std::string("plant-1")}};
  return t;
}

// The health checks' trace: four one-millisecond shop spans a second later.
inline std::vector<Span> HealthTrace() {
  std::vector<Span> t;
  for (int i = 0; i < 4; ++i) {
    t.push_back(MakeSpan(kHealth, "00000000000000a" + std::to_string(i), "", "shop", "GET /health",
                         SpanKind::kServer, 1000 + i, 1));
  }
  return t;
}

}  // namespace mayak::testing
