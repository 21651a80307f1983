// The logging plan's first security rule, end to end: whatever protocol a
// record comes by, its passwords, tokens and card numbers never reach the
// data directory, and emails are masked — checked on the bytes of every file
// the real server wrote (write-ahead log, then segments after a restart).
#include <csignal>
#include <fstream>

#include "gtest/gtest.h"
#include "server_process.h"
#include "support/dir_bytes.h"
#include "test_helpers.h"

namespace mayak::testing {
namespace {

TEST(RedactionEndToEndTest, NativeAndElasticsearchIngestStoreNoSecret) {
  TempDir dir;
  const std::vector<std::string> args = {"--es-listen", "127.0.0.1:0", "--config",
                                         dir.path() + "/mayak.yaml"};
  {
    std::ofstream(dir.path() + "/mayak.yaml")
        << "redaction:\n  rules:\n    iban: {pattern: '[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}', "
           "replacement: '[IBAN]'}\n";
  }
  auto server = std::make_unique<ServerProcess>(ServerOptions(dir.path() + "/data", args));
  ASSERT_TRUE(server->ready()) << server->log();
  auto client = server->Client();
  HttpReply native = PostLogs(
      *client,
      R"({"message":"login bob password=NativePass1 from jane.doe@example.com","user":{"password":"FieldPass2"}})"
      "\n"
      R"({"message":"paid with 4111 1111 1111 1111 to DE89370400440532013000","order.id":4111111111111112})"
      "\n");
  ASSERT_EQ(native.status, 200) << native.body;

  auto es = HttpClient::Create(server->ListenerUrl("elasticsearch"));
  ASSERT_TRUE(es.ok());
  auto bulk = (*es)->Send(
      "POST", "/_bulk",
      "{\"create\":{\"_index\":\"logs-crm-default\"}}\n"
      R"({"message":"GET /cb?token=EsToken3&x=1","http":{"request":{"headers":{"authorization":"Bearer EsBearer4"}}}})"
      "\n",
      {{"Content-Type", "application/x-ndjson"}});
  ASSERT_TRUE(bulk.ok());
  ASSERT_EQ(bulk->status, 200) << bulk->body;
  EXPECT_NE(bulk->body.find("\"errors\":false"), std::string::npos) << bulk->body;

  const char* secrets[] = {"NativePass1", "FieldPass2", "4111 1111 1111 1111",   "jane.doe",
                           "EsToken3",    "EsBearer4",  "DE89370400440532013000"};
  const auto check_disk = [&](const char* when) {
    const std::string bytes = AllBytesUnder(dir.path() + "/data");
    for (const char* secret : secrets) {
      EXPECT_EQ(bytes.find(secret), std::string::npos) << secret << " is on disk " << when;
    }
  };
  check_disk("in the write-ahead log");

  HttpReply found = Search(*client, "from=0&to=now%2B1d&q=redacted:*");
  ASSERT_EQ(found.status, 200);
  ParsedJson hits(found.body);
  EXPECT_EQ(hits["total"].get_uint64().value(), 3u) << found.body;
  EXPECT_NE(found.body.find("password=[REDACTED]"), std::string::npos) << found.body;
  EXPECT_NE(found.body.find("j***@example.com"), std::string::npos) << found.body;
  EXPECT_NE(found.body.find("**** **** **** 1111 to [IBAN]"), std::string::npos) << found.body;
  EXPECT_NE(found.body.find("4111111111111112"), std::string::npos)  // an order id: Luhn fails
      << found.body;
  auto metrics = client->Send("GET", "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find(R"(mayak_redactions_total{rule="secret_key"} 2)"), std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find(R"(mayak_redactions_total{rule="iban"} 1)"), std::string::npos);

  // A restart flushes the memtable into segments: still nothing.
  ASSERT_EQ(server->Stop(SIGTERM, std::chrono::seconds(30)), 0);
  check_disk("in segments");
}

TEST(RedactionEndToEndTest, ABadRuleStopsTheServerNamingIt) {
  TempDir dir;
  std::ofstream(dir.path() + "/mayak.yaml")
      << "redaction:\n  rules:\n    broken: {pattern: '(unclosed'}\n";
  std::string output;
  EXPECT_EQ(RunCommand(std::string(MAYAK_BINARY) + " server --check-config --config " + dir.path() +
                           "/mayak.yaml",
                       &output),
            2)
      << output;
  EXPECT_NE(output.find("redaction rule 'broken': the pattern does not compile"), std::string::npos)
      << output;
  ServerOptions options(dir.path() + "/data", {"--config", dir.path() + "/mayak.yaml"});
  options.wait_until_ready = false;
  ServerProcess server(options);
  EXPECT_EQ(server.WaitForExit(std::chrono::seconds(30)), 2);
  EXPECT_NE(server.log().find("redaction rule 'broken'"), std::string::npos) << server.log();
}

}  // namespace
}  // namespace mayak::testing
