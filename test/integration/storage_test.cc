// Retention and the storage API of a running server: per-system settings
// from the environment, an old backfill dropped by the retention thread, and
// GET /api/v1/storage reporting it.
#include <chrono>
#include <thread>

#include "archive/s3_client.h"
#include "common/timestamps.h"
#include "gtest/gtest.h"
#include "server_process.h"
#include "support/s3_server.h"
#include "test_helpers.h"

namespace mayak::testing {
namespace {

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Polls GET /api/v1/storage until its body contains `text` (30 s at most:
// a retention run retries an unreachable object store for seconds).
std::string WaitForStorage(HttpClient& client, const std::string& text) {
  std::string last;
  for (int i = 0; i < 300; ++i) {
    auto reply = client.Send("GET", "/api/v1/storage");
    if (reply.ok()) last = reply->body;
    if (last.find(text) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return last;
}

TEST(StorageTest, RetentionDropsOldPartitionsAndTheStorageApiTellsIt) {
  TempDir dir;
  ServerOptions options(dir.path());
  options.env = {{"MAYAK_RETENTION_SYSTEMS", "{shop: {cap: 10MB, hot_days: 14}}"},
                 {"MAYAK_RETENTION_CHECK_INTERVAL", "1s"},
                 {"MAYAK_STORAGE_FLUSH_INTERVAL", "1s"}};
  ServerProcess server(options);
  ASSERT_TRUE(server.ready()) << server.log();
  auto client = server.Client();
  const int64_t now_ms = NowMillis();
  const std::string now = std::to_string(now_ms);
  const std::string old = std::to_string(now_ms - 60LL * 86'400'000);
  // Two systems today, and a shop backfill from 60 days ago.
  const std::string body =
      "{\"@timestamp\":" + now + ",\"system\":\"shop\",\"message\":\"order placed\"}\n" +
      "{\"@timestamp\":" + now + ",\"system\":\"crm\",\"message\":\"lead created\"}\n" +
      "{\"@timestamp\":" + old + ",\"system\":\"shop\",\"message\":\"backfilled\"}\n";
  HttpReply posted = PostLogs(*client, body);
  ASSERT_EQ(posted.status, 200) << posted.body;

  // The flush and the next retention run drop the old shop partition.
  std::string last;
  for (int i = 0; i < 100; ++i) {
    auto reply = client->Send("GET", "/api/v1/storage");
    ASSERT_TRUE(reply.ok());
    ASSERT_EQ(reply->status, 200) << reply->body;
    last = reply->body;
    if (last.find("\"dropped_partitions\":1") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ParsedJson json(last);
  ASSERT_TRUE(json.ok()) << last;
  simdjson::dom::array systems = json["systems"].get_array().value();
  ASSERT_EQ(systems.size(), 2u) << last;
  simdjson::dom::element crm = systems.at(0).value();
  simdjson::dom::element shop = systems.at(1).value();
  EXPECT_EQ(crm["system"].get_string().value(), "crm");
  EXPECT_EQ(crm["hot_days"].get_int64().value(), 30);
  EXPECT_EQ(crm["cap_bytes"].get_int64().value(), 100'000'000'000);
  EXPECT_EQ(shop["system"].get_string().value(), "shop");
  EXPECT_EQ(shop["kind"].get_string().value(), "logs");
  EXPECT_EQ(shop["hot_days"].get_int64().value(), 14);
  EXPECT_EQ(shop["cap_bytes"].get_int64().value(), 10'000'000);
  EXPECT_EQ(shop["records"].get_int64().value(), 1) << last;
  EXPECT_EQ(shop["partitions"].get_int64().value(), 1);
  EXPECT_GT(shop["bytes"].get_int64().value(), 0);
  EXPECT_GT(shop["percent_used"].get_double().value(), 0.0);
  EXPECT_EQ(shop["archived_partitions"].get_int64().value(), 0);
  simdjson::dom::element run = shop["last_retention"].value();
  EXPECT_EQ(run["outcome"].get_string().value(), "ok");
  EXPECT_EQ(run["dropped_partitions"].get_int64().value(), 1) << last;
  EXPECT_GT(run["dropped_bytes"].get_int64().value(), 0);
  EXPECT_GE(json["wal_bytes"].get_int64().value(), 0);

  HttpReply found = Search(*client, "from=0&to=now%2B1d&q=backfilled");
  EXPECT_NE(found.body.find("\"total\":0"), std::string::npos) << found.body;
  const std::string metrics = client->Send("GET", "/metrics")->body;
  EXPECT_NE(metrics.find("mayak_retention_dropped_partitions_total{reason=\"age\"} 1"),
            std::string::npos);
}

TEST(StorageTest, ArchivedBeforeDroppedKeptWhileS3IsDownRestoredOnRequest) {
  S3Server s3;
  ASSERT_FALSE(s3.endpoint().empty()) << s3.output();
  const std::vector<std::pair<std::string, std::string>> archive_env = {
      {"MAYAK_ARCHIVE_S3_ENDPOINT", s3.endpoint()},
      {"MAYAK_ARCHIVE_S3_BUCKET", S3Server::kBucket},
      {"MAYAK_ARCHIVE_S3_ACCESS_KEY", S3Server::kAccessKey},
      {"MAYAK_ARCHIVE_S3_SECRET_KEY", S3Server::kSecretKey}};
  TempDir dir;
  ServerOptions options(dir.path());
  options.env = archive_env;
  options.env.push_back({"MAYAK_RETENTION_CHECK_INTERVAL", "1s"});
  options.env.push_back({"MAYAK_STORAGE_FLUSH_INTERVAL", "1s"});
  ServerProcess server(options);
  ASSERT_TRUE(server.ready()) << server.log();
  auto client = server.Client();

  // The object store is down when retention wants to drop an old partition.
  s3.Stop();
  const int64_t old_ms = NowMillis() - 60LL * 86'400'000;
  const std::string body = "{\"@timestamp\":" + std::to_string(NowMillis()) +
                           ",\"system\":\"shop\",\"message\":\"new\"}\n" +
                           "{\"@timestamp\":" + std::to_string(old_ms) +
                           ",\"system\":\"shop\",\"message\":\"backfilled\"}\n";
  ASSERT_EQ(PostLogs(*client, body).status, 200);
  std::string storage = WaitForStorage(*client, "failed, kept locally");
  ASSERT_NE(storage.find("failed, kept locally"), std::string::npos) << storage;
  EXPECT_NE(Search(*client, "from=0&to=now%2B1d&q=backfilled").body.find("\"total\":1"),
            std::string::npos)
      << "nothing may be deleted locally before the archive has it";
  EXPECT_NE(client->Send("GET", "/metrics")->body.find("mayak_archive_failures_total"),
            std::string::npos);

  // It comes back: the next runs archive the partition, verify it, drop it.
  s3.Start();
  ASSERT_FALSE(s3.endpoint().empty()) << s3.output();
  storage = WaitForStorage(*client, "\"archived_partitions\":1");
  EXPECT_NE(storage.find("\"archived_partitions\":1"), std::string::npos) << storage;
  EXPECT_NE(Search(*client, "from=0&to=now%2B1d&q=backfilled").body.find("\"total\":0"),
            std::string::npos);
  EXPECT_NE(Search(*client, "from=0&to=now%2B1d&q=new").body.find("\"total\":1"),
            std::string::npos);

  // The archive as operators see it.
  std::string env_prefix;
  for (const auto& [name, value] : archive_env) env_prefix += name + "=" + value + " ";
  const std::string day = DayName(DayOf(old_ms * 1'000'000));
  std::string output;
  EXPECT_EQ(RunCommand(env_prefix + MAYAK_BINARY + " archive list", &output), 0) << output;
  EXPECT_NE(output.find("shop\t" + day + "\t1\t1\t"), std::string::npos) << output;
  output.clear();
  EXPECT_EQ(RunCommand(env_prefix + MAYAK_BINARY + " archive verify", &output), 0) << output;
  EXPECT_NE(output.find("OK: every object matches"), std::string::npos) << output;

  // Restored through the server, the day is searchable again; it stays
  // (restored_days), is not archived twice, and cannot be restored twice.
  output.clear();
  const std::string restore = env_prefix + MAYAK_BINARY + " archive restore --server " +
                              server.url() + " --system shop --from " + day;
  EXPECT_EQ(RunCommand(restore, &output), 0) << output;
  EXPECT_NE(output.find("\"restored\":[{\"system\":\"shop\",\"day\":\"" + day +
                        "\",\"segments\":1,\"records\":1}]"),
            std::string::npos)
      << output;
  EXPECT_NE(Search(*client, "from=0&to=now%2B1d&q=backfilled").body.find("\"total\":1"),
            std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // two retention runs
  EXPECT_NE(Search(*client, "from=0&to=now%2B1d&q=backfilled").body.find("\"total\":1"),
            std::string::npos)
      << "a restored partition stays its restored_days";
  storage = WaitForStorage(*client, "\"partitions\":2");
  EXPECT_NE(storage.find("\"partitions\":2,\"archived_partitions\":1"), std::string::npos)
      << storage;
  // The count of objects above reads the same after a second upload; the
  // count of archivings does not.
  EXPECT_NE(client->Send("GET", "/metrics")->body.find("\nmayak_archive_partitions_total 1\n"),
            std::string::npos)
      << "a restored partition is never archived again";
  output.clear();
  EXPECT_EQ(RunCommand(restore, &output), 1) << output;
  EXPECT_NE(output.find("not restored twice"), std::string::npos) << output;

  // An object lost in the store is reported, with exit code 1.
  auto s3_client = S3Client::Create(s3.ClientOptions());
  ASSERT_TRUE(s3_client.ok());
  auto objects = (*s3_client)->List("logs/shop/" + day + "/");
  ASSERT_TRUE(objects.ok());
  ASSERT_EQ(objects->size(), 2u);  // the segment and the manifest
  ASSERT_TRUE((*s3_client)->Delete((*objects)[0].key).ok());
  output.clear();
  EXPECT_EQ(RunCommand(env_prefix + MAYAK_BINARY + " archive verify", &output), 1) << output;
  EXPECT_NE(output.find("DAMAGED: " + (*objects)[0].key + ": missing"), std::string::npos)
      << output;

  // A manifest that cannot be read hides no other partition: it is named,
  // the exit code says so, and a restore of its day says why it skipped it.
  const std::string garbled = "logs/crm/" + day + "/manifest.json";
  ASSERT_TRUE((*s3_client)->Put(garbled, "{\"version\":").ok());
  output.clear();
  EXPECT_EQ(RunCommand(env_prefix + MAYAK_BINARY + " archive list", &output), 1) << output;
  EXPECT_NE(output.find("shop\t" + day + "\t1\t1\t"), std::string::npos) << output;
  EXPECT_NE(output.find("DAMAGED: " + garbled + ": "), std::string::npos) << output;
  output.clear();
  EXPECT_EQ(RunCommand(env_prefix + MAYAK_BINARY + " archive restore --server " + server.url() +
                           " --system crm --from " + day,
                       &output),
            1)
      << output;
  EXPECT_NE(output.find("its archived manifest is damaged"), std::string::npos) << output;
}

// Spans past traces.hot_days (7) are archived apart from logs, under the
// prefix + spans/, then dropped; logs of the same day stay (hot_days 30).
TEST(StorageTest, SpansAreArchivedApartAndDroppedByTheirOwnRetention) {
  S3Server s3;
  ASSERT_FALSE(s3.endpoint().empty()) << s3.output();
  TempDir dir;
  ServerOptions options(dir.path(), {"--otlp-http-listen", "127.0.0.1:0"});
  options.env = {{"MAYAK_ARCHIVE_S3_ENDPOINT", s3.endpoint()},
                 {"MAYAK_ARCHIVE_S3_BUCKET", S3Server::kBucket},
                 {"MAYAK_ARCHIVE_S3_ACCESS_KEY", S3Server::kAccessKey},
                 {"MAYAK_ARCHIVE_S3_SECRET_KEY", S3Server::kSecretKey},
                 {"MAYAK_ARCHIVE_S3_PREFIX", "company/"},
                 {"MAYAK_RETENTION_CHECK_INTERVAL", "1s"},
                 {"MAYAK_STORAGE_FLUSH_INTERVAL", "1s"}};
  ServerProcess server(options);
  ASSERT_TRUE(server.ready()) << server.log();
  auto client = server.Client();
  const int64_t old_ms = NowMillis() - 10LL * 86'400'000;
  ASSERT_EQ(PostLogs(*client, "{\"@timestamp\":" + std::to_string(old_ms) +
                                  ",\"system\":\"shop\",\"message\":\"old log\"}\n")
                .status,
            200);
  auto otlp = HttpClient::Create(server.ListenerUrl("otlp_http"));
  ASSERT_TRUE(otlp.ok());
  const std::string start = std::to_string(old_ms * 1'000'000);
  auto posted = (*otlp)->Send(
      "POST", "/v1/traces",
      R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},)"
      R"("scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7",)"
      R"("name":"GET /old","startTimeUnixNano":")" +
          start + R"(","endTimeUnixNano":")" + start + R"("}]}]}]})",
      {{"Content-Type", "application/json"}});
  ASSERT_TRUE(posted.ok());
  ASSERT_EQ(posted->status, 200) << posted->body;

  const std::string storage =
      WaitForStorage(*client, "\"kind\":\"spans\",\"bytes\":0,\"records\":0");
  EXPECT_NE(storage.find("\"system\":\"shop\",\"kind\":\"spans\",\"bytes\":0,\"records\":0"),
            std::string::npos)
      << storage;
  EXPECT_NE(storage.find("\"archived_partitions\":1"), std::string::npos) << storage;
  EXPECT_NE(storage.find("\"system\":\"shop\",\"kind\":\"logs\",\"bytes\":"), std::string::npos);
  EXPECT_NE(Search(*client, "from=0&to=now%2B1d&q=old").body.find("\"total\":1"), std::string::npos)
      << "the log of that day stays";

  auto s3_client = S3Client::Create(s3.ClientOptions());
  ASSERT_TRUE(s3_client.ok());
  const std::string day = DayName(DayOf(old_ms * 1'000'000));
  auto objects = (*s3_client)->List("company/spans/shop/" + day + "/");
  ASSERT_TRUE(objects.ok());
  ASSERT_EQ(objects->size(), 2u);  // the segment and the manifest
  auto manifest = (*s3_client)->Get("company/spans/shop/" + day + "/manifest.json");
  ASSERT_TRUE(manifest.ok());
  EXPECT_NE(manifest->find("\"kind\":\"spans\""), std::string::npos) << *manifest;

  // Listed and restored as spans, the trace can be read again.
  std::string env_prefix;
  for (const auto& [name, value] : options.env) {
    if (name.starts_with("MAYAK_ARCHIVE")) env_prefix += name + "=" + value + " ";
  }
  std::string output;
  EXPECT_EQ(RunCommand(env_prefix + MAYAK_BINARY + " archive list --kind spans", &output), 0)
      << output;
  EXPECT_NE(output.find("shop\t" + day + "\t1\t1\t"), std::string::npos) << output;
  output.clear();
  EXPECT_EQ(RunCommand(env_prefix + MAYAK_BINARY + " archive list", &output), 0) << output;
  EXPECT_EQ(output.find(day), std::string::npos) << "logs list no spans: " << output;
  EXPECT_EQ(client->Send("GET", "/api/v1/traces/4bf92f3577b34da6a3ce929d0e0e4736")->status, 404);
  output.clear();
  EXPECT_EQ(RunCommand(env_prefix + MAYAK_BINARY + " archive restore --kind spans --server " +
                           server.url() + " --system shop --from " + day,
                       &output),
            0)
      << output;
  EXPECT_EQ(client->Send("GET", "/api/v1/traces/4bf92f3577b34da6a3ce929d0e0e4736")->status, 200);
}

}  // namespace
}  // namespace mayak::testing
