#include "trace/critical_path.h"

#include "gtest/gtest.h"

namespace mayak {
namespace {

constexpr int64_t kMs = 1'000'000;

Span At(std::string id, std::string parent, int64_t start_ms, int64_t end_ms) {
  Span s;
  s.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  s.span_id = std::move(id);
  s.parent_span_id = std::move(parent);
  s.start_ns = start_ms * kMs;
  s.duration_ns = (end_ms - start_ms) * kMs;
  return s;
}

// The path as (span index, from ms, to ms).
// Waiting segments have the span index + 100.
std::vector<std::tuple<size_t, int64_t, int64_t>> PathOf(const StageTimes& t) {
  std::vector<std::tuple<size_t, int64_t, int64_t>> out;
  for (const CriticalSegment& s : t.path) {
    out.emplace_back(s.span + (s.waiting ? 100 : 0), s.start_ns / kMs, s.end_ns / kMs);
  }
  return out;
}

TEST(CriticalPathTest, SequentialCallsAreAllOnThePath) {
  // root 0-100 calls a 10-40, then b 50-90.
  const std::vector<Span> spans = {At("01", "", 0, 100), At("02", "01", 10, 40),
                                   At("03", "01", 50, 90)};
  const StageTimes t = ComputeStageTimes(spans);
  EXPECT_EQ(PathOf(t), (std::vector<std::tuple<size_t, int64_t, int64_t>>{
                           {0, 0, 10}, {1, 10, 40}, {0, 40, 50}, {2, 50, 90}, {0, 90, 100}}));
  EXPECT_EQ(t.self_ns, (std::vector<int64_t>{30 * kMs, 30 * kMs, 40 * kMs}));
  EXPECT_EQ(t.critical_ns, (std::vector<int64_t>{30 * kMs, 30 * kMs, 40 * kMs}));
}

TEST(CriticalPathTest, OfParallelCallsTheLastToFinishIsOnThePath) {
  // root 0-100 calls a 10-60 and b 10-80 at once; b's own child 20-70.
  const std::vector<Span> spans = {At("01", "", 0, 100), At("02", "01", 10, 60),
                                   At("03", "01", 10, 80), At("04", "03", 20, 70)};
  const StageTimes t = ComputeStageTimes(spans);
  EXPECT_EQ(PathOf(t), (std::vector<std::tuple<size_t, int64_t, int64_t>>{
                           {0, 0, 10}, {2, 10, 20}, {3, 20, 70}, {2, 70, 80}, {0, 80, 100}}));
  EXPECT_EQ(t.critical_ns[1], 0) << "a finished before b: shortening it gains nothing";
  EXPECT_EQ(t.self_ns[0], 30 * kMs) << "the union of overlapping children counts once";
  EXPECT_EQ(t.self_ns[2], 20 * kMs);
}

TEST(CriticalPathTest, AsynchronousWorkEndsThePath) {
  // The request 0-100 publishes 40-50; the consumer, the publish's child,
  // starts 70 (after 20 ms in the queue) and runs to 300, querying 100-250.
  // The request is answered at 100, but the order is done at 300.
  const std::vector<Span> spans = {At("01", "", 0, 100), At("02", "01", 40, 50),
                                   At("03", "02", 70, 300), At("04", "03", 100, 250)};
  const StageTimes t = ComputeStageTimes(spans);
  EXPECT_EQ(
      PathOf(t),
      (std::vector<std::tuple<size_t, int64_t, int64_t>>{
          {0, 0, 40}, {1, 40, 50}, {102, 50, 70}, {2, 70, 100}, {3, 100, 250}, {2, 250, 300}}));
  EXPECT_EQ(t.root, 0u);
  EXPECT_EQ(t.critical_ns[2], 80 * kMs) << "its waiting time apart";
  EXPECT_EQ(t.self_ns[0], 90 * kMs);
  EXPECT_EQ(t.self_ns[2], 80 * kMs);
}

TEST(CriticalPathTest, ALinkLeadsBackWhereThereIsNoParent) {
  // A consumer with no parent, linked to the producer 40-50, starting 60.
  std::vector<Span> spans = {At("01", "", 0, 100), At("02", "01", 40, 50), At("03", "", 60, 200)};
  spans[2].links = {{spans[0].trace_id, "02", {}}};
  const StageTimes t = ComputeStageTimes(spans);
  EXPECT_EQ(PathOf(t), (std::vector<std::tuple<size_t, int64_t, int64_t>>{
                           {0, 0, 40}, {1, 40, 50}, {102, 50, 60}, {2, 60, 200}}));
  // A link to another trace is not followed.
  spans[2].links[0].trace_id = "0af7651916cd43dd8448eb211c80319c";
  EXPECT_EQ(PathOf(ComputeStageTimes(spans)),
            (std::vector<std::tuple<size_t, int64_t, int64_t>>{{2, 60, 200}}));
}

TEST(CriticalPathTest, OrphansCyclesAndEmptyTraces) {
  EXPECT_TRUE(ComputeStageTimes({}).path.empty());
  // A span whose parent is missing is a root; the one that ends last leads.
  const StageTimes orphan = ComputeStageTimes({At("02", "99", 5, 10), At("01", "", 0, 20)});
  EXPECT_EQ(orphan.root, 1u);
  // Parents in a cycle end.
  const StageTimes cycle = ComputeStageTimes({At("01", "02", 0, 10), At("02", "01", 2, 8)});
  EXPECT_EQ(cycle.root, 0u);
  EXPECT_EQ(PathOf(cycle),
            (std::vector<std::tuple<size_t, int64_t, int64_t>>{{0, 0, 2}, {1, 2, 8}, {0, 8, 10}}));
}

}  // namespace
}  // namespace mayak
