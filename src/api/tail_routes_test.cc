#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "api/routes.h"
#include "common/strings.h"
#include "gtest/gtest.h"
#include "query/tail_log_store.h"
#include "storage/embedded_log_store.h"
#include "support/eventually.h"
#include "support/route_call.h"
#include "support/temp_dir.h"

namespace mayak {
namespace {

using testing::Eventually;

// A response stream that keeps what is written; `backlog` is what it
// claims the client has not taken yet.
class FakeStream : public ResponseStream {
 public:
  bool Write(std::string data) override {
    absl::MutexLock lock(&mu_);
    if (ended_ || closed_) return false;
    written_ += data;
    return true;
  }
  void End() override {
    absl::MutexLock lock(&mu_);
    ended_ = true;
  }
  bool closed() const override {
    absl::MutexLock lock(&mu_);
    return ended_ || closed_;
  }
  size_t pending_bytes() const override { return backlog.load(); }
  void OnClose(std::function<void()> callback) override {
    absl::MutexLock lock(&mu_);
    on_close_ = std::move(callback);
  }
  // The client hangs up.
  void HangUp() {
    std::function<void()> callback;
    {
      absl::MutexLock lock(&mu_);
      closed_ = true;
      callback.swap(on_close_);
    }
    if (callback) callback();
  }
  std::string written() const {
    absl::MutexLock lock(&mu_);
    return written_;
  }
  bool ended() const {
    absl::MutexLock lock(&mu_);
    return ended_;
  }
  std::atomic<size_t> backlog{0};

 private:
  mutable absl::Mutex mu_;
  std::string written_ ABSL_GUARDED_BY(mu_);
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::function<void()> on_close_ ABSL_GUARDED_BY(mu_);
};

class TailRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EmbeddedLogStoreOptions options;
    options.dir = dir_.path();
    auto store = EmbeddedLogStore::Open(options, &metrics_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    tailed_ = std::make_unique<TailLogStore>(store_.get(), &tail_);
    state_.store = tailed_.get();
    state_.phase = ServerPhase::kReady;
    ApiLimits limits;
    limits.tail_backlog_bytes = 1000;
    AddIngestRoutes(&router_, &state_, limits, &metrics_);
    AddTailRoutes(&router_, &state_, &tail_, limits);
  }
  void TearDown() override {
    tail_.Stop();
    store_->Close();
  }

  void Ingest(const std::string& messages_csv, const std::string& service = "shop-api") {
    std::string body;
    for (std::string_view m : Split(messages_csv, ',')) {
      ++sequence_;  // a second apart, in the order sent
      body += StrCat("{\"@timestamp\":", 1'700'000'000'000 + sequence_ * 1000, ",\"message\":\"", m,
                     "\",\"service.name\":\"", service, "\"}\n");
    }
    ASSERT_EQ(testing::CallRoute(router_, "POST", "/api/v1/logs", body).status, 200);
  }

  // Opens a tail; the stream is attached as the server would.
  std::shared_ptr<FakeStream> OpenTail(std::multimap<std::string, std::string> params,
                                       HttpResponse* response) {
    HttpRequest request;
    request.method = "GET";
    request.path = "/api/v1/tail";
    request.params = std::move(params);
    *response = testing::CallRoute(router_, std::move(request));
    if (!response->stream) return nullptr;
    auto stream = std::make_shared<FakeStream>();
    response->stream(stream);
    response->stream = nullptr;  // as the server drops the response
    return stream;
  }

  int64_t sequence_ = 0;
  testing::TempDir dir_;
  MetricsRegistry metrics_;
  LiveTail tail_{LiveTailOptions{}, &metrics_};
  std::unique_ptr<EmbeddedLogStore> store_;
  std::unique_ptr<TailLogStore> tailed_;
  ServerState state_;
  Router router_;
};

TEST_F(TailRoutesTest, StreamsMatchingRecordsAsTheyAreAcknowledged) {
  HttpResponse response;
  auto stream = OpenTail({{"query", "service.name:crm-api"}}, &response);
  ASSERT_NE(stream, nullptr) << response.body;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/event-stream");
  Ingest("not this one");
  Ingest("order 1 synced,order 2 synced", "crm-api");
  ASSERT_TRUE(Eventually([&] { return Contains(stream->written(), "order 2 synced"); }))
      << stream->written();
  const std::string text = stream->written();
  EXPECT_TRUE(text.starts_with("retry: 3000\n\n")) << text;
  EXPECT_FALSE(Contains(text, "not this one"));
  EXPECT_LT(text.find("order 1 synced"), text.find("order 2 synced"));
  EXPECT_TRUE(Contains(text, "data: {\"_id\":\"1700000002000000000-")) << text;
  // The client leaves: the tail ends.
  EXPECT_EQ(tail_.tails(), 1u);
  stream->HangUp();
  EXPECT_EQ(tail_.tails(), 0u);
}

TEST_F(TailRoutesTest, LinesSendsTheNewestStoredRecordsFirstOldestFirst) {
  Ingest("one,two,three");
  HttpResponse response;
  auto stream = OpenTail({{"lines", "2"}, {"from", "2023-01-01T00:00:00Z"}}, &response);
  ASSERT_NE(stream, nullptr) << response.body;
  const std::string text = stream->written();
  EXPECT_FALSE(Contains(text, "\"one\"")) << text;
  ASSERT_TRUE(Contains(text, "\"two\"")) << text;
  EXPECT_LT(text.find("\"two\""), text.find("\"three\""));
  Ingest("four");
  ASSERT_TRUE(Eventually([&] { return Contains(stream->written(), "\"four\""); }));
  stream->HangUp();
}

TEST_F(TailRoutesTest, ASlowReaderIsDroppedWithAMessage) {
  HttpResponse response;
  auto stream = OpenTail({}, &response);
  ASSERT_NE(stream, nullptr);
  stream->backlog = 5000;  // over the 1000 bytes of limits.tail_backlog
  Ingest("a");
  ASSERT_TRUE(Eventually([&] { return stream->ended(); }));
  EXPECT_TRUE(Contains(stream->written(), "event: dropped\ndata: {\"message\":\"the reader fell"))
      << stream->written();
  EXPECT_TRUE(Contains(stream->written(), "limits.tail_backlog"));
  ASSERT_TRUE(Eventually([&] { return tail_.tails() == 0; }));
  // Ingest goes on, unhurt.
  Ingest("b");
}

TEST_F(TailRoutesTest, BadRequestsAreRefusedBeforeStreaming) {
  HttpResponse response;
  EXPECT_EQ(OpenTail({{"query", "level:(error"}}, &response), nullptr);
  EXPECT_EQ(response.status, 400);
  EXPECT_TRUE(Contains(response.body, "query_syntax")) << response.body;
  EXPECT_EQ(OpenTail({{"query", "* | stats count()"}}, &response), nullptr);
  EXPECT_EQ(response.status, 400);
  EXPECT_TRUE(Contains(response.body, "without pipes")) << response.body;
  EXPECT_EQ(OpenTail({{"lines", "-1"}}, &response), nullptr);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(tail_.tails(), 0u);
}

TEST_F(TailRoutesTest, AResponseNeverStreamedEndsItsTail) {
  HttpRequest request;
  request.method = "GET";
  request.path = "/api/v1/tail";
  {
    HttpResponse response = testing::CallRoute(router_, std::move(request));
    ASSERT_TRUE(response.stream);
    EXPECT_EQ(tail_.tails(), 1u);
  }  // dropped, as for a HEAD request
  EXPECT_EQ(tail_.tails(), 0u);
}

}  // namespace
}  // namespace mayak
