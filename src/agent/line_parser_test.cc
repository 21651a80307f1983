#include "agent/line_parser.h"

#include "common/json_writer.h"
#include "gtest/gtest.h"
#include "simdjson.h"

namespace mayak::agent {
namespace {

// The fields `parser` makes of `text`, as a JSON object.
std::string Parse(LineParser& parser, std::string_view text, const ReservedFields& reserved = {}) {
  std::string out;
  JsonWriter json(&out);
  json.BeginObject();
  EventFields fields(&reserved, &json);
  parser.Parse(text, &fields);
  json.EndObject();
  simdjson::dom::parser check;
  EXPECT_EQ(check.parse(out).error(), simdjson::SUCCESS) << out;
  return out;
}

TEST(LineParserTest, PlainKeepsTheLine) {
  auto parser = MakePlainParser();
  EXPECT_EQ(Parse(*parser, "disk \"full\""), R"({"message":"disk \"full\""})");
}

TEST(LineParserTest, JsonPassesMembersAndLeavesOutReservedOnes) {
  auto parser = MakeJsonParser();
  EXPECT_EQ(Parse(*parser, R"( {"msg":"hi","n":1,"o":{"a":[1,2]}} )"),
            R"({"msg":"hi","n":1,"o":{"a":[1,2]}})");
  ReservedFields reserved = {"system", "_id"};
  EXPECT_EQ(Parse(*parser, R"({"system":"evil","_id":"x","msg":"hi"})", reserved),
            R"({"msg":"hi"})");
  EXPECT_EQ(Parse(*parser, "{}"), "{}");
  EXPECT_EQ(Parse(*parser, "not json")
                .rfind(R"({"message":"not json","agent.parse_error":"not JSON: )", 0),
            0u);
  EXPECT_EQ(Parse(*parser, "[1]"), R"({"message":"[1]","agent.parse_error":"not a JSON object"})");
}

TEST(LineParserTest, LogfmtTypesValuesAndReadsTimes) {
  auto parser = MakeLogfmtParser();
  EXPECT_EQ(
      Parse(
          *parser,
          R"(time=2026-12-07T10:00:00Z level=info msg="order \"placed\"" order.id=10442 took=12.5 ok=true cached)"),
      R"({"@timestamp":"2026-12-07T10:00:00Z","level":"info","msg":"order \"placed\"","order.id":10442,"took":12.5,"ok":true,"cached":true})");
  // An unknown time stays as text with the reason; a line without msg keeps itself.
  EXPECT_EQ(
      Parse(*parser, "ts=yesterday a=b"),
      R"({"agent.parse_error":"ts: 'yesterday' is not a time the agent knows","ts":"yesterday","a":"b","message":"ts=yesterday a=b"})");
  EXPECT_EQ(
      Parse(*parser, R"(a="open)"),
      R"({"agent.parse_error":"logfmt: the value of a has no closing quote","a":"open","message":"a=\"open"})");
}

TEST(LineParserTest, RegexNamedGroupsBecomeFields) {
  auto parser = MakeRegexParser(
      R"(^(?P<timestamp>\S+ \S+) (?P<level>\w+) \[(?P<thread>[^\]]+)\] (?P<message>(?s:.*)))");
  ASSERT_TRUE(parser.ok());
  EXPECT_EQ(
      Parse(**parser, "2026-12-07 10:00:00,250 ERROR [main] boom\nat x"),
      R"({"@timestamp":"2026-12-07T10:00:00.250Z","level":"ERROR","thread":"main","message":"boom\nat x"})");
  EXPECT_EQ(
      Parse(**parser, "garbage"),
      R"({"message":"garbage","agent.parse_error":"the line does not match the input's pattern"})");
  auto no_message = MakeRegexParser(R"(status=(?P<http__response__status_code>\d+))");
  ASSERT_TRUE(no_message.ok());
  EXPECT_EQ(Parse(**no_message, "x status=503"),
            R"({"http.response.status_code":503,"message":"x status=503"})");
}

TEST(LineParserTest, AccessLogsInCombinedAndCommonFormats) {
  auto parser = MakeAccessLogParser();
  EXPECT_EQ(
      Parse(
          *parser,
          R"(203.0.113.9 - alice [07/Dec/2026:10:00:00 +0300] "GET /api/orders?id=7 HTTP/1.1" 500 1234 "https://shop/" "curl/8.5 \"x\"")"),
      R"({"message":"203.0.113.9 - alice [07/Dec/2026:10:00:00 +0300] \"GET /api/orders?id=7 HTTP/1.1\" 500 1234 \"https://shop/\" \"curl/8.5 \\\"x\\\"\"","client.ip":"203.0.113.9","user.name":"alice","@timestamp":"2026-12-07T07:00:00Z","http.request.method":"GET","url.original":"/api/orders?id=7","url.path":"/api/orders","url.query":"id=7","http.version":"1.1","http.response.status_code":500,"log.level":"ERROR","http.response.body.bytes":1234,"http.request.referrer":"https://shop/","user_agent.original":"curl/8.5 \\\"x\\\""})");
  EXPECT_EQ(
      Parse(*parser, R"(::1 - - [07/Dec/2026:10:00:00 +0000] "POST /login HTTP/2.0" 401 -)"),
      R"({"message":"::1 - - [07/Dec/2026:10:00:00 +0000] \"POST /login HTTP/2.0\" 401 -","client.ip":"::1","@timestamp":"2026-12-07T10:00:00Z","http.request.method":"POST","url.original":"/login","url.path":"/login","http.version":"2.0","http.response.status_code":401,"log.level":"WARN"})");
  EXPECT_NE(Parse(*parser, "hello world").find("not an access log line"), std::string::npos);
}

TEST(LineParserTest, RabbitmqsOwnLog) {
  auto parser = MakeRabbitmqLogParser();
  EXPECT_EQ(
      Parse(*parser,
            "2026-12-07 10:00:00.123456+03:00 [error] <0.1234.0> closing AMQP connection "
            "<0.1234.0> (127.0.0.1:5000 -> 127.0.0.1:5672):\n"
            "missed heartbeats from client, timeout: 60s"),
      R"({"@timestamp":"2026-12-07T07:00:00.123456Z","level":"error","erlang.pid":"0.1234.0",)"
      R"("message":"closing AMQP connection <0.1234.0> (127.0.0.1:5000 -> 127.0.0.1:5672):\n)"
      R"(missed heartbeats from client, timeout: 60s"})");
}

TEST(LineParserTest, LogTimes) {
  EXPECT_EQ(ParseLogTime("2026-12-07T10:00:00Z"), 1796637600'000'000'000);
  EXPECT_EQ(ParseLogTime("2026-12-07 10:00:00,5"), 1796637600'500'000'000);
  EXPECT_EQ(ParseLogTime("2026-12-07 10:00:00.123 UTC"), 1796637600'123'000'000);
  EXPECT_EQ(ParseLogTime("1796637600"), 1796637600'000'000'000);
  EXPECT_EQ(ParseLogTime("1796637600.25"), 1796637600'250'000'000);
  EXPECT_EQ(ParseLogTime("2026-12-07"), std::nullopt);
  EXPECT_EQ(ParseLogTime("soon"), std::nullopt);
}

}  // namespace
}  // namespace mayak::agent
