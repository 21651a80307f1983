#include "api/routes.h"
#include "gtest/gtest.h"
#include "support/route_call.h"

namespace mayak {
namespace {

HttpResponse Call(const Router& router, std::string method, std::string path) {
  return testing::CallRoute(router, std::move(method), std::move(path), "{\"message\":\"x\"}\n");
}

std::string HeaderOf(const HttpResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

TEST(StatusRoutesTest, HealthAndWorkFollowTheServerPhase) {
  MetricsRegistry metrics;
  ServerState state;
  Router router;
  AddStatusRoutes(&router, &state, &metrics);
  AddIngestRoutes(&router, &state, ApiLimits{}, &metrics);
  AddSearchRoutes(&router, &state, ApiLimits{});

  // Starting: the WAL is being replayed and there is no store yet.
  HttpResponse health = Call(router, "GET", "/health");
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(health.body, R"({"status":"starting","reason":"replaying the write-ahead log"})");
  HttpResponse ingest = Call(router, "POST", "/api/v1/logs");
  EXPECT_EQ(ingest.status, 503);
  EXPECT_NE(ingest.body.find("\"code\":\"starting\""), std::string::npos);
  EXPECT_EQ(HeaderOf(ingest, "Retry-After"), "1");
  EXPECT_EQ(Call(router, "GET", "/api/v1/search").status, 503);

  state.phase = ServerPhase::kStopping;
  health = Call(router, "GET", "/health");
  EXPECT_EQ(health.status, 503);
  EXPECT_NE(health.body.find("\"status\":\"shutting_down\""), std::string::npos);
  EXPECT_NE(Call(router, "POST", "/api/v1/logs").body.find("\"code\":\"shutting_down\""),
            std::string::npos);

  HttpResponse metrics_page = Call(router, "GET", "/metrics");
  EXPECT_EQ(metrics_page.status, 200);
  EXPECT_NE(metrics_page.content_type.find("text/plain"), std::string::npos);
  EXPECT_NE(metrics_page.body.find("mayak_ingested_records_total 0"), std::string::npos);
}

}  // namespace
}  // namespace mayak
