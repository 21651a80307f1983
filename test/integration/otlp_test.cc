// OTLP logs from OpenTelemetry's own JS SDK and exporters (npm,
// tools/otel-clients): HTTP in both encodings and gRPC, into the real
// server; and the replies the specification asks for on bad requests.
#include <string>

#include "gtest/gtest.h"
#include "server_process.h"
#include "test_helpers.h"

namespace mayak::testing {
namespace {

class OtlpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(ServerOptions(
        dir_.path(), {"--otlp-http-listen", "127.0.0.1:0", "--otlp-grpc-listen", "127.0.0.1:0"}));
    ASSERT_TRUE(server_->ready()) << server_->log();
    otlp_url_ = server_->ListenerUrl("otlp_http");
    ASSERT_FALSE(otlp_url_.empty()) << server_->log();
    grpc_url_ = server_->ListenerUrl("otlp_grpc");
    ASSERT_FALSE(grpc_url_.empty()) << server_->log();
    client_ = server_->Client();
  }

  std::string Query(const std::string& q) {
    auto reply = client_->Send(
        "POST", "/api/v1/query",
        R"({"query":")" + q + R"(","from":"2026-11-25T00:00:00Z","to":"2026-11-25T23:59:59Z"})",
        {{"Content-Type", "application/json"}});
    EXPECT_TRUE(reply.ok());
    return reply.ok() ? reply->body : "";
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::string otlp_url_;
  std::string grpc_url_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(OtlpTest, TheJsSdkExportsOverHttpInBothEncodingsAndOverGrpc) {
  for (const std::string encoding : {"json", "protobuf", "grpc"}) {
    std::string output;
    const std::string& url = encoding == "grpc" ? grpc_url_ : otlp_url_;
    ASSERT_EQ(RunCommand("node " + std::string(MAYAK_SOURCE_DIR) +
                             "/tools/otel-clients/emit_logs.js " + url + " " + encoding + " 500",
                         &output),
              0)
        << output << server_->log();
    EXPECT_NE(output.find(R"("exported":500,"failures":0)"), std::string::npos) << output;
  }
  const std::string table = Query("otel | stats count() by system, log.level");
  EXPECT_NE(table.find(R"j("rows":[["mes-grpc","INFO",400],["mes-json","INFO",400],)j"
                       R"j(["mes-protobuf","INFO",400],["mes-grpc","ERROR",100],)j"
                       R"j(["mes-json","ERROR",100],["mes-protobuf","ERROR",100]],"total":1500)j"),
            std::string::npos)
      << table;
  // Typed attributes: order.id is a number, so a range of them counts.
  HttpReply hit = Search(*client_, "from=0&to=now%2B1d&limit=1&q=order.id:900007");
  EXPECT_NE(hit.body.find(R"("order.id":900007)"), std::string::npos) << hit.body;
  EXPECT_NE(hit.body.find(R"("retry":false)"), std::string::npos) << hit.body;
  EXPECT_NE(hit.body.find(R"("host.name":"plant-7")"), std::string::npos) << hit.body;
}

TEST_F(OtlpTest, BadRequestsGetTheSpecifiedReplies) {
  auto otlp = HttpClient::Create(otlp_url_);
  ASSERT_TRUE(otlp.ok());
  auto wrong_type = (*otlp)->Send("POST", "/v1/logs", "x", {{"Content-Type", "text/plain"}});
  ASSERT_TRUE(wrong_type.ok());
  EXPECT_EQ(wrong_type->status, 415);
  EXPECT_NE(wrong_type->body.find("application/x-protobuf"), std::string::npos);
  auto broken = (*otlp)->Send("POST", "/v1/logs", std::string("\x0a\x05\x0a", 3),
                              {{"Content-Type", "application/x-protobuf"}});
  ASSERT_TRUE(broken.ok());
  EXPECT_EQ(broken->status, 400);
  EXPECT_NE(broken->body.find("invalid protobuf at byte"), std::string::npos) << broken->body;
  auto partial = (*otlp)->Send(
      "POST", "/v1/logs",
      R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"ok"}},)"
      R"({"timeUnixNano":"soon"}]}]}]})",
      {{"Content-Type", "application/json"}});
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->status, 200);
  EXPECT_NE(partial->body.find(R"("rejectedLogRecords":"1")"), std::string::npos) << partial->body;
}

}  // namespace
}  // namespace mayak::testing
