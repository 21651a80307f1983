#include "elastic/index_routing.h"

#include "gtest/gtest.h"

namespace mayak {
namespace {

IndexRouting Defaults() {
  auto routing =
      IndexRouting::Create({"logs-<system>-*", "filebeat-*", "logstash-*", "<system>-*"});
  EXPECT_TRUE(routing.ok()) << routing.status();
  return *std::move(routing);
}

TEST(IndexRoutingTest, DefaultPatternsReadTheSystemFromDataStreamsAndDailyIndices) {
  const IndexRouting routing = Defaults();
  EXPECT_EQ(routing.SystemOf("logs-shop-default"), "shop");
  EXPECT_EQ(routing.SystemOf("logs-crm.api-production"), "crm.api");
  EXPECT_EQ(routing.SystemOf("mes-2026.11.25"), "mes");
  // Shippers' own indices leave the system to the document.
  EXPECT_EQ(routing.SystemOf("filebeat-8.19.0-2026.11.25"), std::nullopt);
  EXPECT_EQ(routing.SystemOf("logstash-2026.11.25"), std::nullopt);
  // No pattern matches a name without '-'.
  EXPECT_EQ(routing.SystemOf("orders"), std::nullopt);
  // A capture that is no system name lets later patterns try: "<system>-*"
  // reads "logs" here.
  EXPECT_EQ(routing.SystemOf("logs-$$-x"), "logs");
}

TEST(IndexRoutingTest, TheDocumentNamesTheSystemWhenTheIndexDoesNot) {
  const IndexRouting routing = Defaults();
  LogRecord named;
  named.system = "crm";
  routing.Route("filebeat-8.19.0", &named);
  EXPECT_EQ(named.system, "crm");

  LogRecord by_service;
  by_service.service = "Shop-API";
  routing.Route("filebeat-8.19.0", &by_service);
  EXPECT_EQ(by_service.system, "shop-api");

  LogRecord bad_service;
  bad_service.service = "shop api/v2";  // no system name: stays default
  routing.Route("orders", &bad_service);
  EXPECT_EQ(bad_service.system, kDefaultSystem);

  // The index wins over the document.
  LogRecord both;
  both.system = "crm";
  routing.Route("logs-mes-default", &both);
  EXPECT_EQ(both.system, "mes");
}

TEST(IndexRoutingTest, PatternsAreChecked) {
  EXPECT_FALSE(IndexRouting::Create({""}).ok());
  auto twice = IndexRouting::Create({"<system>-<system>"});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("twice"), absl::string_view::npos);
  auto exact = IndexRouting::Create({"app-<system>"});
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->SystemOf("app-billing"), "billing");
  EXPECT_EQ(exact->SystemOf("app-billing-1"), std::nullopt);  // <system> stops at '-'
  EXPECT_EQ(exact->SystemOf("xapp-billing"), std::nullopt);
}

}  // namespace
}  // namespace mayak
