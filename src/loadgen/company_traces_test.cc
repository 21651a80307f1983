#include "loadgen/company_traces.h"

#include <map>
#include <set>

#include "gtest/gtest.h"

namespace mayak {
namespace {

std::vector<Span> Generate(uint64_t seed, int traces) {
  CompanyTraceGenerator generator({seed, 1'795'478'400LL * 1'000'000'000, 30});
  std::vector<Span> spans;
  for (int i = 0; i < traces; ++i) generator.Next(&spans);
  return spans;
}

TEST(CompanyTracesTest, TheSameSeedGivesTheSameSpans) {
  EXPECT_EQ(Generate(7, 200), Generate(7, 200));
  EXPECT_NE(Generate(7, 200), Generate(8, 200));
}

TEST(CompanyTracesTest, WholeTracesAcrossTheCompany) {
  const std::vector<Span> spans = Generate(1, 5000);
  std::map<std::string, std::vector<const Span*>> traces;
  std::set<std::string> span_ids;
  for (const Span& s : spans) {
    ASSERT_TRUE(IsSpanIdentifier(s.trace_id, 32)) << s.trace_id;
    ASSERT_TRUE(IsSpanIdentifier(s.span_id, 16)) << s.span_id;
    EXPECT_TRUE(span_ids.insert(s.span_id).second) << "span ids are unique";
    EXPECT_GT(s.duration_ns, 0);
    traces[s.trace_id].push_back(&s);
  }
  EXPECT_EQ(traces.size(), 5000u);
  // About 4.3 spans a trace: half are orders of 6 (3 when rejected).
  const double mean = static_cast<double>(spans.size()) / 5000;
  EXPECT_GT(mean, 4.0);
  EXPECT_LT(mean, 4.6);
  std::map<std::string, int> names;
  for (const auto& [id, trace] : traces) {
    // Every parent is in the trace, and one span has none.
    int roots = 0;
    for (const Span* s : trace) {
      if (s->parent_span_id.empty()) {
        ++roots;
        continue;
      }
      EXPECT_TRUE(span_ids.contains(s->parent_span_id));
      EXPECT_GE(s->start_ns, trace.front()->start_ns) << s->name;
    }
    EXPECT_EQ(roots, 1);
    names[trace.front()->name]++;
  }
  EXPECT_GT(names["POST /api/orders"], 2300);
  EXPECT_GT(names["GET /api/products/{id}"], 1500);
  EXPECT_GT(names["GET /api/orders/{id}"], 600);
}

}  // namespace
}  // namespace mayak
