// The whole path of a log record: sent over HTTP, made durable, found by a
// search, and still there after a restart.
#include <signal.h>

#include "api/http_message.h"
#include "common/strings.h"
#include "gtest/gtest.h"
#include "server_process.h"
#include "support/compression.h"
#include "test_helpers.h"

namespace mayak::testing {
namespace {

using std::chrono::seconds;

class IngestSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(ServerOptions{dir_.path()});
    ASSERT_TRUE(server_->ready()) << server_->log();
    client_ = server_->Client();
  }

  // Searches everything ever stored with `q`.
  std::unique_ptr<ParsedJson> SearchAll(const std::string& q, int limit = 1000) {
    HttpReply reply = Search(
        *client_, "from=0&to=now%2B1d&limit=" + std::to_string(limit) + "&q=" + PercentEncode(q));
    EXPECT_EQ(reply.status, 200) << reply.body;
    auto json = std::make_unique<ParsedJson>(reply.body);
    EXPECT_TRUE(json->ok()) << reply.body;
    return json;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(IngestSearchTest, HealthAndMetricsAnswer) {
  auto health = client_->Send("GET", "/health");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, R"({"status":"ok"})");

  ASSERT_EQ(PostLogs(*client_, "{\"message\":\"hello\"}\n").status, 200);
  auto metrics = client_->Send("GET", "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->headers["content-type"].find("text/plain"), std::string::npos);
  for (const char* name : {"mayak_ingested_records_total 1", "mayak_ingested_bytes_total",
                           "mayak_rejected_records_total 0",
                           "mayak_http_requests_total{route=\"/api/v1/logs\",status=\"200\"} 1",
                           "mayak_http_request_duration_seconds_bucket{route=\"/api/v1/"
                           "logs\",status=\"200\",le=\"+Inf\"} 1",
                           "mayak_wal_fsync_duration_seconds_count", "mayak_storage_wal_bytes"}) {
    EXPECT_NE(metrics->body.find(name), std::string::npos) << name << "\n" << metrics->body;
  }
}

TEST_F(IngestSearchTest, NormalizesTheUsualShapesOfARecord) {
  const std::string body =
      R"({"@timestamp":"2026-11-20T10:00:00.250Z","level":"warning","message":"disk almost full","service":"mes-api","system":"MES","host":{"name":"mes-1"}})"
      "\n"
      R"({"timestamp":1763632800,"log.level":"ERROR","msg":"payment failed","service.name":"shop-api","system":"shop","order.id":10442,"http":{"response":{"status_code":500}}})"
      "\n"
      R"({"timestamp":1763632800123,"level":50,"message":"ms epoch, pino level","system":"crm"})"
      "\n"
      R"({"timestamp":1763632800123456,"level":"Info","message":"us epoch","system":"crm"})"
      "\n"
      R"({"timestamp":1763632800123456789,"level":"custom","message":"ns epoch","system":"crm","ok":true,"ratio":0.25,"tags":["a","b"]})"
      "\n";
  HttpReply reply = PostLogs(*client_, body);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body, R"({"accepted":5,"rejected":0,"errors":[]})");

  auto warn = SearchAll("system:mes");
  ASSERT_EQ((*warn)["total"].get_uint64().value(), 1u);
  auto hit = (*warn)["hits"].at(0);
  EXPECT_EQ(hit["@timestamp"].get_string().value(), "2026-11-20T10:00:00.250Z");
  EXPECT_EQ(hit["log.level"].get_string().value(), "WARN");
  EXPECT_EQ(hit["service.name"].get_string().value(), "mes-api");
  EXPECT_EQ(hit["host.name"].get_string().value(), "mes-1");

  auto shop = SearchAll("order.id:10442 and http.response.status_code:500");
  ASSERT_EQ((*shop)["total"].get_uint64().value(), 1u);
  EXPECT_EQ((*shop)["hits"].at(0)["@timestamp"].get_string().value(), "2025-11-20T10:00:00Z");
  EXPECT_EQ((*shop)["hits"].at(0)["message"].get_string().value(), "payment failed");

  auto crm = SearchAll("system:crm");
  ASSERT_EQ((*crm)["total"].get_uint64().value(), 3u);
  // Newest first: ns > µs > ms epochs of the same second.
  EXPECT_EQ((*crm)["hits"].at(0)["@timestamp"].get_string().value(),
            "2025-11-20T10:00:00.123456789Z");
  EXPECT_EQ((*crm)["hits"].at(0)["log.level.original"].get_string().value(), "custom");
  EXPECT_EQ((*crm)["hits"].at(0)["ok"].get_bool().value(), true);
  EXPECT_EQ((*crm)["hits"].at(0)["ratio"].get_double().value(), 0.25);
  EXPECT_EQ((*crm)["hits"].at(0)["tags"].get_string().value(), R"(["a","b"])");
  EXPECT_EQ((*crm)["hits"].at(1)["@timestamp"].get_string().value(), "2025-11-20T10:00:00.123456Z");
  EXPECT_EQ((*crm)["hits"].at(2)["@timestamp"].get_string().value(), "2025-11-20T10:00:00.123Z");
  EXPECT_EQ((*crm)["hits"].at(2)["log.level"].get_string().value(), "ERROR");
}

TEST_F(IngestSearchTest, SearchesWordsPhrasesFieldsAndTime) {
  std::string body;
  for (int i = 0; i < 50; ++i) {
    body += "{\"@timestamp\":\"2026-11-24T10:" + std::string(i < 10 ? "0" : "") +
            std::to_string(i) + ":00Z\",\"message\":\"request " + std::to_string(i) +
            (i % 10 == 0 ? " failed: Connection refused" : " served") +
            "\",\"system\":\"shop\",\"seq\":" + std::to_string(i) + "}\n";
  }
  ASSERT_EQ(PostLogs(*client_, body).status, 200);

  EXPECT_EQ((*SearchAll("refused"))["total"].get_uint64().value(), 5u);
  EXPECT_EQ((*SearchAll("CONNECTION"))["total"].get_uint64().value(), 5u);
  EXPECT_EQ((*SearchAll("\"connection refused\""))["total"].get_uint64().value(), 5u);
  EXPECT_EQ((*SearchAll("\"refused connection\""))["total"].get_uint64().value(), 0u);
  EXPECT_EQ((*SearchAll("refused and seq:20"))["total"].get_uint64().value(), 1u);
  EXPECT_EQ((*SearchAll("seq:*"))["total"].get_uint64().value(), 50u);
  EXPECT_EQ((*SearchAll("nosuchfield:*"))["total"].get_uint64().value(), 0u);
  EXPECT_EQ((*SearchAll("message:served and system:shop"))["total"].get_uint64().value(), 45u);

  // Time range is inclusive at both ends; limit caps hits but not total.
  HttpReply reply =
      Search(*client_, "from=2026-11-24T10:10:00Z&to=2026-11-24T10:19:00Z&limit=3&q=");
  ASSERT_EQ(reply.status, 200) << reply.body;
  ParsedJson ranged(reply.body);
  EXPECT_EQ(ranged["total"].get_uint64().value(), 10u);
  ASSERT_EQ(ranged["hits"].get_array().size(), 3u);
  EXPECT_EQ(ranged["hits"].at(0)["seq"].get_int64().value(), 19);
  EXPECT_EQ(ranged["hits"].at(2)["seq"].get_int64().value(), 17);

  // POST with a JSON body works the same.
  auto post = client_->Send("POST", "/api/v1/search",
                            R"({"q":"refused","from":"2026-11-24T00:00:00Z","to":"now","limit":2})",
                            {{"Content-Type", "application/json"}});
  ASSERT_TRUE(post.ok());
  ASSERT_EQ(post->status, 200) << post->body;
  ParsedJson posted(post->body);
  EXPECT_EQ(posted["total"].get_uint64().value(), 5u);
  EXPECT_EQ(posted["hits"].get_array().size(), 2u);
}

TEST_F(IngestSearchTest, QueriesCountByFieldsAndOverTime) {
  std::string body;
  for (int i = 0; i < 60; ++i) {
    body += "{\"@timestamp\":\"2026-11-24T10:" + std::string(i < 10 ? "0" : "") +
            std::to_string(i) + ":30Z\",\"message\":\"request\",\"service.name\":\"" +
            (i % 3 == 0 ? "crm" : "shop") +
            "\",\"http.response.status_code\":" + (i % 4 == 0 ? "500" : "200") + "}\n";
  }
  ASSERT_EQ(PostLogs(*client_, body).status, 200);
  const auto query = [this](const std::string& q, const std::string& range) {
    auto reply = client_->Send("POST", "/api/v1/query", "{\"query\":\"" + q + "\"," + range + "}",
                               {{"Content-Type", "application/json"}});
    EXPECT_TRUE(reply.ok());
    return reply.ok() ? *reply : HttpReply{};
  };
  const std::string day = R"("from":"2026-11-24T00:00:00Z","to":"2026-11-24T23:59:59Z")";

  // Largest count first: shop 200s (30), crm 200s (15), shop 500s (10), crm 500s (5).
  HttpReply stats = query("| stats count() by service.name, http.response.status_code", day);
  ASSERT_EQ(stats.status, 200) << stats.body;
  ParsedJson table(stats.body);
  EXPECT_EQ(simdjson::minify(table["columns"]),
            R"j(["service.name","http.response.status_code","count()"])j");
  EXPECT_EQ(simdjson::minify(table["rows"]),
            R"([["shop",200,30],["crm",200,15],["shop",500,10],["crm",500,5]])");
  EXPECT_EQ(table["total"].get_uint64().value(), 60u);

  // Ten-minute buckets over 10:00-10:59, every one of them.
  HttpReply chart = query("http.response.status_code:500 | timechart span=10m count()",
                          R"("from":"2026-11-24T10:00:00Z","to":"2026-11-24T10:59:59Z")");
  ASSERT_EQ(chart.status, 200) << chart.body;
  ParsedJson series(chart.body);
  EXPECT_EQ(simdjson::minify(series["columns"]), R"j(["_time","count()"])j");
  ASSERT_EQ(series["rows"].get_array().size(), 6u);
  EXPECT_EQ(simdjson::minify(series["rows"].at(0)),
            R"(["2026-11-24T10:00:00Z",3])");  // minutes 0, 4, 8
  EXPECT_EQ(simdjson::minify(series["rows"].at(1)), R"(["2026-11-24T10:10:00Z",2])");

  HttpReply bad = query("| stats count() by", day);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("query_syntax"), std::string::npos) << bad.body;
  EXPECT_NE(bad.body.find("position 18"), std::string::npos) << bad.body;
  HttpReply too_fine = query("| timechart span=1s count()", day);
  EXPECT_EQ(too_fine.status, 400);
  EXPECT_NE(too_fine.body.find("choose a larger span"), std::string::npos) << too_fine.body;
}

TEST_F(IngestSearchTest, DefaultRangeIsTheLastFifteenMinutes) {
  ASSERT_EQ(PostLogs(*client_,
                     "{\"message\":\"now-ish\"}\n"
                     "{\"message\":\"old\",\"@timestamp\":\"2020-01-01T00:00:00Z\"}\n")
                .status,
            200);
  ParsedJson recent(Search(*client_, "q=").body);
  EXPECT_EQ(recent["total"].get_uint64().value(), 1u);
  EXPECT_EQ(recent["hits"].at(0)["message"].get_string().value(), "now-ish");
  ParsedJson relative(Search(*client_, "q=old&from=now-10000d").body);
  EXPECT_EQ(relative["total"].get_uint64().value(), 1u);
}

TEST_F(IngestSearchTest, AcceptsGzipAndZstdBodies) {
  EXPECT_EQ(
      PostLogs(*client_, Gzip("{\"message\":\"from gzip\"}\n"), {{"Content-Encoding", "gzip"}})
          .body,
      R"({"accepted":1,"rejected":0,"errors":[]})");
  EXPECT_EQ(
      PostLogs(*client_, Zstd("{\"message\":\"from zstd\"}\n"), {{"Content-Encoding", "zstd"}})
          .body,
      R"({"accepted":1,"rejected":0,"errors":[]})");
  EXPECT_EQ((*SearchAll("from"))["total"].get_uint64().value(), 2u);
}

TEST_F(IngestSearchTest, RecordsSurviveARestart) {
  ASSERT_EQ(PostLogs(*client_, "{\"message\":\"before restart\",\"order.id\":7}\n").status, 200);
  ASSERT_EQ(server_->Stop(SIGTERM, seconds(10)), 0) << server_->log();
  server_ = std::make_unique<ServerProcess>(ServerOptions{dir_.path()});
  ASSERT_TRUE(server_->ready()) << server_->log();
  client_ = server_->Client();
  auto found = SearchAll("order.id:7");
  ASSERT_EQ((*found)["total"].get_uint64().value(), 1u);
  EXPECT_EQ((*found)["hits"].at(0)["message"].get_string().value(), "before restart");
  // And the restarted server appends after what it replayed.
  ASSERT_EQ(PostLogs(*client_, "{\"message\":\"after restart\",\"order.id\":7}\n").status, 200);
  EXPECT_EQ((*SearchAll("order.id:7"))["total"].get_uint64().value(), 2u);
}

}  // namespace
}  // namespace mayak::testing

namespace mayak::testing {
namespace {

TEST_F(IngestSearchTest, NdjsonRepliesStreamALineARecordOrRow) {
  std::string body;
  for (int i = 0; i < 3000; ++i) {
    body += "{\"@timestamp\":" + std::to_string(1'700'000'000'000 + i) + ",\"message\":\"export " +
            std::to_string(i) + "\",\"service.name\":\"" + (i % 3 == 0 ? "crm-api" : "shop-api") +
            "\"}\n";
  }
  ASSERT_EQ(PostLogs(*client_, body).status, 200);
  const auto fetch = [&](const std::string& q, HttpReply* reply) {
    std::string lines;
    auto streamed =
        client_->Stream("GET", "/api/v1/query?from=0&to=now&limit=5000&q=" + PercentEncode(q), "",
                        {{"Accept", "application/x-ndjson"}}, [&](std::string_view data) {
                          lines.append(data);
                          return true;
                        });
    EXPECT_TRUE(streamed.ok()) << streamed.status();
    if (streamed.ok()) *reply = *streamed;
    return lines;
  };
  HttpReply reply;
  const std::string hits = fetch("export", &reply);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.headers["content-type"], "application/x-ndjson");
  EXPECT_EQ(reply.headers["x-total-count"], "3000");
  EXPECT_EQ(reply.headers["transfer-encoding"], "chunked");
  size_t count = 0;
  for (std::string_view line : Split(hits, '\n', /*skip_empty=*/true)) {
    ParsedJson json(line);
    ASSERT_TRUE(json.ok()) << line;
    if (count == 0) {
      EXPECT_EQ(json["message"].get_string().value_unsafe(), "export 2999");
    }
    ++count;
  }
  EXPECT_EQ(count, 3000u);
  EXPECT_TRUE(hits.ends_with("}\n"));

  const std::string rows =
      fetch("export | stats count() by service.name | sort service.name", &reply);
  EXPECT_EQ(rows,
            "{\"service.name\":\"crm-api\",\"count()\":1000}\n"
            "{\"service.name\":\"shop-api\",\"count()\":2000}\n");
  EXPECT_EQ(reply.headers["x-total-count"], "3000");
  // Errors stay JSON.
  fetch("level:(", &reply);
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(reply.body.find("query_syntax"), std::string::npos) << reply.body;
}

}  // namespace
}  // namespace mayak::testing
