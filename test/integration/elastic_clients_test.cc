// The Elasticsearch-compatible API against Elasticsearch's own client
// libraries, as applications and shippers use them: the official Node.js
// client (npm, tools/es-clients) and Debian's Python client, each sending
// documents with its bulk helper to a real server. Every document must be
// stored once, in the system its index names.
#include <string>

#include "gtest/gtest.h"
#include "server_process.h"
#include "test_helpers.h"

namespace mayak::testing {
namespace {

class ElasticClientsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ =
        std::make_unique<ServerProcess>(ServerOptions(dir_.path(), {"--es-listen", "127.0.0.1:0"}));
    ASSERT_TRUE(server_->ready()) << server_->log();
    es_url_ = server_->ListenerUrl("elasticsearch");
    ASSERT_FALSE(es_url_.empty()) << server_->log();
    client_ = server_->Client();
  }

  // Records of one system on 2026-11-25 whose message has `word`.
  uint64_t Count(const std::string& system, const std::string& word) {
    auto reply = client_->Send(
        "POST", "/api/v1/query",
        R"({"query":"system:)" + system + " and " + word +
            R"j( | stats count()","from":"2026-11-25T00:00:00Z","to":"2026-11-25T23:59:59Z"})j",
        {{"Content-Type", "application/json"}});
    EXPECT_TRUE(reply.ok());
    if (!reply.ok()) return 0;
    ParsedJson table(reply->body);
    EXPECT_TRUE(table.ok()) << reply->body;
    return table.ok() ? table["rows"].at(0).at(0).get_uint64().value() : 0;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::string es_url_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(ElasticClientsTest, TheNodeClientsBulkHelperStoresEveryDocument) {
  std::string output;
  const int code = RunCommand("node " + std::string(MAYAK_SOURCE_DIR) +
                                  "/tools/es-clients/bulk_node.js " + es_url_ + " 2000",
                              &output);
  ASSERT_EQ(code, 0) << output << server_->log();
  EXPECT_NE(output.find(R"("successful":2000,"failed":0)"), std::string::npos) << output;
  EXPECT_EQ(Count("shop", "node"), 2000u);
  EXPECT_EQ(Count("shop", "placed"), 2000u);  // and nothing twice
}

TEST_F(ElasticClientsTest, ThePythonClientsBulkHelperStoresEveryDocument) {
  std::string output;
  // Debian's interpreter, where python3-elasticsearch is installed.
  const int code = RunCommand("/usr/bin/python3 " + std::string(MAYAK_SOURCE_DIR) +
                                  "/tools/es-clients/bulk_python.py " + es_url_ + " 1000",
                              &output);
  ASSERT_EQ(code, 0) << output << server_->log();
  EXPECT_NE(output.find(R"("successful": 1000, "errors": [])"), std::string::npos) << output;
  EXPECT_EQ(Count("crm", "python"), 1000u);
}

}  // namespace
}  // namespace mayak::testing
