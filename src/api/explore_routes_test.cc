#include "api/routes.h"
#include "common/strings.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "storage/embedded_log_store.h"
#include "support/store_routes_test.h"

namespace mayak {
namespace {

// Records at 10:00:00..10:02:30, every 30 s: levels ERROR, INFO, none in turn.
class ExploreRoutesTest : public testing::StoreRoutesTest {
 protected:
  void SetUp() override {
    EmbeddedLogStoreOptions options;
    options.row_group_rows = 2;
    OpenStore(options);
    AddIngestRoutes(&router_, &state_, ApiLimits{}, &metrics_);
    AddExploreRoutes(&router_, &state_, ApiLimits{});
    AddSearchRoutes(&router_, &state_, ApiLimits{});
    std::string body;
    const char* levels[] = {"\"log.level\":\"ERROR\",", "\"log.level\":\"INFO\",", ""};
    for (int i = 0; i < 6; ++i) {
      body += StrCat("{\"@timestamp\":\"2026-11-24T10:0", i / 2, ":", i % 2 == 0 ? "00" : "30",
                     "Z\",", levels[i % 3], "\"message\":\"m", i, "\",\"service.name\":\"",
                     i < 4 ? "shop-api" : "crm-api", "\",\"n\":", i, i == 5 ? ",\"n2\":1.5" : "",
                     "}\n");
    }
    ASSERT_EQ(testing::CallRoute(router_, "POST", "/api/v1/logs", body).status, 200);
  }
};

TEST_F(ExploreRoutesTest, HistogramCountsByLevelInEveryBucket) {
  for (bool flushed : {false, true}) {
    if (flushed) {
      ASSERT_TRUE(store_->Flush().ok());
    }
    const HttpResponse r =
        Get("/api/v1/histogram",
            {{"from", "2026-11-24T10:00:00Z"}, {"to", "2026-11-24T10:03:59Z"}, {"buckets", "5"}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body.substr(0, r.body.find(",\"took_ms\"")),
              "{\"span\":\"1m\",\"span_ms\":60000,\"buckets\":["
              "{\"time\":\"2026-11-24T10:00:00Z\",\"count\":2,\"levels\":{\"ERROR\":1,\"INFO\":1}},"
              "{\"time\":\"2026-11-24T10:01:00Z\",\"count\":2,\"levels\":{\"ERROR\":1}},"
              "{\"time\":\"2026-11-24T10:02:00Z\",\"count\":2,\"levels\":{\"INFO\":1}},"
              "{\"time\":\"2026-11-24T10:03:00Z\",\"count\":0,\"levels\":{}}],\"total\":6")
        << (flushed ? "from segments" : "from memory");
  }
  const HttpResponse filtered = Get("/api/v1/histogram", {{"q", "service.name:crm-api"},
                                                          {"from", "2026-11-24T10:00:00Z"},
                                                          {"to", "2026-11-24T10:02:59Z"}});
  EXPECT_NE(filtered.body.find("\"total\":2"), std::string::npos) << filtered.body;
  EXPECT_NE(filtered.body.find("\"span\":\"5s\""), std::string::npos) << "60 buckets at most";
}

TEST_F(ExploreRoutesTest, HistogramRefusesBadInput) {
  EXPECT_EQ(Get("/api/v1/histogram", {{"buckets", "0"}}).body,
            "{\"error\":{\"code\":\"bad_buckets\",\"message\":\"buckets: '0' is not a number "
            "from 1 to 1000\"}}");
  const HttpResponse piped = Get("/api/v1/histogram", {{"q", "x | stats count()"}});
  EXPECT_EQ(piped.status, 400);
  EXPECT_NE(piped.body.find("takes a filter without pipes"), std::string::npos) << piped.body;
  const HttpResponse syntax = Get("/api/v1/histogram", {{"q", "(a"}});
  EXPECT_NE(syntax.body.find("\"code\":\"query_syntax\""), std::string::npos) << syntax.body;
  EXPECT_NE(syntax.body.find("\"position\":2"), std::string::npos) << syntax.body;
  EXPECT_EQ(Get("/api/v1/histogram", {{"from", "soon"}}).status, 400);
}

TEST_F(ExploreRoutesTest, FieldsListNamesTypesAndTopValues) {
  ASSERT_TRUE(store_->Flush().ok());
  const HttpResponse r =
      Get("/api/v1/fields", {{"from", "2026-11-24T00:00:00Z"}, {"to", "2026-11-25T00:00:00Z"}});
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(r.body).value();
  std::map<std::string, std::string> described;
  const simdjson::dom::array fields = doc["fields"].get_array().value();
  for (simdjson::dom::element f : fields) {
    std::string text =
        StrCat(simdjson::minify(f["types"].value()), " ", f["count"].get_uint64().value(), " ",
               simdjson::minify(f["top"].value()));
    described[std::string(f["name"].get_string().value())] = text;
  }
  EXPECT_EQ(
      described["service.name"],
      "[\"string\"] 6 [{\"value\":\"shop-api\",\"count\":4},{\"value\":\"crm-api\",\"count\":2}]");
  EXPECT_EQ(described["log.level"],
            "[\"string\"] 4 [{\"value\":\"INFO\",\"count\":2},{\"value\":\"ERROR\",\"count\":2}]");
  EXPECT_EQ(described["n2"], "[\"double\"] 1 [{\"value\":1.5,\"count\":1}]");
  EXPECT_EQ(described["@timestamp"], "[\"date\"] 6 []");
  ASSERT_EQ(described.count("n"), 1u);
  EXPECT_EQ(described["n"].substr(0, 13), "[\"integer\"] 6");
  EXPECT_EQ(doc["sampled"].get_uint64().value(), 6u);

  // A sample of the newest two: counts among them; every field still listed.
  const HttpResponse small = Get("/api/v1/fields", {{"from", "2026-11-24T00:00:00Z"},
                                                    {"to", "2026-11-25T00:00:00Z"},
                                                    {"q", "not n2:*"},
                                                    {"sample", "2"}});
  EXPECT_NE(small.body.find("{\"name\":\"n2\",\"types\":[\"double\"],\"count\":0,\"top\":[]}"),
            std::string::npos)
      << small.body;
  EXPECT_NE(small.body.find("\"sampled\":2,\"total\":5"), std::string::npos) << small.body;
}

TEST_F(ExploreRoutesTest, ExplainSaysWhatTheIndexesSkipped) {
  ASSERT_TRUE(store_->Flush().ok());  // one segment of three row groups of two records
  const HttpResponse r = Get("/api/v1/query", {{"q", "n:5 or n:4"},
                                               {"from", "2026-11-24T10:01:00Z"},
                                               {"to", "2026-11-24T11:00:00Z"},
                                               {"explain", "true"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"plan\":{\"filter\":\"(n:5 OR n:4)\",\"segments\":1,"
                        "\"segments_skipped_by_time\":0,\"row_groups\":3,"
                        "\"row_groups_skipped_by_time\":1,\"row_groups_skipped_by_index\":1,"
                        "\"row_groups_read\":1,\"memory_records\":0}"),
            std::string::npos)
      << r.body;
  const HttpResponse counted = Get("/api/v1/query", {{"q", "n:0 | stats count()"},
                                                     {"from", "2026-11-24T00:00:00Z"},
                                                     {"to", "2026-11-25T00:00:00Z"},
                                                     {"explain", "1"}});
  EXPECT_NE(counted.body.find("\"row_groups_skipped_by_index\":2,\"row_groups_read\":1"),
            std::string::npos)
      << counted.body;
  EXPECT_EQ(Get("/api/v1/query", {{"q", "n:0"}}).body.find("\"plan\""), std::string::npos)
      << "only when asked";
}

TEST_F(ExploreRoutesTest, QueriesPastTheirTimeoutAnswer504) {
  ASSERT_TRUE(store_->Flush().ok());
  ApiLimits hurried;
  hurried.query_timeout_ns = 1;  // over before the first row group is read
  Router router;
  AddSearchRoutes(&router, &state_, hurried);
  AddExploreRoutes(&router, &state_, hurried);
  const std::multimap<std::string, std::string> day = {{"from", "2026-11-24T00:00:00Z"},
                                                       {"to", "2026-11-25T00:00:00Z"}};
  for (const char* q : {"m0", "* | stats count() by service.name", "* | fields n"}) {
    HttpRequest request;
    request.method = "GET";
    request.path = "/api/v1/query";
    request.params = day;
    request.params.emplace("q", q);
    const HttpResponse r = testing::CallRoute(router, std::move(request));
    EXPECT_EQ(r.status, 504) << q << ": " << r.body;
    EXPECT_NE(r.body.find("\"code\":\"query_timeout\""), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("limits.query_timeout"), std::string::npos) << r.body;
  }
  for (const char* path : {"/api/v1/histogram", "/api/v1/fields"}) {
    HttpRequest request;
    request.method = "GET";
    request.path = path;
    request.params = day;
    EXPECT_EQ(testing::CallRoute(router, std::move(request)).status, 504) << path;
  }
  // The default timeout leaves the same queries alone.
  EXPECT_EQ(Get("/api/v1/query",
                {{"q", "m0"}, {"from", "2026-11-24T00:00:00Z"}, {"to", "2026-11-25T00:00:00Z"}})
                .status,
            200);
}

TEST_F(ExploreRoutesTest, HistogramBucketsFollowTheTimezone) {
  const HttpResponse r = Get("/api/v1/histogram", {{"from", "2026-11-24T13:00:00"},
                                                   {"to", "2026-11-24T13:02:59"},
                                                   {"buckets", "3"},
                                                   {"timezone", "+03:00"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("{\"time\":\"2026-11-24T13:00:00+03:00\",\"count\":2"), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("{\"time\":\"2026-11-24T13:02:00+03:00\",\"count\":2"), std::string::npos)
      << r.body;
  EXPECT_EQ(Get("/api/v1/histogram", {{"timezone", "Nowhere/Atlantis"}}).status, 400);
}

TEST_F(ExploreRoutesTest, QueriesOverTheirMemoryAnswer422) {
  for (bool flushed : {false, true}) {
    if (flushed) {
      ASSERT_TRUE(store_->Flush().ok());
    }
    ApiLimits frugal;
    frugal.query_memory_bytes = 1;  // less than one group
    Router router;
    AddSearchRoutes(&router, &state_, frugal);
    HttpRequest request;
    request.method = "GET";
    request.path = "/api/v1/query";
    request.params = {{"from", "2026-11-24T00:00:00Z"},
                      {"to", "2026-11-25T00:00:00Z"},
                      {"q", "* | stats count() by message"}};
    const HttpResponse r = testing::CallRoute(router, request);
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_NE(r.body.find("\"code\":\"query_too_large\""), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("limits.query_memory"), std::string::npos) << r.body;
    // Searches hold no groups: the limit leaves them alone.
    request.params.find("q")->second = "m0";
    EXPECT_EQ(testing::CallRoute(router, request).status, 200);
  }
}

TEST_F(ExploreRoutesTest, QueriesWhoseClientLeftStop) {
  ASSERT_TRUE(store_->Flush().ok());
  for (const char* q : {"m0", "* | stats count() by service.name"}) {
    HttpRequest request;
    request.method = "GET";
    request.path = "/api/v1/query";
    request.params = {{"from", "2026-11-24T00:00:00Z"}, {"to", "2026-11-25T00:00:00Z"}, {"q", q}};
    request.client_gone = std::make_shared<std::atomic<bool>>(true);
    const HttpResponse r = testing::CallRoute(router_, std::move(request));
    EXPECT_EQ(r.status, 499) << q << ": " << r.body;
    EXPECT_NE(r.body.find("client_closed_request"), std::string::npos) << r.body;
  }
}

}  // namespace
}  // namespace mayak
