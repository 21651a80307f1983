#include <string>

#include "api/routes.h"
#include "common/strings.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "storage/embedded_log_store.h"
#include "support/store_routes_test.h"

namespace mayak {
namespace {

// Lines of two hosts of shop-api and of crm-api, interleaved, a second apart.
class ContextRoutesTest : public testing::StoreRoutesTest {
 protected:
  void SetUp() override {
    EmbeddedLogStoreOptions options;
    options.row_group_rows = 3;
    OpenStore(options);
    AddIngestRoutes(&router_, &state_, ApiLimits{}, &metrics_);
    AddSearchRoutes(&router_, &state_, ApiLimits{});
    AddContextRoutes(&router_, &state_, ApiLimits{});
    std::string body;
    for (int i = 0; i < 30; ++i) {
      const char* source = i % 3 == 0   ? R"("service.name":"shop-api","host.name":"shop-1")"
                           : i % 3 == 1 ? R"("service.name":"shop-api","host.name":"shop-2")"
                                        : R"("service.name":"crm-api","host.name":"crm-1")";
      body += StrCat("{\"@timestamp\":", 1'795'510'800'000 + i * 1000, ",\"system\":\"shop\",",
                     source, ",\"message\":\"line ", i, "\"}\n");
    }
    // A record at the same instant as line 12, from the same host.
    body +=
        R"({"@timestamp":1795510812000,"system":"shop","service.name":"shop-api","host.name":"shop-1","message":"line 12b"})"
        "\n";
    ASSERT_EQ(testing::CallRoute(router_, "POST", "/api/v1/logs", body).status, 200);
  }

  // The _id of the hit whose message is `message`.
  std::string IdOf(const std::string& message) {
    const HttpResponse r =
        Get("/api/v1/query",
            {{"q", StrCat("message:\"", message, "\"")}, {"from", "0"}, {"to", "now"}});
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(r.body).get(doc)) return "";
    std::string_view id;
    if (doc["hits"].at(0)["_id"].get(id)) return "";
    return std::string(id);
  }

  // The messages of a context reply, and its anchor's index.
  std::string Messages(const HttpResponse& r, uint64_t* anchor) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    EXPECT_FALSE(parser.parse(r.body).get(doc)) << r.body;
    std::vector<std::string> messages;
    simdjson::dom::array records;
    if (doc["records"].get(records)) return "";
    for (simdjson::dom::element record : records) {
      messages.emplace_back(record["message"].get_string().value_unsafe());
    }
    EXPECT_FALSE(doc["anchor"].get(*anchor));
    return Join(messages, ",");
  }
};

TEST_F(ContextRoutesTest, RecordsAroundOneFromItsServiceAndHost) {
  for (bool flushed : {false, true}) {
    if (flushed) {
      ASSERT_TRUE(store_->Flush().ok());
    }
    const std::string id = IdOf("line 12");
    ASSERT_FALSE(id.empty());
    HttpResponse r = Get("/api/v1/context", {{"id", id}, {"before", "3"}, {"after", "2"}});
    ASSERT_EQ(r.status, 200) << r.body;
    uint64_t anchor = 99;
    EXPECT_EQ(Messages(r, &anchor), "line 3,line 6,line 9,line 12,line 12b,line 15")
        << (flushed ? "flushed" : "in memory");
    EXPECT_EQ(anchor, 3u);
    // At the edges of the data, fewer.
    r = Get("/api/v1/context", {{"id", IdOf("line 1")}, {"before", "5"}, {"after", "1"}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Messages(r, &anchor), "line 1,line 4");
    EXPECT_EQ(anchor, 0u);
  }
}

TEST_F(ContextRoutesTest, BadAndUnknownIdsAreRefused) {
  EXPECT_EQ(Get("/api/v1/context", {}).status, 400);
  const HttpResponse bad = Get("/api/v1/context", {{"id", "12-zz"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("bad_id"), std::string::npos) << bad.body;
  const HttpResponse unknown =
      Get("/api/v1/context", {{"id", "1795510812000000000-0000000000000001"}});
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_NE(unknown.body.find("record_not_found"), std::string::npos) << unknown.body;
  EXPECT_EQ(Get("/api/v1/context", {{"id", IdOf("line 12")}, {"before", "x"}}).status, 400);
}

}  // namespace
}  // namespace mayak
