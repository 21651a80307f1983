
#include "api/routes.h"
#include "gtest/gtest.h"
#include "storage/embedded_log_store.h"
#include "storage/fault_injection_env.h"
#include "support/store_routes_test.h"

namespace mayak {
namespace {

class IngestRoutesTest : public testing::StoreRoutesTest {
 protected:
  void SetUp() override {
    EmbeddedLogStoreOptions options;
    options.env = &env_;
    OpenStore(options);
    AddIngestRoutes(&router_, &state_, ApiLimits{}, &metrics_);
    AddSearchRoutes(&router_, &state_, ApiLimits{});
  }

  HttpResponse Call(std::string method, std::string path, std::string body = "") {
    HttpRequest request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.body = std::move(body);
    request.params = {{"from", "0"}, {"q", "disk"}};
    return testing::CallRoute(router_, std::move(request));
  }

  FaultInjectionEnv env_{Env::Default()};
};

TEST_F(IngestRoutesTest, AFailingDiskAnswers503AndStoresNothingUntilItRecovers) {
  env_.SetDiskFull(true);
  HttpResponse full = Call("POST", "/api/v1/logs", "{\"message\":\"disk full\"}\n");
  EXPECT_EQ(full.status, 503);
  EXPECT_NE(full.body.find("\"code\":\"storage_unavailable\""), std::string::npos) << full.body;
  EXPECT_NE(full.body.find("No space left on device"), std::string::npos) << full.body;
  ASSERT_EQ(full.headers.size(), 1u);
  EXPECT_EQ(full.headers[0], (std::pair<std::string, std::string>{"Retry-After", "1"}));
  EXPECT_NE(Call("GET", "/api/v1/search").body.find("\"total\":0"), std::string::npos);
  EXPECT_NE(metrics_.RenderPrometheus().find("mayak_ingested_records_total 0"), std::string::npos);

  env_.SetDiskFull(false);
  HttpResponse ok = Call("POST", "/api/v1/logs", "{\"message\":\"disk fine again\"}\n");
  EXPECT_EQ(ok.status, 200) << ok.body;
  HttpResponse found = Call("GET", "/api/v1/search");
  EXPECT_NE(found.body.find("\"total\":1"), std::string::npos) << found.body;
  EXPECT_NE(found.body.find("disk fine again"), std::string::npos) << found.body;
}

}  // namespace
}  // namespace mayak
