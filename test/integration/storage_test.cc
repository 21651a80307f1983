// Retention and the storage API of a running server: per-system settings
// from the environment, an old backfill dropped by the retention thread, and
// GET /api/v1/storage reporting it.
#include <chrono>
#include <thread>

#include "gtest/gtest.h"
#include "server_process.h"
#include "test_helpers.h"

namespace mayak::testing {
namespace {

TEST(StorageTest, RetentionDropsOldPartitionsAndTheStorageApiTellsIt) {
  TempDir dir;
  ServerOptions options(dir.path());
  options.env = {{"MAYAK_RETENTION_SYSTEMS", "{shop: {cap: 10MB, hot_days: 14}}"},
                 {"MAYAK_RETENTION_CHECK_INTERVAL", "1s"},
                 {"MAYAK_STORAGE_FLUSH_INTERVAL", "1s"}};
  ServerProcess server(options);
  ASSERT_TRUE(server.ready()) << server.log();
  auto client = server.Client();
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
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

}  // namespace
}  // namespace mayak::testing
