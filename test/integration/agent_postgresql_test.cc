// The agent's PostgreSQL module on a real PostgreSQL (scripts/test-postgres):
// slow queries, errors with their DETAIL and STATEMENT, and FATALs arrive as
// the logging plan's db.slow_query and db.error records, redacted.
#include "agent_process.h"
#include "common/strings.h"
#include "gtest/gtest.h"
#include "server_process.h"
#include "support/eventually.h"
#include "test_helpers.h"

namespace mayak::testing {
namespace {

class PostgresServer {
 public:
  explicit PostgresServer(const std::string& dir) : dir_(dir), port_(FreePort()) {
    std::string out;
    started_ =
        RunCommand(StrCat(MAYAK_SOURCE_DIR, "/scripts/test-postgres start ", dir_, " ", port_),
                   &out) == 0;
    start_output_ = out;
  }
  ~PostgresServer() {
    std::string out;
    if (started_) RunCommand(StrCat(MAYAK_SOURCE_DIR, "/scripts/test-postgres stop ", dir_), &out);
  }
  bool started() const { return started_; }
  const std::string& start_output() const { return start_output_; }
  // Runs SQL with psql; returns psql's exit code.
  int Psql(const std::string& sql, const std::string& database = "postgres") const {
    std::string out;
    return RunCommand(StrCat("psql -X -q -h 127.0.0.1 -p ", port_, " -U postgres -d ", database,
                             " -c \"", sql, "\""),
                      &out);
  }

 private:
  std::string dir_;
  int port_;
  bool started_ = false;
  std::string start_output_;
};

// The records of a query, as parsed hits.
std::unique_ptr<ParsedJson> Hits(HttpClient& client, const std::string& query) {
  HttpReply reply = Search(client, StrCat("from=0&limit=100&q=", query));
  return std::make_unique<ParsedJson>(reply.body);
}

TEST(AgentPostgresqlTest, SlowQueriesAndErrorsBecomePlanRecords) {
  TempDir dir;
  PostgresServer postgres(dir.path());
  ASSERT_TRUE(postgres.started()) << postgres.start_output();
  ServerProcess server(ServerOptions(dir.path() + "/server"));
  ASSERT_TRUE(server.ready()) << server.log();
  AgentProcess agent(dir.path(),
                     StrCat("inputs:\n  - type: postgresql\n    paths: [", dir.path(),
                            "/pglog/*.log]\n    log_line_prefix: '%m [%p] %q%u@%d %e '\n",
                            "    slow_query_ms: 250\n", "output:\n  mayak: {url: '", server.url(),
                            "'}\n  batch_wait: 100ms\n"));
  // The workload: a slow query with a secret in it, a fast one, a
  // constraint violation (ERROR with DETAIL and STATEMENT), a missing
  // relation, and a connection to a database that does not exist (FATAL).
  EXPECT_EQ(postgres.Psql("SELECT pg_sleep(0.3), 'password=Hunter2Secret' AS note"), 0);
  EXPECT_EQ(postgres.Psql("SELECT pg_sleep(0.21)"), 0);  // logged (200 ms), under 250: INFO
  EXPECT_EQ(postgres.Psql("CREATE TABLE orders (id int PRIMARY KEY)"), 0);
  EXPECT_NE(postgres.Psql("INSERT INTO orders VALUES (7); INSERT INTO orders VALUES (7)"), 0);
  EXPECT_NE(postgres.Psql("SELECT * FROM nope"), 0);
  EXPECT_NE(postgres.Psql("SELECT 1", "nope"), 0);

  auto client = server.Client();
  std::unique_ptr<ParsedJson> errors;
  ASSERT_TRUE(Eventually([&] {
    errors = Hits(*client, "event.action:db.error");
    return errors->ok() && uint64_t((*errors)["total"]) == 3;
  })) << agent.log();

  auto slow = Hits(*client, "event.action:db.slow_query");
  ASSERT_EQ(uint64_t((*slow)["total"]), 1u) << agent.log();
  simdjson::dom::element record = (*slow)["hits"].at(0);
  EXPECT_EQ(std::string_view(record["log.level"]), "WARN");
  EXPECT_EQ(std::string_view(record["system"]), "postgres");
  EXPECT_GE(int64_t(record["event.duration"]), 300'000'000);
  const std::string_view statement = record["db.statement"];
  EXPECT_NE(statement.find("pg_sleep(0.3)"), std::string_view::npos) << statement;
  EXPECT_EQ(statement.find("Hunter2Secret"), std::string_view::npos) << "redacted: " << statement;
  auto fast = Hits(*client, "event.action:db.query");
  EXPECT_EQ(uint64_t((*fast)["total"]), 1u);

  bool unique_violation = false;
  bool missing_relation = false;
  bool fatal = false;
  for (simdjson::dom::element hit : (*errors)["hits"].get_array()) {
    EXPECT_EQ(std::string_view(hit["log.level"]), "ERROR");
    const std::string_view sqlstate = hit["db.sqlstate"];
    if (sqlstate == "23505") {
      unique_violation = true;
      EXPECT_EQ(std::string_view(hit["postgresql.detail"]), "Key (id)=(7) already exists.");
      EXPECT_EQ(std::string_view(hit["db.statement"]),
                "INSERT INTO orders VALUES (7); INSERT INTO orders VALUES (7)");
      EXPECT_NE(std::string_view(hit["error.message"]).find("duplicate key value"),
                std::string_view::npos);
    } else if (sqlstate == "42P01") {
      missing_relation = true;
      EXPECT_EQ(std::string_view(hit["db.statement"]), "SELECT * FROM nope");
    } else if (sqlstate == "3D000") {
      fatal = true;
      EXPECT_EQ(std::string_view(hit["postgresql.severity"]), "FATAL");
      EXPECT_EQ(std::string_view(hit["db.name"]), "nope");
    }
  }
  EXPECT_TRUE(unique_violation && missing_relation && fatal) << errors->root();
}

}  // namespace
}  // namespace mayak::testing
