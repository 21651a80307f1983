// Bad input gets a clear JSON error with the right status, and never costs
// the good records of the same request.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "gtest/gtest.h"
#include "server_process.h"
#include "test_helpers.h"

namespace mayak::testing {
namespace {

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options{dir_.path()};
    options.env = {{"MAYAK_LIMITS_MAX_BODY", "64KiB"}, {"MAYAK_LIMITS_MAX_LINE", "1KiB"}};
    server_ = std::make_unique<ServerProcess>(options);
    ASSERT_TRUE(server_->ready()) << server_->log();
    client_ = server_->Client();
  }

  static std::string ErrorCode(const HttpReply& reply) {
    ParsedJson json(reply.body);
    if (!json.ok()) return "<not json: " + reply.body + ">";
    std::string_view code;
    if (json.root()["error"]["code"].get(code)) return "<no error.code: " + reply.body + ">";
    return std::string(code);
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(BadInputTest, BadLinesAreReportedAndGoodOnesStored) {
  const std::string body =
      "{\"message\":\"good 1\"}\n"
      "this is not json\n"
      "\n"
      "[1,2,3]\n"
      "{\"message\":\"bad time\",\"@timestamp\":\"yesterday\"}\n"
      "{\"message\":\"bad system\",\"system\":\"no spaces allowed\"}\n"
      "{\"message\":\"" +
      std::string(2000, 'x') +
      "\"}\n"
      "{\"message\":\"good 2\"}\r\n";
  HttpReply reply = PostLogs(*client_, body);
  ASSERT_EQ(reply.status, 200) << reply.body;
  ParsedJson json(reply.body);
  EXPECT_EQ(json["accepted"].get_uint64().value(), 2u);
  EXPECT_EQ(json["rejected"].get_uint64().value(), 5u);
  const simdjson::dom::array errors = json["errors"].get_array().value();
  ASSERT_EQ(errors.size(), 5u);
  const std::pair<uint64_t, const char*> expected[] = {{2, "invalid JSON"},
                                                       {4, "expected a JSON object, got an array"},
                                                       {5, "@timestamp: 'yesterday' is not a time"},
                                                       {6, "system: 'no spaces allowed'"},
                                                       {7, "over limits.max_line"}};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(errors.at(i)["line"].get_uint64().value(), expected[i].first);
    EXPECT_NE(std::string(errors.at(i)["reason"].get_string().value()).find(expected[i].second),
              std::string::npos)
        << errors.at(i);
  }
  ParsedJson found(Search(*client_, "from=0&q=good").body);
  EXPECT_EQ(found["total"].get_uint64().value(), 2u);
}

// Whatever a request's body held, a client that goes away before sending
// all of it gets nothing stored (and no reply to take for an ack), on the
// native and on the Elasticsearch listener alike (one HTTP server).
TEST_F(BadInputTest, AClientThatDisconnectsMidBodyGetsNothingStored) {
  const auto send_half = [](const std::string& url, const std::string& head,
                            const std::string& half) {
    const size_t colon = url.rfind(':');
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(std::stoi(url.substr(colon + 1))));
    ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    const std::string bytes = head + half;
    ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ::close(fd);
  };
  // Two whole records of a body announced as 4000 bytes.
  const std::string lines = "{\"message\":\"half sent one\"}\n{\"message\":\"half sent two\"}\n";
  send_half(server_->url(), "POST /api/v1/logs HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\n\r\n",
            lines);
  TempDir es_dir;
  ServerOptions es_options(es_dir.path(), {"--es-listen", "127.0.0.1:0"});
  es_options.env = {{"MAYAK_LIMITS_MAX_BODY", "64KiB"}};
  ServerProcess es(es_options);
  ASSERT_TRUE(es.ready()) << es.log();
  // The HTTP server's own 413 answers an Elasticsearch client in its shape.
  auto es_api = HttpClient::Create(es.ListenerUrl("elasticsearch"));
  ASSERT_TRUE(es_api.ok());
  auto too_large = (*es_api)->Send("POST", "/_bulk", std::string(70 * 1024, ' '),
                                   {{"Content-Type", "application/x-ndjson"}});
  ASSERT_TRUE(too_large.ok());
  EXPECT_EQ(too_large->status, 413);
  EXPECT_EQ(too_large->headers["x-elastic-product"], "Elasticsearch");
  EXPECT_NE(too_large->body.find("content_too_long_exception"), std::string::npos)
      << too_large->body;
  send_half(es.ListenerUrl("elasticsearch"),
            "POST /_bulk HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\n\r\n",
            "{\"index\":{\"_index\":\"a-b\"}}\n{\"message\":\"half sent three\"}\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // A whole request afterwards is found: the search would see the others.
  auto es_client = es.Client();
  for (HttpClient* client : {client_.get(), es_client.get()}) {
    ASSERT_EQ(PostLogs(*client, "{\"message\":\"half sent whole\"}\n").status, 200);
    HttpReply found = Search(*client, "from=0&to=now%2B1d&q=half");
    EXPECT_NE(found.body.find("\"total\":1"), std::string::npos) << found.body;
    EXPECT_NE(found.body.find("half sent whole"), std::string::npos) << found.body;
  }
}

TEST_F(BadInputTest, BodyWithNoRecordIs400) {
  HttpReply garbage = PostLogs(*client_, "<html>hello</html>\nstill not json\n");
  EXPECT_EQ(garbage.status, 400);
  EXPECT_EQ(ErrorCode(garbage), "not_ndjson");
  EXPECT_NE(garbage.body.find("\"line\":2"), std::string::npos) << garbage.body;

  HttpReply empty = PostLogs(*client_, "\n\n");
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(ErrorCode(empty), "empty_body");
}

TEST_F(BadInputTest, OversizeBodyIs413AndNothingIsStored) {
  std::string body;
  while (body.size() < 70 * 1024) body += "{\"message\":\"filler line for the size limit\"}\n";
  HttpReply reply = PostLogs(*client_, body);
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(ErrorCode(reply), "body_too_large");
  EXPECT_EQ(reply.headers["connection"], "close");
  // A fresh connection still works, and nothing of the big body was stored.
  client_ = server_->Client();
  ParsedJson found(Search(*client_, "from=0&q=filler").body);
  EXPECT_EQ(found["total"].get_uint64().value(), 0u);
}

TEST_F(BadInputTest, WrongEncodingsAreRefused) {
  HttpReply unknown = PostLogs(*client_, "{}", {{"Content-Encoding", "br"}});
  EXPECT_EQ(unknown.status, 415);
  EXPECT_EQ(ErrorCode(unknown), "unsupported_encoding");
  HttpReply corrupt = PostLogs(*client_, "definitely not gzip", {{"Content-Encoding", "gzip"}});
  EXPECT_EQ(corrupt.status, 400);
  EXPECT_EQ(ErrorCode(corrupt), "bad_encoding");
  HttpReply bad_zstd = PostLogs(*client_, "nor zstd", {{"Content-Encoding", "zstd"}});
  EXPECT_EQ(bad_zstd.status, 400);
}

TEST_F(BadInputTest, BadSearchParametersAre400) {
  HttpReply bad_time = Search(*client_, "from=last%20tuesday");
  EXPECT_EQ(bad_time.status, 400);
  EXPECT_EQ(ErrorCode(bad_time), "bad_time");
  EXPECT_NE(bad_time.body.find("from: 'last tuesday'"), std::string::npos) << bad_time.body;

  HttpReply inverted = Search(*client_, "from=now&to=now-1h");
  EXPECT_EQ(ErrorCode(inverted), "bad_time");

  HttpReply bad_query = Search(*client_, "q=a:1%20b:2");
  EXPECT_EQ(bad_query.status, 400);
  EXPECT_EQ(ErrorCode(bad_query), "query_syntax");
  EXPECT_NE(bad_query.body.find("\"position\":4"), std::string::npos) << bad_query.body;

  HttpReply bad_limit = Search(*client_, "limit=-5");
  EXPECT_EQ(ErrorCode(bad_limit), "bad_limit");
}

TEST_F(BadInputTest, UnknownRoutesAndMethodsGetJsonErrors) {
  auto missing = client_->Send("GET", "/api/v1/nothing");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(ErrorCode(*missing), "not_found");
  auto wrong_method = client_->Send("DELETE", "/api/v1/logs");
  ASSERT_TRUE(wrong_method.ok());
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->headers["allow"], "POST");
}

}  // namespace
}  // namespace mayak::testing
