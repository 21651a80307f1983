#include "agent/postgresql_parser.h"

#include <vector>

#include "agent/multiline.h"
#include "common/json_writer.h"
#include "common/strings.h"
#include "gtest/gtest.h"
#include "simdjson.h"

namespace mayak::agent {
namespace {

// Groups `log` into entries as the input does and parses each.
std::vector<std::string> Entries(const PostgresqlConfig& config, std::string_view log) {
  auto multiline = PostgresqlMultiline(config);
  EXPECT_TRUE(multiline.ok()) << multiline.status();
  auto grouper = MultilineGrouper::Create(*multiline, 1 << 20);
  auto parser = MakePostgresqlParser(config);
  EXPECT_TRUE(parser.ok()) << parser.status();
  std::vector<std::string> out;
  const ReservedFields reserved;
  const EmitEvent emit = [&](const TextEvent& e) {
    std::string json;
    JsonWriter writer(&json);
    writer.BeginObject();
    EventFields fields(&reserved, &writer);
    (*parser)->Parse(e.text, &fields);
    writer.EndObject();
    out.push_back(json);
  };
  int64_t offset = 0;
  for (std::string_view line : Split(log, '\n')) {
    (*grouper)->Add(line, offset, offset + static_cast<int64_t>(line.size()) + 1, false, emit);
    offset += static_cast<int64_t>(line.size()) + 1;
  }
  (*grouper)->Flush(emit);
  return out;
}

simdjson::dom::element Doc(simdjson::dom::parser& parser, const std::string& json) {
  return parser.parse(json).value();
}

TEST(PostgresqlParserTest, StderrSlowQueriesErrorsAndFatals) {
  PostgresqlConfig config;
  config.log_line_prefix = "%m [%p] %q%u@%d ";
  config.slow_query_ms = 500;
  const std::vector<std::string> entries = Entries(
      config,
      "2026-12-07 10:00:00.123 UTC [4242] app@shop LOG:  duration: 612.500 ms  statement: SELECT "
      "*\n"
      "\t  FROM orders WHERE password = 'x'\n"
      "2026-12-07 10:00:01.000 UTC [4242] app@shop LOG:  duration: 3.100 ms  statement: SELECT 1\n"
      "2026-12-07 10:00:02.000 UTC [4242] app@shop ERROR:  duplicate key value violates unique "
      "constraint \"orders_pkey\"\n"
      "2026-12-07 10:00:02.000 UTC [4242] app@shop DETAIL:  Key (id)=(7) already exists.\n"
      "2026-12-07 10:00:02.000 UTC [4242] app@shop STATEMENT:  INSERT INTO orders VALUES (7)\n"
      "2026-12-07 10:00:03.000 UTC [77] LOG:  checkpoint starting: time\n"
      "2026-12-07 10:00:04.000 UTC [4300] app@shop FATAL:  password authentication failed for user "
      "\"app\"\n"
      "2026-12-07 10:00:05.000 UTC [4242] app@shop LOG:  duration: 900 ms  execute <unnamed>: "
      "SELECT $1\n"
      "2026-12-07 10:00:05.000 UTC [4242] app@shop DETAIL:  parameters: $1 = '5'");
  ASSERT_EQ(entries.size(), 6u);
  simdjson::dom::parser parser;

  auto slow = Doc(parser, entries[0]);
  EXPECT_EQ(std::string_view(slow["log.level"]), "WARN");
  EXPECT_EQ(std::string_view(slow["event.action"]), "db.slow_query");
  EXPECT_EQ(int64_t(slow["event.duration"]), 612'500'000);
  EXPECT_EQ(std::string_view(slow["db.statement"]), "SELECT *\n  FROM orders WHERE password = 'x'");
  EXPECT_EQ(std::string_view(slow["@timestamp"]), "2026-12-07T10:00:00.123Z");
  EXPECT_EQ(int64_t(slow["process.pid"]), 4242);
  EXPECT_EQ(std::string_view(slow["user.name"]), "app");
  EXPECT_EQ(std::string_view(slow["db.name"]), "shop");

  auto fast = Doc(parser, entries[1]);
  EXPECT_EQ(std::string_view(fast["log.level"]), "INFO");
  EXPECT_EQ(std::string_view(fast["event.action"]), "db.query");

  auto error = Doc(parser, entries[2]);
  EXPECT_EQ(std::string_view(error["log.level"]), "ERROR");
  EXPECT_EQ(std::string_view(error["event.action"]), "db.error");
  EXPECT_EQ(std::string_view(error["error.message"]),
            "duplicate key value violates unique constraint \"orders_pkey\"");
  EXPECT_EQ(std::string_view(error["postgresql.detail"]), "Key (id)=(7) already exists.");
  EXPECT_EQ(std::string_view(error["db.statement"]), "INSERT INTO orders VALUES (7)");

  auto checkpoint = Doc(parser, entries[3]);  // %q: no user@db for a background process
  EXPECT_EQ(std::string_view(checkpoint["log.level"]), "INFO");
  EXPECT_TRUE(checkpoint["user.name"].error());

  auto fatal = Doc(parser, entries[4]);
  EXPECT_EQ(std::string_view(fatal["log.level"]), "ERROR");
  EXPECT_EQ(std::string_view(fatal["postgresql.severity"]), "FATAL");
  EXPECT_EQ(std::string_view(fatal["event.action"]), "db.error");

  auto execute = Doc(parser, entries[5]);
  EXPECT_EQ(std::string_view(execute["event.action"]), "db.slow_query");
  EXPECT_EQ(std::string_view(execute["db.statement"]), "SELECT $1");
  EXPECT_EQ(std::string_view(execute["postgresql.detail"]), "parameters: $1 = '5'");
}

TEST(PostgresqlParserTest, SqlstateFromThePrefix) {
  PostgresqlConfig config;
  config.log_line_prefix = "%t [%p]: [%l-1] db=%d,user=%u,app=%a,client=%h %e ";
  const std::vector<std::string> entries =
      Entries(config,
              "2026-12-07 10:00:02 UTC [9]: [3-1] db=shop,user=app,app=psql,client=10.0.0.5 42P01 "
              "ERROR:  relation \"nope\" does not exist at character 15\n"
              "2026-12-07 10:00:02 UTC [9]: [4-1] db=shop,user=app,app=psql,client=10.0.0.5 42P01 "
              "STATEMENT:  SELECT * FROM nope");
  ASSERT_EQ(entries.size(), 1u);
  simdjson::dom::parser parser;
  auto error = Doc(parser, entries[0]);
  EXPECT_EQ(std::string_view(error["db.sqlstate"]), "42P01");
  EXPECT_EQ(std::string_view(error["db.statement"]), "SELECT * FROM nope");
  EXPECT_EQ(std::string_view(error["client.address"]), "10.0.0.5");
  EXPECT_EQ(std::string_view(error["process.name"]), "psql");
}

TEST(PostgresqlParserTest, Csvlog) {
  PostgresqlConfig config;
  config.format = PostgresqlConfig::Format::kCsvlog;
  config.slow_query_ms = 100;
  const std::vector<std::string> entries = Entries(
      config,
      "2026-12-07 10:00:00.123 "
      "UTC,\"app\",\"shop\",4242,\"127.0.0.1:5000\",6571a0.1092,1,\"SELECT\","
      "2026-12-07 09:59:00 UTC,3/7,0,LOG,00000,\"duration: 250.000 ms  statement: SELECT 1,\n  2\","
      ",,,,,,,,\"psql\",\"client backend\",,0\n"
      "2026-12-07 10:00:01.000 "
      "UTC,\"app\",\"shop\",4242,\"127.0.0.1:5000\",6571a0.1092,2,\"INSERT\","
      "2026-12-07 09:59:00 UTC,3/8,0,ERROR,23505,\"duplicate key value violates unique constraint "
      "\"\"orders_pkey\"\"\",\"Key (id)=(7) already exists.\",,,,,\"INSERT INTO orders VALUES "
      "(7)\","
      ",,\"psql\",\"client backend\",,0");
  ASSERT_EQ(entries.size(), 2u);
  simdjson::dom::parser parser;
  auto slow = Doc(parser, entries[0]);
  EXPECT_EQ(std::string_view(slow["event.action"]), "db.slow_query");
  EXPECT_EQ(std::string_view(slow["db.statement"]), "SELECT 1,\n  2");
  EXPECT_EQ(int64_t(slow["event.duration"]), 250'000'000);
  auto error = Doc(parser, entries[1]);
  EXPECT_EQ(std::string_view(error["db.sqlstate"]), "23505");
  EXPECT_EQ(std::string_view(error["error.message"]),
            "duplicate key value violates unique constraint \"orders_pkey\"");
  EXPECT_EQ(std::string_view(error["db.statement"]), "INSERT INTO orders VALUES (7)");
  EXPECT_EQ(std::string_view(error["client.address"]), "127.0.0.1");
}

TEST(PostgresqlParserTest, PrefixEscapes) {
  EXPECT_TRUE(LogLinePrefixRegex("%m [%p] %q%u@%d ").ok());
  EXPECT_TRUE(LogLinePrefixRegex("%n %c %x %v %i %b %Q %% %-10u ").ok());
  EXPECT_FALSE(LogLinePrefixRegex("%Z").ok());
}

}  // namespace
}  // namespace mayak::agent
