// kill -9 in the middle of ingest, over and over: after each restart every
// acknowledged record is found exactly once, and no batch is half stored.
#include <signal.h>

#include <atomic>
#include <map>
#include <random>
#include <set>

#include "gtest/gtest.h"
#include "server_process.h"
#include "test_helpers.h"

namespace mayak::testing {
namespace {

constexpr int kRounds = 10;
constexpr int kClients = 3;
constexpr int kRecordsPerBatch = 50;

TEST(CrashTest, AcknowledgedRecordsSurviveKillNine) {
  TempDir dir;
  ServerOptions options{dir.path()};
  options.env = {{"MAYAK_LIMITS_MAX_SEARCH_HITS", "1000000"},
                 // Small WAL files and memtables and eager merges, so that crashes
                 // also land around WAL file switches and in the middle of flushes
                 // and merges of segments.
                 {"MAYAK_WAL_FILE_SIZE", "256KiB"},
                 {"MAYAK_STORAGE_MEMTABLE_SIZE", "128KiB"},
                 {"MAYAK_STORAGE_MERGE_MIN_SEGMENTS", "2"},
                 // Merges slowed to about a second each, so that a kill can be
                 // aimed at one under way.
                 {"MAYAK_STORAGE_MERGE_WRITE_RATE", "256KiB"},
                 {"MAYAK_STORAGE_ROW_GROUP_ROWS", "500"}};
  std::mt19937 random(20261124);
  std::set<int64_t> acked_batches;
  std::set<int64_t> sent_batches;
  std::mutex mu;
  int merging_rounds = 0;
  int killed_mid_merge = 0;

  for (int round = 0; round < kRounds; ++round) {
    ServerProcess server(options);
    ASSERT_TRUE(server.ready()) << "round " << round << "\n" << server.log();
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        auto client = server.Client();
        for (int n = 0; !stop.load(); ++n) {
          const int64_t batch = (round * kClients + c) * 1'000'000LL + n;
          std::string body;
          for (int i = 0; i < kRecordsPerBatch; ++i) {
            body += "{\"message\":\"crash test record\",\"batch\":" + std::to_string(batch) +
                    ",\"i\":" + std::to_string(i) + "}\n";
          }
          {
            std::lock_guard<std::mutex> lock(mu);
            sent_batches.insert(batch);
          }
          HttpReply reply = PostLogs(*client, body);
          if (reply.status != 200) return;  // killed
          std::lock_guard<std::mutex> lock(mu);
          acked_batches.insert(batch);
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + random() % 500));
    if (round % 2 == 1) {
      // Every other round, the kill waits (up to 3 s) for a merge under way.
      auto watcher = server.Client();
      for (int tries = 0; tries < 600; ++tries) {
        const std::string metrics = watcher->Send("GET", "/metrics")->body;
        const size_t at = metrics.find("\nmayak_storage_merging_segments ");
        if (at != std::string::npos && metrics[at + 32] != '0') {
          ++killed_mid_merge;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    server.Kill();
    stop = true;
    for (auto& t : clients) t.join();
    if (server.log().find("merged segments") != std::string::npos) ++merging_rounds;
  }
  ASSERT_GT(acked_batches.size(), 10u);

  ServerProcess server(options);
  ASSERT_TRUE(server.ready()) << server.log();
  auto client = server.Client();
  HttpReply reply = Search(*client, "from=0&limit=1000000&q=batch:*");
  ASSERT_EQ(reply.status, 200) << reply.body.substr(0, 500);
  ParsedJson json(reply.body);
  ASSERT_TRUE(json.ok());
  std::map<int64_t, std::set<int64_t>> records;  // batch -> record indexes
  uint64_t hits = 0;
  const simdjson::dom::array all_hits = json["hits"].get_array().value();
  for (auto hit : all_hits) {
    ++hits;
    const int64_t batch = hit["batch"].get_int64().value();
    const int64_t i = hit["i"].get_int64().value();
    EXPECT_TRUE(records[batch].insert(i).second) << "record " << batch << "/" << i << " twice";
  }
  for (int64_t batch : acked_batches) {
    EXPECT_EQ(records[batch].size(), static_cast<size_t>(kRecordsPerBatch))
        << "acknowledged batch " << batch << " lost records";
  }
  for (const auto& [batch, indexes] : records) {
    EXPECT_TRUE(sent_batches.count(batch)) << "batch " << batch << " was never sent";
    EXPECT_EQ(indexes.size(), static_cast<size_t>(kRecordsPerBatch))
        << "batch " << batch << " is half stored";
  }
  const std::string metrics = client->Send("GET", "/metrics")->body;
  EXPECT_NE(metrics.find("mayak_storage_segments"), std::string::npos);
  EXPECT_EQ(metrics.find("mayak_storage_segments 0\n"), std::string::npos)
      << "the test should have flushed segments";
  EXPECT_GT(merging_rounds, 0) << "the test should have merged segments";
  EXPECT_GE(killed_mid_merge, 2) << "kills should have landed in the middle of merges";
  std::cout << "crash test: " << kRounds << " kill -9 rounds (" << merging_rounds
            << " with merges, " << killed_mid_merge << " killed in the middle of one), "
            << acked_batches.size() << " acknowledged batches, " << hits << " records found\n";
}

// A shipper resends a batch whose reply it never saw: the server was killed
// after storing it. The restarted server still knows its event ids.
TEST(CrashTest, AResendAfterKillNineIsStoredOnce) {
  TempDir dir;
  ServerOptions options{dir.path()};
  std::string body;
  for (int i = 0; i < 100; ++i) {
    body += "{\"_id\":\"f00d-" + std::to_string(i * 80) +
            "\",\"message\":\"resent record\",\"i\":" + std::to_string(i) + "}\n";
  }
  {
    ServerProcess server(options);
    ASSERT_TRUE(server.ready()) << server.log();
    auto client = server.Client();
    ASSERT_EQ(PostLogs(*client, body).status, 200);
    server.Kill();
  }
  ServerProcess server(options);
  ASSERT_TRUE(server.ready()) << server.log();
  auto client = server.Client();
  ASSERT_EQ(PostLogs(*client, body).status, 200);
  HttpReply reply = Search(*client, "from=0&limit=1000&q=message:resent");
  ASSERT_EQ(reply.status, 200) << reply.body.substr(0, 500);
  ParsedJson json(reply.body);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json["hits"].get_array().value().size(), 100u) << "each record once";
  const std::string metrics = client->Send("GET", "/metrics")->body;
  EXPECT_NE(metrics.find("mayak_ingest_duplicates_total 100\n"), std::string::npos) << metrics;
}

}  // namespace
}  // namespace mayak::testing
