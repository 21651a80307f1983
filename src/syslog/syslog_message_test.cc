#include "syslog/syslog_message.h"

#include "absl/time/time.h"
#include "common/timestamps.h"
#include "gtest/gtest.h"

namespace mayak {
namespace {

// 2026-11-25T10:00:00Z
constexpr int64_t kReceived = 1'795'608'000'000'000'000;

const AttributeValue* Field(const LogRecord& r, std::string_view key) {
  return r.FindAttribute(key);
}

TEST(SyslogMessageTest, Rfc5424WithStructuredData) {
  // RFC 5424's example 3, with a BOM before the message.
  auto r = ParseSyslogMessage(
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
      "[exampleSDID@32473 iut=\"3\" eventSource=\"Appli\\\"cation\" eventID=\"1011\"]"
      "[examplePriority@32473 class=\"high\"] \xEF\xBB\xBF"
      "An application event log entry...",
      kReceived);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->timestamp_ns, *ParseRfc3339("2003-10-11T22:14:15.003Z"));
  EXPECT_EQ(r->level, Level::kInfo);  // 165 = local4.notice
  EXPECT_EQ(r->service, "evntslog");
  EXPECT_EQ(r->system, "evntslog");
  EXPECT_EQ(r->message, "An application event log entry...");
  EXPECT_EQ(std::get<std::string>(*Field(*r, "host.name")), "mymachine.example.com");
  EXPECT_EQ(std::get<std::string>(*Field(*r, "event.code")), "ID47");
  EXPECT_EQ(std::get<std::string>(*Field(*r, "log.syslog.facility.name")), "local4");
  EXPECT_EQ(std::get<int64_t>(*Field(*r, "log.syslog.severity.code")), 5);
  EXPECT_EQ(
      std::get<std::string>(*Field(*r, "log.syslog.structured_data.exampleSDID@32473.eventSource")),
      "Appli\"cation");
  EXPECT_EQ(
      std::get<std::string>(*Field(*r, "log.syslog.structured_data.examplePriority@32473.class")),
      "high");
  EXPECT_EQ(Field(*r, "process.pid"), nullptr);  // PROCID was "-"
}

TEST(SyslogMessageTest, Rfc5424NilValuesAndPid) {
  auto r = ParseSyslogMessage("<11>1 - - postgres 4242 - - FATAL: password authentication failed",
                              kReceived);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->timestamp_ns, kReceived);
  EXPECT_EQ(r->level, Level::kError);  // 11 = user.err
  EXPECT_EQ(r->system, "postgres");
  EXPECT_EQ(std::get<int64_t>(*Field(*r, "process.pid")), 4242);
  EXPECT_EQ(r->message, "FATAL: password authentication failed");
  auto empty_message = ParseSyslogMessage("<14>1 2026-11-25T09:00:00+03:00 h app - - -", kReceived);
  ASSERT_TRUE(empty_message.ok()) << empty_message.status();
  EXPECT_EQ(empty_message->timestamp_ns, *ParseRfc3339("2026-11-25T06:00:00Z"));
  EXPECT_EQ(empty_message->message, "");
}

TEST(SyslogMessageTest, Rfc3164AndItsVariants) {
  // RFC 3164's example, in November.
  auto r = ParseSyslogMessage("<34>Nov 25 09:14:15 mymachine su: 'su root' failed for lonvick",
                              kReceived);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->timestamp_ns, *ParseRfc3339("2026-11-25T09:14:15Z"));
  EXPECT_EQ(r->level, Level::kFatal);  // 34 = auth.crit
  EXPECT_EQ(std::get<std::string>(*Field(*r, "host.name")), "mymachine");
  EXPECT_EQ(r->service, "su");
  EXPECT_EQ(r->message, "'su root' failed for lonvick");

  // A tag with a pid, no host, a space-padded day; December seen in
  // November is last year's.
  auto pid = ParseSyslogMessage("<30>Dec  1 23:59:59 rabbitmq[812]: connection closed", kReceived);
  ASSERT_TRUE(pid.ok()) << pid.status();
  EXPECT_EQ(pid->timestamp_ns, *ParseRfc3339("2025-12-01T23:59:59Z"));
  EXPECT_EQ(pid->service, "rabbitmq");
  EXPECT_EQ(std::get<int64_t>(*Field(*pid, "process.pid")), 812);
  EXPECT_EQ(pid->message, "connection closed");
  EXPECT_EQ(Field(*pid, "host.name"), nullptr);

  // An RFC 3339 time in the BSD format, and a message with no tag.
  auto modern = ParseSyslogMessage("<13>2026-11-25T08:00:00Z web1 nginx: GET / 200", kReceived);
  ASSERT_TRUE(modern.ok());
  EXPECT_EQ(modern->timestamp_ns, *ParseRfc3339("2026-11-25T08:00:00Z"));
  EXPECT_EQ(modern->service, "nginx");
  auto bare = ParseSyslogMessage("just text, no header\n", kReceived);
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->message, "just text, no header");
  EXPECT_EQ(bare->timestamp_ns, kReceived);
  EXPECT_EQ(bare->level, Level::kInfo);  // user.notice, as relays assume
}

TEST(SyslogMessageTest, BrokenMessagesSayWhereAndWhy) {
  const struct {
    std::string message;
    std::string says;
  } cases[] = {
      {"<999>1 - - - - - - x", "priority of 0 to 191"},
      {"<13", "priority of 0 to 191"},
      {"<13>1 yesterday h a - - - x", "byte 6: TIMESTAMP"},
      {"<13>1 - h a - - [id x=\"unterminated", "unterminated value of id.x"},
      {"<13>1 - h a - - [id x=3]", "PARAM-NAME=\"value\""},
      {"<13>1 - h a - - nosd", "expected structured data"},
      {"<13>1 - h  - - - x", "APP-NAME is empty"},
      {"", "empty message"},
  };
  for (const auto& c : cases) {
    auto r = ParseSyslogMessage(c.message, kReceived);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_NE(r.status().message().find(c.says), absl::string_view::npos)
        << r.status() << " for " << c.message;
  }
}

}  // namespace
}  // namespace mayak
