#include "trace/service_graph.h"

#include "gtest/gtest.h"
#include "support/company_trace.h"

namespace mayak {
namespace {

using testing::kMs;
using testing::OrderTrace;

std::string Describe(const std::vector<ServiceEdge>& edges) {
  std::string out;
  for (const ServiceEdge& e : edges) {
    out += e.from + "->" + e.to + (e.via.empty() ? "" : "(" + e.via + ")") + " calls " +
           std::to_string(e.calls) + " errors " + std::to_string(e.errors) + " p95 " +
           std::to_string(e.p95_ns / kMs) + "ms; ";
  }
  return out;
}

TEST(ServiceGraphTest, CallsLinksAndPeersOfTheCompanysOrders) {
  ServiceGraphBuilder graph;
  for (int order = 0; order < 20; ++order) {
    std::vector<Span> trace = OrderTrace();
    trace[4].attributes = {{"messaging.destination.name", std::string("orders")}};
    trace[3].attributes = {{"messaging.system", std::string("rabbitmq")}};
    if (order % 4 != 0) trace[2].status = SpanStatus::kUnset;  // 5 of 20 fail
    trace[2].duration_ns = (50 + order) * kMs;                 // 50 .. 69 ms
    // The MES writes to PostgreSQL, which sends no spans.
    Span query = testing::MakeSpan(trace[0].trace_id, "0000000000000006", "0000000000000005", "mes",
                                   "UPDATE orders", SpanKind::kClient, 100, 30);
    query.attributes = {{"db.system", std::string("postgresql")}};
    trace.push_back(query);
    graph.AddTrace(trace);
  }
  // shop -> crm: the client span's child in the CRM (one call each);
  // crm -> mes through the link of the consumer, via its queue; the
  // producer's peer is not counted again; mes -> postgresql by db.system.
  EXPECT_EQ(Describe(graph.Edges()),
            "crm->mes(orders) calls 20 errors 0 p95 300ms; "
            "mes->postgresql calls 20 errors 0 p95 30ms; "
            "shop->crm calls 20 errors 5 p95 68ms; ");
  EXPECT_EQ(graph.Services(), (std::vector<std::string>{"crm", "mes", "postgresql", "shop"}));
}

TEST(ServiceGraphTest, CallsWithinAServiceAreNoEdges) {
  ServiceGraphBuilder graph;
  graph.AddTrace({testing::MakeSpan("4bf92f3577b34da6a3ce929d0e0e4736", "01", "", "shop", "a",
                                    SpanKind::kServer, 0, 10),
                  testing::MakeSpan("4bf92f3577b34da6a3ce929d0e0e4736", "02", "01", "shop", "b",
                                    SpanKind::kInternal, 1, 5)});
  EXPECT_TRUE(graph.Edges().empty());
}

}  // namespace
}  // namespace mayak
