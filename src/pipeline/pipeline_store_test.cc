#include "pipeline/pipeline_store.h"

#include <fstream>
#include <future>

#include "gtest/gtest.h"
#include "storage/embedded_log_store.h"
#include "support/dir_bytes.h"
#include "support/temp_dir.h"

namespace mayak {
namespace {

TEST(PipelineLogStoreTest, SecretsNeverReachTheWalOrSegments) {
  testing::TempDir dir;
  MetricsRegistry metrics;
  EmbeddedLogStoreOptions options;
  options.dir = dir.path();
  auto inner = EmbeddedLogStore::Open(options, &metrics);
  ASSERT_TRUE(inner.ok()) << inner.status();
  auto pipeline = IngestPipeline::Create({});
  ASSERT_TRUE(pipeline.ok());
  PipelineLogStore store(inner->get(), *std::move(pipeline), &metrics);

  LogRecord record;
  record.timestamp_ns = 1'795'600'000'000'000'000;
  record.message = "login jane.doe@example.com password=Hunter2Secret card 4111111111111111";
  record.attributes = {{"http.request.headers.authorization", std::string("Bearer TopToken99")}};
  std::promise<absl::Status> done;
  store.Append({record}, [&done](const absl::Status& s) { done.set_value(s); });
  ASSERT_TRUE(done.get_future().get().ok());

  auto found = store.Search({.from_ns = 0, .limit = 10});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->hits.size(), 1u);
  EXPECT_EQ(found->hits[0].message,
            "login j***@example.com password=[REDACTED] card ************1111");
  EXPECT_EQ(std::get<std::string>(*found->hits[0].FindAttribute("redacted")),
            R"(["secret_key","card_number","email"])");

  // Not in the write-ahead log, and not in the segment it is flushed to.
  const char* secrets[] = {"Hunter2Secret", "TopToken99", "4111111111111111", "jane.doe"};
  for (bool flushed : {false, true}) {
    if (flushed) {
      ASSERT_TRUE((*inner)->Flush().ok());
    }
    const std::string bytes = testing::AllBytesUnder(dir.path());
    for (const char* secret : secrets) {
      EXPECT_EQ(bytes.find(secret), std::string::npos) << secret << " is on disk";
    }
  }
  // The check can see a secret: stored without redaction, it is in the WAL.
  testing::TempDir control_dir;
  EmbeddedLogStoreOptions control_options;
  control_options.dir = control_dir.path();
  MetricsRegistry control_metrics;
  auto control = EmbeddedLogStore::Open(control_options, &control_metrics);
  ASSERT_TRUE(control.ok());
  std::promise<absl::Status> control_done;
  (*control)->Append({record},
                     [&control_done](const absl::Status& s) { control_done.set_value(s); });
  ASSERT_TRUE(control_done.get_future().get().ok());
  EXPECT_NE(testing::AllBytesUnder(control_dir.path()).find("Hunter2Secret"), std::string::npos);
  (*control)->Close();
  const std::string exposition = metrics.RenderPrometheus();
  EXPECT_NE(exposition.find(R"(mayak_redactions_total{rule="email"} 1)"), std::string::npos)
      << exposition;
  EXPECT_NE(exposition.find(R"(mayak_redactions_total{rule="secret_key"} 1)"), std::string::npos);
  store.Close();
}

}  // namespace
}  // namespace mayak
