#include <future>
#include <string>

#include "api/routes.h"
#include "common/strings.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "storage/embedded_log_store.h"
#include "support/company_trace.h"
#include "support/store_routes_test.h"

namespace mayak {
namespace {

using testing::kHealth;
using testing::kMs;
using testing::kOrder;
using testing::kT0;
using testing::OrderTrace;

// The order's trace in a store of spans beside logs, two of which carry its
// trace id.
class TraceRoutesTest : public testing::StoreRoutesTest {
 protected:
  void SetUp() override {
    OpenStore();
    EmbeddedLogStoreOptions options;
    options.dir = spans_dir_.path();
    options.kind = "spans";
    auto spans = EmbeddedLogStore::Open(options, &metrics_);
    ASSERT_TRUE(spans.ok()) << spans.status();
    spans_ = *std::move(spans);
    state_.spans = spans_.get();
    AddIngestRoutes(&router_, &state_, ApiLimits{}, &metrics_);
    AddSearchRoutes(&router_, &state_, ApiLimits{});
    AddTraceRoutes(&router_, &state_, ApiLimits{});
    std::vector<LogRecord> rows;
    for (const Span& s : OrderTrace()) rows.push_back(SpanToRecord(s, kT0));
    std::promise<absl::Status> done;
    spans_->Append(std::move(rows), [&done](absl::Status s) { done.set_value(s); });
    ASSERT_TRUE(done.get_future().get().ok());
    const std::string body = StrCat(
        R"({"@timestamp":)", (kT0 + 30 * kMs) / 1'000'000, R"(,"service.name":"crm","trace.id":")",
        kOrder, R"(","message":"customer 42 locked"})", "\n", R"({"@timestamp":)", kT0 / 1'000'000,
        R"(,"service.name":"shop","trace.id":")", kOrder, R"(","message":"order received"})", "\n",
        R"({"@timestamp":)", kT0 / 1'000'000, R"(,"service.name":"shop","trace.id":")", kHealth,
        R"(","message":"healthy"})", "\n");
    ASSERT_EQ(testing::CallRoute(router_, "POST", "/api/v1/logs", body).status, 200);
  }
  void TearDown() override {
    spans_->Close();
    state_.spans = nullptr;
    StoreRoutesTest::TearDown();
  }

  simdjson::dom::element Parse(const HttpResponse& r) {
    simdjson::dom::element doc;
    EXPECT_EQ(parser_.parse(r.body).get(doc), simdjson::SUCCESS) << r.body;
    return doc;
  }

  testing::TempDir spans_dir_;
  std::unique_ptr<EmbeddedLogStore> spans_;
  simdjson::dom::parser parser_;
};

TEST_F(TraceRoutesTest, ATraceWithTheTimeOfEveryStage) {
  const HttpResponse r = Get(StrCat("/api/v1/traces/", kOrder), {});
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::element doc = Parse(r);
  EXPECT_EQ(doc["trace_id"].get_string().value_unsafe(), kOrder);
  EXPECT_EQ(doc["duration_ns"].get_int64().value_unsafe(), 370 * kMs) << "to the MES's end";
  EXPECT_EQ(simdjson::to_string(doc["services"]), R"(["crm","mes","shop"])");
  EXPECT_EQ(doc["span_count"].get_uint64().value_unsafe(), 5u);
  EXPECT_TRUE(doc["logs"].error() == simdjson::NO_SUCH_FIELD) << "logs only when asked";
  // Self times: the shop's request 120 less its 80 ms call; the call 80 less
  // the CRM's 75; the CRM 75 less its 5 ms publish.
  simdjson::dom::array spans = doc["spans"].get_array().value_unsafe();
  const int64_t self[] = {40, 5, 70, 5, 300};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(spans.at(i)["self_ns"].get_int64().value_unsafe(), self[i] * kMs) << i;
  }
  EXPECT_EQ(spans.at(2)["status"].get_string().value_unsafe(), "error");
  EXPECT_EQ(spans.at(2)["service"].get_string().value_unsafe(), "crm");
  EXPECT_EQ(spans.at(2)["critical_ns"].get_int64().value_unsafe(), 48 * kMs);
  // The critical path of the order: down through the CRM to the publish,
  // 5 ms in the queue, then the MES's consumer (linked to the publish).
  std::string path;
  simdjson::dom::array segments;
  ASSERT_EQ(doc["critical_path"].get_array().get(segments), simdjson::SUCCESS);
  for (simdjson::dom::element s : segments) {
    path += StrCat(s["service"].get_string().value_unsafe(),
                   s["waiting"].get_bool().value_unsafe() ? "~" : ":",
                   s["duration_ns"].get_int64().value_unsafe() / kMs, " ");
  }
  EXPECT_EQ(path, "shop:10 shop:2 crm:48 crm:5 mes~5 mes:300 ");
}

TEST_F(TraceRoutesTest, LogsComeWithTheirTraceOldestFirst) {
  const HttpResponse r = Get(StrCat("/api/v1/traces/", kOrder), {{"logs", "true"}});
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::element doc = Parse(r);
  simdjson::dom::array logs = doc["logs"].get_array().value_unsafe();
  ASSERT_EQ(logs.size(), 2u) << r.body;
  EXPECT_EQ(logs.at(0)["message"].get_string().value_unsafe(), "order received");
  EXPECT_EQ(logs.at(1)["message"].get_string().value_unsafe(), "customer 42 locked");
  // Every record of a trace links to it, in searches too.
  EXPECT_EQ(logs.at(0)["_trace"].get_string().value_unsafe(), StrCat("/api/v1/traces/", kOrder));
  const HttpResponse search =
      Get("/api/v1/query", {{"q", "healthy"}, {"from", "0"}, {"to", "now"}});
  EXPECT_NE(search.body.find(StrCat(R"("_trace":"/api/v1/traces/)", kHealth, R"(")")),
            std::string::npos)
      << search.body;
}

TEST_F(TraceRoutesTest, MissingAndMalformedIds) {
  HttpResponse r = Get("/api/v1/traces/1bf92f3577b34da6a3ce929d0e0e4736", {});
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("trace_not_found"), std::string::npos) << r.body;
  r = Get("/api/v1/traces/order-1", {});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("'order-1' is not a trace id"), std::string::npos) << r.body;
}

TEST_F(TraceRoutesTest, TheServiceGraph) {
  const HttpResponse r = Get("/api/v1/traces/graph", {{"from", "0"}, {"to", "now"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(
      r.body,
      R"({"services":["crm","mes","shop"],"edges":[)"
      R"({"from":"crm","to":"mes","via":"","calls":1,"errors":0,"error_rate":0,"p95_ns":300000000},)"
      R"({"from":"shop","to":"crm","via":"","calls":1,"errors":1,"error_rate":1,"p95_ns":75000000}],)"
      R"("spans_read":5,"spans_total":5,"sampled":false})");
  EXPECT_EQ(Get("/api/v1/traces/graph", {{"from", "soon"}}).status, 400);
}

TEST_F(TraceRoutesTest, SpansAreSearchedWithTheQueryLanguage) {
  HttpResponse r =
      Get("/api/v1/query", {{"kind", "spans"},
                            {"q", "event.duration >= 75ms | stats count() by service.name"},
                            {"from", "0"},
                            {"to", "now"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("rows":[["shop",2],["crm",1],["mes",1]])"), std::string::npos) << r.body;
  r = Get("/api/v1/query",
          {{"kind", "spans"}, {"q", "otel.status_code:ERROR"}, {"from", "0"}, {"to", "now"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("total":1)"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("message":"POST /crm/orders")"), std::string::npos) << r.body;
  r = Get("/api/v1/query", {{"q", "otel.status_code:ERROR"}, {"from", "0"}, {"to", "now"}});
  EXPECT_NE(r.body.find(R"("total":0)"), std::string::npos) << "logs by default: " << r.body;
  r = Get("/api/v1/query", {{"kind", "metrics"}, {"q", ""}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("kind must be logs or spans"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace mayak
