// Syslog into the real server: util-linux's `logger` (what scripts and many
// daemons use) over UDP and TCP, in both formats, and a raw TCP stream that
// splits and joins messages across writes.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "server_process.h"
#include "test_helpers.h"

namespace mayak::testing {
namespace {

class SyslogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(
        ServerOptions(dir_.path(), {"--syslog-listen", "127.0.0.1:0"}));
    ASSERT_TRUE(server_->ready()) << server_->log();
    const std::string url = server_->ListenerUrl("syslog");  // http://127.0.0.1:PORT
    ASSERT_FALSE(url.empty()) << server_->log();
    port_ = url.substr(url.rfind(':') + 1);
    client_ = server_->Client();
  }

  // Waits (UDP has no reply) until `q` finds `want` records, then returns the reply.
  std::string WaitFor(const std::string& q, uint64_t want) {
    std::string body;
    for (int i = 0; i < 100; ++i) {
      HttpReply reply = Search(*client_, "from=0&to=now%2B1d&limit=100&q=" + q);
      body = reply.body;
      ParsedJson json(body);
      if (json.ok() && json["total"].get_uint64().value() >= want) return body;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "never found " << want << " for " << q << ": " << body;
    return body;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::string port_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(SyslogTest, LoggerOverUdpAndTcpInBothFormats) {
  const std::string logger = "logger -n 127.0.0.1 -P " + port_ + " ";
  std::string output;
  ASSERT_EQ(RunCommand(logger + "-d --rfc5424 -t shop-api -p local0.err --sd-id order@32473 "
                                "--sd-param 'id=\"10442\"' 'udp order failed'",
                       &output),
            0)
      << output;
  ASSERT_EQ(RunCommand(logger + "-T --octet-count --rfc5424 -t crm -p user.warning "
                                "'tcp octet counted'",
                       &output),
            0)
      << output;
  ASSERT_EQ(RunCommand(logger + "-T --rfc3164 -t mes -p daemon.info 'tcp bsd format'", &output), 0)
      << output;

  const std::string udp = WaitFor("udp", 1);
  EXPECT_NE(udp.find(R"("system":"shop-api")"), std::string::npos) << udp;
  EXPECT_NE(udp.find(R"("log.level":"ERROR")"), std::string::npos) << udp;
  EXPECT_NE(udp.find(R"("log.syslog.structured_data.order@32473.id":"10442")"), std::string::npos)
      << udp;
  const std::string octet = WaitFor("counted", 1);
  EXPECT_NE(octet.find(R"("system":"crm")"), std::string::npos) << octet;
  EXPECT_NE(octet.find(R"("log.level":"WARN")"), std::string::npos) << octet;
  const std::string bsd = WaitFor("bsd", 1);
  EXPECT_NE(bsd.find(R"("system":"mes")"), std::string::npos) << bsd;
  EXPECT_NE(bsd.find(R"("log.syslog.facility.name":"daemon")"), std::string::npos) << bsd;
}

TEST_F(SyslogTest, TcpFramesSplitAndJoinedAcrossWrites) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(std::stoi(port_)));
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  const auto send = [fd](const std::string& bytes) {
    ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  };
  // Two whole lines and half a third, then the rest and a last line that
  // the closing of the connection ends.
  send("<14>Nov 25 10:00:00 h app1: framed one\n<14>Nov 25 10:00:01 h app1: framed two\n<14>No");
  send("v 25 10:00:02 h app1: framed three\r\n");
  // A header-less line that starts with digits is a line, not an octet count.
  send("2026-11-25 10:00:04 framed five, no header\n");
  send("<14>Nov 25 10:00:03 h app1: framed four");
  ::close(fd);
  const std::string all = WaitFor("framed", 5);
  for (const char* word : {"one", "two", "three", "four", "five"}) {
    EXPECT_NE(all.find(std::string("framed ") + word), std::string::npos) << all;
  }
}

}  // namespace
}  // namespace mayak::testing
