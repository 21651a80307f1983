#include "jaeger/jaeger_routes.h"

#include <future>

#include "gtest/gtest.h"
#include "simdjson.h"
#include "storage/embedded_log_store.h"
#include "support/company_trace.h"
#include "support/route_call.h"
#include "support/temp_dir.h"

namespace mayak {
namespace {

using testing::HealthTrace;
using testing::kHealth;
using testing::kMs;
using testing::kOrder;
using testing::kT0;
using testing::OrderTrace;

// Jaeger's replies checked field by field, as its query API documents them
// and its UI reads them.
class JaegerRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EmbeddedLogStoreOptions options;
    options.dir = dir_.path();
    options.kind = "spans";
    options.retention_interval_ns = 0;
    auto store = EmbeddedLogStore::Open(options, &metrics_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    std::vector<LogRecord> rows;
    for (const Span& s : OrderTrace()) rows.push_back(SpanToRecord(s, kT0));
    for (const Span& s : HealthTrace()) rows.push_back(SpanToRecord(s, kT0));
    std::promise<absl::Status> done;
    store_->Append(std::move(rows), [&done](absl::Status s) { done.set_value(s); });
    ASSERT_TRUE(done.get_future().get().ok());
    state_.spans = store_.get();
    state_.phase = ServerPhase::kReady;
    AddJaegerRoutes(&router_, "/api", &state_, ApiLimits());
  }
  void TearDown() override { store_->Close(); }

  // GET path?params; the reply parsed into `doc_`, its status returned.
  int Get(const std::string& path, std::multimap<std::string, std::string> params = {}) {
    HttpRequest request;
    request.method = "GET";
    request.path = path;
    request.params = std::move(params);
    const HttpResponse response = testing::CallRoute(router_, std::move(request));
    body_ = response.body;
    EXPECT_EQ(parser_.parse(body_).get(doc_), simdjson::SUCCESS) << body_;
    return response.status;
  }

  // The envelope: data, total, limit 0, offset 0, errors null.
  void ExpectEnvelope(uint64_t total) {
    uint64_t n = 0;
    EXPECT_EQ(doc_["total"].get_uint64().get(n), simdjson::SUCCESS) << body_;
    EXPECT_EQ(n, total) << body_;
    EXPECT_EQ(doc_["limit"].get_uint64().value_unsafe(), 0u);
    EXPECT_EQ(doc_["offset"].get_uint64().value_unsafe(), 0u);
    EXPECT_TRUE(doc_["errors"].is_null()) << body_;
  }

  std::string Strings(simdjson::dom::element e) { return simdjson::to_string(e); }

  // The tag `key` of a tag list, or an invalid element.
  static simdjson::dom::element Tag(simdjson::dom::array tags, std::string_view key) {
    for (simdjson::dom::element tag : tags) {
      if (tag["key"].get_string().value_unsafe() == key) return tag;
    }
    return {};
  }

  testing::TempDir dir_;
  MetricsRegistry metrics_;
  ServerState state_;
  Router router_ = MakeJaegerRouter();
  std::unique_ptr<EmbeddedLogStore> store_;
  simdjson::dom::parser parser_;
  simdjson::dom::element doc_;
  std::string body_;
};

TEST_F(JaegerRoutesTest, ServicesAndOperations) {
  ASSERT_EQ(Get("/api/services"), 200);
  ExpectEnvelope(3);
  EXPECT_EQ(Strings(doc_["data"]), R"(["crm","mes","shop"])");
  ASSERT_EQ(Get("/api/services/shop/operations"), 200);
  ExpectEnvelope(3);
  EXPECT_EQ(Strings(doc_["data"]), R"(["GET /health","POST /api/orders","POST /crm/orders"])");
  ASSERT_EQ(Get("/api/operations", {{"service", "shop"}, {"spanKind", "client"}}), 200);
  EXPECT_EQ(Strings(doc_["data"]), R"([{"name":"POST /crm/orders","spanKind":"client"}])");
  ASSERT_EQ(Get("/api/operations", {}), 400);
  EXPECT_EQ(doc_["errors"].at(0)["code"].get_int64().value_unsafe(), 400);
}

TEST_F(JaegerRoutesTest, ATraceInJaegersShape) {
  ASSERT_EQ(Get(std::string("/api/traces/") + kOrder), 200);
  ExpectEnvelope(1);
  simdjson::dom::element trace = doc_["data"].at(0);
  EXPECT_EQ(trace["traceID"].get_string().value_unsafe(), kOrder);
  EXPECT_TRUE(trace["warnings"].is_null());
  simdjson::dom::array spans = trace["spans"].get_array().value_unsafe();
  ASSERT_EQ(spans.size(), 5u);
  simdjson::dom::object processes = trace["processes"].get_object().value_unsafe();
  EXPECT_EQ(processes.size(), 3u) << "shop, crm, mes (with its host)";

  // The CRM's server span: a child of the shop's client span, failed.
  simdjson::dom::element crm = spans.at(2);
  EXPECT_EQ(crm["traceID"].get_string().value_unsafe(), kOrder);
  EXPECT_EQ(crm["spanID"].get_string().value_unsafe(), "0000000000000003");
  EXPECT_EQ(crm["operationName"].get_string().value_unsafe(), "POST /crm/orders");
  EXPECT_EQ(Strings(crm["references"]), std::string(R"([{"refType":"CHILD_OF","traceID":")") +
                                            kOrder + R"(","spanID":"0000000000000002"}])");
  EXPECT_EQ(crm["startTime"].get_int64().value_unsafe(), (kT0 + 12 * kMs) / 1000) << "µs";
  EXPECT_EQ(crm["duration"].get_int64().value_unsafe(), 75'000) << "µs";
  EXPECT_EQ(crm["flags"].get_int64().value_unsafe(), 1);
  simdjson::dom::array tags = crm["tags"].get_array().value_unsafe();
  EXPECT_EQ(Strings(Tag(tags, "span.kind")),
            R"({"key":"span.kind","type":"string","value":"server"})");
  EXPECT_EQ(Strings(Tag(tags, "error")), R"({"key":"error","type":"bool","value":true})");
  EXPECT_EQ(Strings(Tag(tags, "otel.status_description")),
            R"({"key":"otel.status_description","type":"string","value":"customer locked"})");
  EXPECT_EQ(Strings(crm["logs"]),
            "[{\"timestamp\":" + std::to_string((kT0 + 20 * kMs) / 1000) +
                R"(,"fields":[{"key":"event","type":"string","value":"exception"},)"
                R"({"key":"exception.type","type":"string","value":"Locked"}]}])");
  const std::string_view crm_process = crm["processID"].get_string().value_unsafe();
  EXPECT_EQ(processes[crm_process]["serviceName"].get_string().value_unsafe(), "crm");

  // The shop's root span: integer tags typed int64, no references.
  simdjson::dom::element root = spans.at(0);
  EXPECT_EQ(Strings(root["references"]), "[]");
  EXPECT_EQ(Strings(Tag(root["tags"].get_array().value_unsafe(), "http.response.status_code")),
            R"({"key":"http.response.status_code","type":"int64","value":201})");

  // The MES consumer: no parent, linked to the producer (FOLLOWS_FROM); its
  // resource is its process's tags.
  simdjson::dom::element mes = spans.at(4);
  EXPECT_EQ(Strings(mes["references"]), std::string(R"([{"refType":"FOLLOWS_FROM","traceID":")") +
                                            kOrder + R"(","spanID":"0000000000000004"}])");
  const std::string_view mes_process = mes["processID"].get_string().value_unsafe();
  EXPECT_EQ(
      Strings(processes[mes_process]),
      R"({"serviceName":"mes","tags":[{"key":"host.name","type":"string","value":"plant-1"}]})");
}

TEST_F(JaegerRoutesTest, MissingAndMalformedTraces) {
  ASSERT_EQ(Get("/api/traces/1bf92f3577b34da6a3ce929d0e0e4736"), 404);
  EXPECT_TRUE(doc_["data"].is_null());
  EXPECT_EQ(doc_["errors"].at(0)["code"].get_int64().value_unsafe(), 404);
  ASSERT_EQ(Get("/api/traces/xyz"), 400);
  EXPECT_NE(Strings(doc_["errors"].at(0)["msg"]).find("xyz"), std::string::npos);
  ASSERT_EQ(Get("/api/nothing"), 404);
  EXPECT_EQ(doc_["errors"].at(0)["code"].get_int64().value_unsafe(), 404);
}

TEST_F(JaegerRoutesTest, SearchAsTheJaegerUiAsks) {
  const std::string start = std::to_string(kT0 / 1000 - 1000);
  const std::string end = std::to_string(kT0 / 1000 + 3'600'000'000LL);
  const auto ids = [this] {
    std::vector<std::string> out;
    simdjson::dom::array data;
    EXPECT_EQ(doc_["data"].get_array().get(data), simdjson::SUCCESS) << body_;
    for (simdjson::dom::element t : data) {
      out.emplace_back(t["traceID"].get_string().value_unsafe());
    }
    return out;
  };
  ASSERT_EQ(Get("/api/traces", {{"service", "shop"},
                                {"start", start},
                                {"end", end},
                                {"limit", "20"},
                                {"lookback", "custom"}}),
            200);
  ExpectEnvelope(2);
  EXPECT_EQ(ids(), (std::vector<std::string>{kHealth, kOrder}));
  ASSERT_EQ(
      Get("/api/traces",
          {{"service", "crm"}, {"start", start}, {"end", end}, {"tags", R"({"error":"true"})"}}),
      200);
  EXPECT_EQ(ids(), (std::vector<std::string>{kOrder}));
  ASSERT_EQ(Get("/api/traces", {{"service", "shop"},
                                {"start", start},
                                {"end", end},
                                {"operation", "POST /api/orders"},
                                {"minDuration", "100ms"}}),
            200);
  EXPECT_EQ(ids(), (std::vector<std::string>{kOrder}));
  ASSERT_EQ(Get("/api/traces",
                {{"service", "shop"}, {"start", start}, {"end", end}, {"maxDuration", "1.5ms"}}),
            200);
  EXPECT_EQ(ids(), (std::vector<std::string>{kHealth}));
  ASSERT_EQ(Get("/api/traces", {{"traceID", kOrder}, {"traceID", kHealth}}), 200);
  EXPECT_EQ(ids(), (std::vector<std::string>{kOrder, kHealth}));
  // The default range is the last hour: these spans are a week older.
  ASSERT_EQ(Get("/api/traces", {{"service", "shop"}}), 200);
  ExpectEnvelope(0);

  ASSERT_EQ(Get("/api/traces", {{"start", start}}), 400);
  EXPECT_NE(Strings(doc_["errors"]).find("'service' is required"), std::string::npos) << body_;
  ASSERT_EQ(Get("/api/traces", {{"service", "shop"}, {"minDuration", "fast"}}), 400);
  EXPECT_NE(Strings(doc_["errors"]).find("minDuration"), std::string::npos) << body_;
  ASSERT_EQ(Get("/api/traces", {{"service", "shop"}, {"tags", "error=true"}}), 400);
  EXPECT_NE(Strings(doc_["errors"]).find("'tags'"), std::string::npos) << body_;
  ASSERT_EQ(Get("/api/traces", {{"service", "shop"}, {"start", "yesterday"}}), 400);
  EXPECT_NE(Strings(doc_["errors"]).find("'start'"), std::string::npos) << body_;
}

TEST_F(JaegerRoutesTest, Dependencies) {
  const std::string end = std::to_string(kT0 / 1'000'000 + 3'600'000);
  ASSERT_EQ(Get("/api/dependencies", {{"endTs", end}, {"lookback", "7200000"}}), 200);
  ExpectEnvelope(2);
  EXPECT_EQ(simdjson::to_string(doc_["data"]), R"([{"parent":"crm","child":"mes","callCount":1},)"
                                               R"({"parent":"shop","child":"crm","callCount":1}])");
  ASSERT_EQ(Get("/api/dependencies", {{"endTs", end}, {"lookback", "60000"}}), 200);
  ExpectEnvelope(0);
  ASSERT_EQ(Get("/api/dependencies", {{"endTs", "tomorrow"}}), 400);
}

TEST_F(JaegerRoutesTest, NotReadyIsA503) {
  state_.phase = ServerPhase::kStopping;
  ASSERT_EQ(Get("/api/services"), 503);
  EXPECT_EQ(doc_["errors"].at(0)["code"].get_int64().value_unsafe(), 503);
}

}  // namespace
}  // namespace mayak
