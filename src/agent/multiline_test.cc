#include "agent/multiline.h"

#include <string>
#include <vector>

#include "common/strings.h"
#include "gtest/gtest.h"

namespace mayak::agent {
namespace {

struct Grouped {
  std::string text;
  int64_t offset;
  int64_t end;
  size_t lines;
};

std::vector<Grouped> Group(const MultilineConfig& config, std::string_view log,
                           size_t max_bytes = 1 << 20) {
  auto grouper = MultilineGrouper::Create(config, max_bytes);
  EXPECT_TRUE(grouper.ok()) << grouper.status();
  std::vector<Grouped> out;
  const EmitEvent emit = [&out](const TextEvent& e) {
    out.push_back({std::string(e.text), e.offset, e.end_offset, e.lines});
  };
  int64_t offset = 0;
  for (std::string_view line : Split(log, '\n')) {
    const int64_t end = offset + static_cast<int64_t>(line.size()) + 1;
    (*grouper)->Add(line, offset, end, false, emit);
    EXPECT_EQ((*grouper)->pending_offset() <= offset, true);
    offset = end;
  }
  (*grouper)->Flush(emit);
  return out;
}

constexpr std::string_view kJava =
    "2026-12-07 10:00:00 ERROR order failed\n"
    "java.lang.IllegalStateException: stock below zero\n"
    "\tat shop.Stock.take(Stock.java:42)\n"
    "\tat shop.Orders.place(Orders.java:17)\n"
    "Caused by: java.sql.SQLException: deadlock\n"
    "\t... 12 more\n"
    "2026-12-07 10:00:01 INFO next";

TEST(MultilineTest, StartPatternGroupsAJavaStackTrace) {
  MultilineConfig config;
  config.start = R"(^\d{4}-\d{2}-\d{2})";
  const auto events = Group(config, kJava);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].lines, 6u);
  EXPECT_EQ(events[0].offset, 0);
  EXPECT_EQ(events[0].text.substr(events[0].text.size() - 12), "\t... 12 more");
  EXPECT_EQ(events[1].text, "2026-12-07 10:00:01 INFO next");
  EXPECT_EQ(events[1].offset, events[0].end);
}

TEST(MultilineTest, ContinuationPatternGroupsPythonAndGoTraces) {
  MultilineConfig config;
  config.continuation =
      R"(^(\s|$|Traceback|[A-Za-z.]+(Error|Exception):|goroutine |main\.|panic:$))";
  const auto events = Group(config,
                            "request failed\n"
                            "Traceback (most recent call last):\n"
                            "  File \"app.py\", line 3, in <module>\n"
                            "    pay()\n"
                            "ZeroDivisionError: division by zero\n"
                            "panic: runtime error: index out of range\n"
                            "\n"
                            "goroutine 1 [running]:\n"
                            "main.main()\n"
                            "\t/app/main.go:8 +0x1d\n"
                            "done");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].lines, 5u);
  EXPECT_EQ(events[1].lines, 5u) << events[1].text;
  EXPECT_EQ(events[2].text, "done");
}

TEST(MultilineTest, GdbBacktraceByStartPattern) {
  MultilineConfig config;
  config.start = R"(^\[\d{2}:\d{2}:\d{2}\])";
  const auto events = Group(config,
                            "[10:00:00] crash in worker\n"
                            "#0  0x00007f in raise () from /lib/libc.so.6\n"
                            "#1  0x00401a in Order::Cost (this=0x0) at cost.cc:12\n"
                            "[10:00:01] restarted");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].lines, 3u);
}

TEST(MultilineTest, MaxLinesAndMaxBytesStartANewEventAndLoseNothing) {
  MultilineConfig config;
  config.start = "^START";
  config.max_lines = 3;
  const auto events = Group(config, "START\na\nb\nc\nd\nSTART");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].text, "START\na\nb");
  EXPECT_EQ(events[1].text, "c\nd");
  EXPECT_EQ(events[2].text, "START");
  const auto small = Group(config, "START\n0123456789\nxy", 12);
  ASSERT_EQ(small.size(), 3u);
  EXPECT_EQ(small[1].text, "0123456789");
}

TEST(MultilineTest, WithoutAPatternEveryLineIsAnEvent) {
  const auto events = Group(MultilineConfig{}, "a\n\tb");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].offset, 2);
  EXPECT_EQ(events[1].end, 5);
}

}  // namespace
}  // namespace mayak::agent
