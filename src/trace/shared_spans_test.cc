#include "trace/shared_spans.h"

#include "gtest/gtest.h"

namespace mayak {
namespace {

Span Make(std::string id, std::string parent, SpanKind kind) {
  Span s;
  s.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  s.span_id = std::move(id);
  s.parent_span_id = std::move(parent);
  s.kind = kind;
  return s;
}

TEST(SharedSpansTest, TheServerHalfBecomesTheClientsChild) {
  std::vector<Span> spans = {Make("00000000000000a1", "", SpanKind::kServer),
                             Make("00000000000000b1", "00000000000000a1", SpanKind::kClient),
                             Make("00000000000000b1", "00000000000000a1", SpanKind::kServer),
                             Make("00000000000000b2", "00000000000000b1", SpanKind::kClient)};
  EXPECT_EQ(SeparateSharedSpans(&spans), 1u);
  EXPECT_EQ(spans[1].span_id, "00000000000000b1") << "the client keeps the id";
  // b1 + 1 = b2 is taken by another span: the next free one.
  EXPECT_EQ(spans[2].span_id, "00000000000000b3");
  EXPECT_EQ(spans[2].parent_span_id, "00000000000000b1");
  EXPECT_EQ(spans[0].span_id, "00000000000000a1") << "a server alone keeps its id";
  EXPECT_EQ(spans[3].span_id, "00000000000000b2");
}

TEST(SharedSpansTest, NothingSharedNothingChanged) {
  std::vector<Span> spans = {Make("00000000000000a1", "", SpanKind::kServer),
                             Make("00000000000000a2", "00000000000000a1", SpanKind::kClient)};
  const std::vector<Span> before = spans;
  EXPECT_EQ(SeparateSharedSpans(&spans), 0u);
  EXPECT_EQ(spans, before);
  std::vector<Span> last = {Make("ffffffffffffffff", "", SpanKind::kClient),
                            Make("ffffffffffffffff", "", SpanKind::kServer)};
  EXPECT_EQ(SeparateSharedSpans(&last), 1u);
  EXPECT_EQ(last[1].span_id, "0000000000000001") << "wraps past the largest id, never to zero";
}

}  // namespace
}  // namespace mayak
