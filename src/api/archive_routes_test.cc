#include <map>
#include <string>

#include "api/routes.h"
#include "common/timestamps.h"
#include "gtest/gtest.h"
#include "storage/embedded_log_store.h"
#include "storage/segment_writer.h"
#include "support/route_call.h"
#include "support/s3_server.h"
#include "support/temp_dir.h"

namespace mayak {
namespace {

constexpr int64_t kDay = 20000;  // 2024-10-04

class ArchiveRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(s3_.endpoint().empty()) << s3_.output();
    client_ = *S3Client::Create(s3_.ClientOptions());
    archive_ = std::make_unique<PartitionArchive>(client_.get(), "logs/");
    // One archived partition: a segment of 50 records of kDay.
    std::vector<LogRecord> records(50);
    for (size_t i = 0; i < records.size(); ++i) {
      records[i].timestamp_ns = kDay * kNanosPerDay + static_cast<int64_t>(i);
      records[i].system = "shop";
      records[i].message = "archived " + std::to_string(i);
    }
    const std::string staging = staging_.path();
    ASSERT_TRUE(WriteSegment(Env::Default(), staging + "/a.seg", records).ok());
    ASSERT_TRUE(archive_
                    ->Archive(Env::Default(), staging, "shop", kDay,
                              {{"a.seg", "shop", kDay, 50, kDay * kNanosPerDay,
                                kDay * kNanosPerDay + 49, 0}},
                              kDay * kNanosPerDay)
                    .ok());

    EmbeddedLogStoreOptions options;
    options.dir = data_.path();
    auto store = EmbeddedLogStore::Open(options, &metrics_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    state_.store = store_.get();
    state_.phase = ServerPhase::kReady;
    AddArchiveRoutes(&router_, &state_, archive_.get(), nullptr, &jobs_);
    AddSearchRoutes(&router_, &state_, ApiLimits{});
  }
  void TearDown() override {
    jobs_.Stop();
    if (store_) store_->Close();
  }

  HttpResponse Call(std::string path, std::map<std::string, std::string> params) {
    HttpRequest request;
    request.method = "POST";
    request.path = std::move(path);
    for (auto& [k, v] : params) request.params.emplace(k, v);
    return testing::CallRoute(router_, std::move(request));
  }

  testing::S3Server s3_;
  testing::TempDir staging_;
  testing::TempDir data_;
  std::unique_ptr<S3Client> client_;
  std::unique_ptr<PartitionArchive> archive_;
  MetricsRegistry metrics_;
  ServerState state_;
  Router router_;
  JobThread jobs_;
  std::unique_ptr<EmbeddedLogStore> store_;
};

TEST_F(ArchiveRoutesTest, RestoresOnTheJobThreadAndRefusesWhenStopping) {
  HttpResponse bad = Call("/api/v1/archive/restore", {{"system", "shop"}});
  EXPECT_EQ(bad.status, 400) << bad.body;

  HttpResponse restored =
      Call("/api/v1/archive/restore", {{"system", "shop"}, {"from", DayName(kDay)}});
  ASSERT_EQ(restored.status, 200) << restored.body;
  EXPECT_NE(restored.body.find("\"records\":50"), std::string::npos) << restored.body;
  HttpResponse found = Call("/api/v1/search", {{"q", "archived"}, {"from", "0"}, {"limit", "0"}});
  EXPECT_NE(found.body.find("\"total\":50"), std::string::npos) << found.body;
  // Restored once only.
  HttpResponse again =
      Call("/api/v1/archive/restore", {{"system", "shop"}, {"from", DayName(kDay)}});
  EXPECT_NE(again.body.find("not restored twice"), std::string::npos) << again.body;

  // A server shutting down answers restores with 503 rather than starting one.
  jobs_.Stop();
  HttpResponse stopping =
      Call("/api/v1/archive/restore", {{"system", "shop"}, {"from", DayName(kDay)}});
  EXPECT_EQ(stopping.status, 503) << stopping.body;
  EXPECT_NE(stopping.body.find("shutting_down"), std::string::npos) << stopping.body;
}

}  // namespace
}  // namespace mayak
