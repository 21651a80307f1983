#include "api/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "client/http_client.h"
#include "gtest/gtest.h"
#include "support/eventually.h"

namespace mayak {
namespace {

using testing::Eventually;

// A server on a free loopback port, with one I/O thread, for the routes the
// test adds before Start.
class TestServer {
 public:
  TestServer() : work_(boost::asio::make_work_guard(io_)) {}
  ~TestServer() {
    server_.reset();
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  Router& router() { return router_; }
  HttpServer& server() { return *server_; }

  std::string Start() {
    server_ = std::make_unique<HttpServer>(io_, &router_, HttpServerOptions{}, &metrics_);
    auto address = ListenAddress::Parse("127.0.0.1:0");
    EXPECT_TRUE(address.ok());
    auto bound = server_->Listen(*address);
    EXPECT_TRUE(bound.ok()) << bound.status();
    thread_ = std::thread([this] { io_.run(); });
    return bound.ok() ? *bound : "";
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  Router router_;
  MetricsRegistry metrics_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

TEST(HttpServerTest, StreamsWhatTheProducerWritesFromAnotherThread) {
  TestServer server;
  server.router().Add("GET", "/count", [](const HttpRequest&, Respond respond) {
    HttpResponse response;
    response.content_type = "text/event-stream";
    response.stream = [](std::shared_ptr<ResponseStream> stream) {
      std::thread([stream] {
        for (int i = 0; i < 100; ++i) stream->Write("data: " + std::to_string(i) + "\n\n");
        stream->End();
        EXPECT_FALSE(stream->Write("late"));
      }).detach();
    };
    respond(std::move(response));
  });
  auto client = HttpClient::Create(server.Start());
  ASSERT_TRUE(client.ok());
  std::string received;
  auto reply = (*client)->Stream("GET", "/count", "", {}, [&](std::string_view data) {
    received.append(data);
    return true;
  });
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->headers["content-type"], "text/event-stream");
  EXPECT_EQ(reply->headers["transfer-encoding"], "chunked");
  std::string expected;
  for (int i = 0; i < 100; ++i) expected += "data: " + std::to_string(i) + "\n\n";
  EXPECT_EQ(received, expected);
}

TEST(HttpServerTest, ClientHangingUpClosesTheStreamAndRunsOnClose) {
  TestServer server;
  absl::Mutex mu;
  std::shared_ptr<ResponseStream> open_stream;
  bool closed = false;
  server.router().Add("GET", "/endless", [&](const HttpRequest&, Respond respond) {
    HttpResponse response;
    response.stream = [&](std::shared_ptr<ResponseStream> stream) {
      stream->OnClose([&] {
        absl::MutexLock lock(&mu);
        closed = true;
      });
      stream->Write("first\n");
      absl::MutexLock lock(&mu);
      open_stream = stream;
    };
    respond(std::move(response));
  });
  auto client = HttpClient::Create(server.Start());
  ASSERT_TRUE(client.ok());
  // The client stops reading after the first chunk and closes its socket.
  auto reply = (*client)->Stream("GET", "/endless", "", {}, [](std::string_view data) {
    EXPECT_EQ(data, "first\n");
    return false;
  });
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_TRUE(Eventually([&] {
    absl::MutexLock lock(&mu);
    return closed;
  }));
  absl::MutexLock lock(&mu);
  ASSERT_NE(open_stream, nullptr);
  EXPECT_TRUE(open_stream->closed());
  EXPECT_FALSE(open_stream->Write("more"));
}

TEST(HttpServerTest, DrainingEndsStreams) {
  TestServer server;
  server.router().Add("GET", "/endless", [](const HttpRequest&, Respond respond) {
    HttpResponse response;
    response.stream = [](std::shared_ptr<ResponseStream> stream) { stream->Write("hello\n"); };
    respond(std::move(response));
  });
  auto client = HttpClient::Create(server.Start());
  ASSERT_TRUE(client.ok());
  std::thread drain([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    server.server().StartDraining();
  });
  std::string received;
  auto reply = (*client)->Stream("GET", "/endless", "", {}, [&](std::string_view data) {
    received.append(data);
    return true;
  });
  drain.join();
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(received, "hello\n");
  EXPECT_TRUE(Eventually([&] { return server.server().ActiveRequests() == 0; }));
}

// A raw loopback connection that sends `request` and can hang up.
int SendRaw(const std::string& address, const std::string& request) {
  const size_t colon = address.rfind(':');
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
  ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) return -1;
  if (::send(fd, request.data(), request.size(), 0) != static_cast<ssize_t>(request.size())) {
    return -1;
  }
  return fd;
}

TEST(HttpServerTest, ClientHangingUpDuringAHandlerSetsClientGone) {
  TestServer server;
  absl::Mutex mu;
  std::shared_ptr<const std::atomic<bool>> gone;
  Respond pending;
  server.router().Add("GET", "/slow", [&](const HttpRequest& request, Respond respond) {
    absl::MutexLock lock(&mu);
    gone = request.client_gone;
    pending = std::move(respond);  // answered later, as a long query would be
  });
  const std::string address = server.Start();
  const int fd = SendRaw(address, "GET /slow HTTP/1.1\r\nHost: test\r\n\r\n");
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(Eventually([&] {
    absl::MutexLock lock(&mu);
    return gone != nullptr;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(gone->load()) << "the client is still there";
  ::close(fd);
  EXPECT_TRUE(Eventually([&] { return gone->load(); }));
  pending(JsonOk("{}"));  // to nobody: the write fails quietly
  EXPECT_TRUE(Eventually([&] { return server.server().ActiveRequests() == 0; }));
}

TEST(HttpServerTest, PipelinedRequestIsNotTakenForAHangUp) {
  TestServer server;
  absl::Mutex mu;
  std::vector<std::shared_ptr<const std::atomic<bool>>> gone;
  std::vector<Respond> pending;
  server.router().Add("GET", "/slow", [&](const HttpRequest& request, Respond respond) {
    absl::MutexLock lock(&mu);
    gone.push_back(request.client_gone);
    pending.push_back(std::move(respond));
  });
  const std::string address = server.Start();
  const std::string one = "GET /slow HTTP/1.1\r\nHost: test\r\n\r\n";
  const int fd = SendRaw(address, one);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(Eventually([&] {
    absl::MutexLock lock(&mu);
    return gone.size() == 1;
  }));
  ASSERT_EQ(::send(fd, one.data(), one.size(), 0), static_cast<ssize_t>(one.size()));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  {
    absl::MutexLock lock(&mu);
    EXPECT_FALSE(gone[0]->load());
    pending[0](JsonOk("{}"));
  }
  // The second request is read and handled after the first is answered.
  ASSERT_TRUE(Eventually([&] {
    absl::MutexLock lock(&mu);
    return gone.size() == 2;
  }));
  {
    absl::MutexLock lock(&mu);
    pending[1](JsonOk("{}"));
  }
  ::close(fd);
}

}  // namespace
}  // namespace mayak
