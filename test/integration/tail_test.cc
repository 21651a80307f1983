// Live tails against the real server: a record reaches a tail within a
// second of its ingest acknowledgement, redacted as stored; `mayak tail`
// prints it; SIGTERM ends open tails and the server still stops cleanly.
#include <signal.h>

#include <chrono>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "api/http_message.h"
#include "gtest/gtest.h"
#include "server_process.h"
#include "test_helpers.h"

namespace mayak::testing {
namespace {

using Clock = std::chrono::steady_clock;

class TailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(ServerOptions{dir_.path()});
    ASSERT_TRUE(server_->ready()) << server_->log();
    client_ = server_->Client();
  }

  // Waits until the server counts `n` open tails.
  bool TailsOpen(int n) {
    const auto give_up = Clock::now() + std::chrono::seconds(10);
    const std::string line = "mayak_tail_open " + std::to_string(n) + "\n";
    while (Clock::now() < give_up) {
      auto metrics = client_->Send("GET", "/metrics");
      if (metrics.ok() && metrics->body.find(line) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(TailTest, ARecordReachesATailWithinASecondOfItsAck) {
  absl::Mutex mu;
  std::string received;
  Clock::time_point arrived;
  std::thread reader([&] {
    auto tail = HttpClient::Create(server_->url());
    ASSERT_TRUE(tail.ok());
    auto reply = (*tail)->Stream(
        "GET", "/api/v1/tail?query=" + PercentEncode("service.name:shop-api and log.level:error"),
        "", {}, [&](std::string_view data) {
          absl::MutexLock lock(&mu);
          received.append(data);
          if (received.find("payment declined") == std::string::npos) return true;
          arrived = Clock::now();
          return false;
        });
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->status, 200);
    EXPECT_EQ(reply->headers["content-type"], "text/event-stream");
  });
  ASSERT_TRUE(TailsOpen(1)) << server_->log();
  ASSERT_EQ(
      PostLogs(*client_,
               R"({"service.name":"crm-api","log.level":"error","message":"not for this tail"})"
               "\n"
               R"({"service.name":"shop-api","log.level":"info","message":"nor this"})"
               "\n")
          .status,
      200);
  ASSERT_EQ(
      PostLogs(
          *client_,
          R"({"service.name":"shop-api","log.level":"error","message":"payment declined for card 4111 1111 1111 1111 password=Secret123"})"
          "\n")
          .status,
      200);
  const Clock::time_point acked = Clock::now();
  reader.join();
  absl::MutexLock lock(&mu);
  EXPECT_LT(arrived - acked, std::chrono::seconds(1)) << "the ack-to-tail time";
  EXPECT_EQ(received.find("not for this tail"), std::string::npos) << received;
  EXPECT_EQ(received.find("nor this"), std::string::npos) << received;
  // The tail shows what the store holds: redacted.
  EXPECT_EQ(received.find("Secret123"), std::string::npos) << received;
  EXPECT_EQ(received.find("4111 1111 1111 1111"), std::string::npos) << received;
  // The reader left: the server ends the tail.
  EXPECT_TRUE(TailsOpen(0));
}

TEST_F(TailTest, TheCliPrintsStoredThenLiveRecords) {
  ASSERT_EQ(PostLogs(*client_, R"({"service.name":"mes-api","message":"machine 7 started"})"
                               "\n")
                .status,
            200);
  ChildProcess cli(
      {MAYAK_BINARY, "tail", "service.name:mes-api", "--lines", "5", "--server", server_->url()},
      {{"NO_COLOR", "1"}});
  ASSERT_TRUE(cli.WaitForOutput("machine 7 started", std::chrono::seconds(10))) << cli.output();
  ASSERT_TRUE(TailsOpen(1));
  ASSERT_EQ(
      PostLogs(*client_,
               R"({"service.name":"mes-api","log.level":"warn","message":"machine 7 overheating"})"
               "\n")
          .status,
      200);
  ASSERT_TRUE(cli.WaitForOutput("machine 7 overheating", std::chrono::seconds(10))) << cli.output();
  EXPECT_NE(cli.output().find("WARN  "), std::string::npos) << cli.output();
  // SIGTERM: the server ends the tail, the CLI says so, the server stops.
  EXPECT_EQ(server_->Stop(SIGTERM, std::chrono::seconds(20)), 0) << server_->log();
  EXPECT_EQ(cli.WaitForExit(std::chrono::seconds(10)), 1);
  EXPECT_NE(cli.output().find("the server ended the tail"), std::string::npos) << cli.output();
}

TEST_F(TailTest, BadTailsAreRefusedWithTheReason) {
  std::string output;
  EXPECT_EQ(
      RunCommand(std::string(MAYAK_BINARY) + " tail 'level:(error' --server " + server_->url(),
                 &output),
      1);
  EXPECT_NE(output.find("(HTTP 400)"), std::string::npos) << output;
  EXPECT_NE(output.find("^"), std::string::npos) << output;
}

}  // namespace
}  // namespace mayak::testing
