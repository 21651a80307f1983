#include "trace/clock_skew.h"

#include "gtest/gtest.h"

namespace mayak {
namespace {

constexpr int64_t kMs = 1'000'000;

Span At(std::string id, std::string parent, std::string service, int64_t start_ms, int64_t end_ms) {
  Span s;
  s.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  s.span_id = std::move(id);
  s.parent_span_id = std::move(parent);
  s.service = std::move(service);
  s.start_ns = start_ms * kMs;
  s.duration_ns = (end_ms - start_ms) * kMs;
  return s;
}

TEST(ClockSkewTest, AServerWhoseClockIsBehindIsMovedIntoItsCaller) {
  // The shop's client span 100-200; the CRM's server span, 80 ms long,
  // stamped 50-130 by a clock 60 ms behind; its own child and a call on to
  // the MES (whose clock is right, and inside already) .
  std::vector<Span> spans = {At("01", "", "shop", 100, 200), At("02", "01", "crm", 50, 130),
                             At("03", "02", "crm", 60, 70), At("04", "02", "mes", 160, 170)};
  const std::vector<SkewAdjustment> moved = AdjustClockSkew(&spans);
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].span, 1u);
  EXPECT_EQ(moved[0].shift_ns, 60 * kMs) << "centered: 10 ms of network each way";
  EXPECT_EQ(spans[1].start_ns, 110 * kMs);
  EXPECT_EQ(spans[2].start_ns, 120 * kMs) << "the CRM's own child moves with it";
  EXPECT_EQ(spans[3].start_ns, 160 * kMs) << "another service's clock is its own";
  EXPECT_EQ(spans[1].duration_ns, 80 * kMs);
  EXPECT_EQ(moved[0].warning,
            "clock skew adjustment: crm's clock is 60ms behind shop's; this span and its own "
            "children are shown moved by that");
}

TEST(ClockSkewTest, WhatFitsOrIsAsynchronousOrOnOneClockStays) {
  std::vector<Span> spans = {At("01", "", "shop", 100, 200), At("02", "01", "crm", 120, 180),
                             At("03", "01", "mes", 150, 900), At("04", "01", "shop", 90, 120)};
  const std::vector<Span> before = spans;
  EXPECT_TRUE(AdjustClockSkew(&spans).empty());
  EXPECT_EQ(spans, before);
  std::vector<Span> ahead = {At("01", "", "shop", 100, 200), At("02", "01", "crm", 150, 230)};
  const auto moved = AdjustClockSkew(&ahead);
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].shift_ns, -40 * kMs);
  EXPECT_NE(moved[0].warning.find("40ms ahead of shop's"), std::string::npos) << moved[0].warning;
}

}  // namespace
}  // namespace mayak
