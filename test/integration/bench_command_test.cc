// `mayak bench segments`: the storage engine's write path timed on a file of
// generated logs, and its errors.
#include <cstdio>
#include <string>

#include "gtest/gtest.h"
#include "server_process.h"
#include "test_helpers.h"

namespace mayak::testing {
namespace {

TEST(BenchSegmentsTest, TimesFlushesAndMergesAndReportsBytes) {
  TempDir dir;
  const std::string logs = dir.path() + "/logs.ndjson";
  const std::string mayak = MAYAK_BINARY;
  std::string output;
  ASSERT_EQ(RunCommand(mayak + " bench gen --records 20000 -o " + logs, &output), 0) << output;
  output.clear();
  ASSERT_EQ(
      RunCommand(mayak + " bench segments " + logs + " --repeats 2 --flush-records 3000", &output),
      0)
      << output;
  EXPECT_NE(output.find("20000 records (0 rejected)"), std::string::npos) << output;
  double flush_us = 0;
  double merge_us = 0;
  double flushed = 0;
  double merged = 0;
  const size_t flush_line = output.find("\nflush");
  const size_t merge_line = output.find("\nmerge");
  const size_t bytes_line = output.find("bytes a record:");
  ASSERT_TRUE(flush_line != std::string::npos && merge_line != std::string::npos &&
              bytes_line != std::string::npos)
      << output;
  EXPECT_EQ(std::sscanf(output.c_str() + flush_line, "\nflush %lf us/record", &flush_us), 1);
  EXPECT_EQ(std::sscanf(output.c_str() + merge_line, "\nmerge %lf us/record", &merge_us), 1);
  ASSERT_EQ(std::sscanf(output.c_str() + bytes_line,
                        "bytes a record: %lf after flushes, %lf merged", &flushed, &merged),
            2)
      << output;
  EXPECT_GT(flush_us, 0);
  EXPECT_GT(merge_us, 0);
  // Generated lines are ~435 bytes; stored, a few tens, and merging small
  // segments into one makes them no bigger.
  EXPECT_GT(flushed, 10);
  EXPECT_LT(flushed, 200);
  EXPECT_LE(merged, flushed);
}

TEST(BenchSegmentsTest, AMissingFileIsNamed) {
  std::string output;
  EXPECT_EQ(RunCommand(std::string(MAYAK_BINARY) + " bench segments /no/such/file.ndjson", &output),
            1);
  EXPECT_NE(output.find("cannot read /no/such/file.ndjson"), std::string::npos) << output;
}

// `mayak bench gen-traces` and `send-otlp`: every span generated arrives.
TEST(BenchTracesTest, GeneratedTracesAreSentAndStored) {
  TempDir dir;
  const std::string file = dir.path() + "/spans.otlp";
  const std::string mayak = MAYAK_BINARY;
  std::string output;
  ASSERT_EQ(
      RunCommand(mayak + " bench gen-traces --traces 300 --batch-spans 100 -o " + file, &output), 0)
      << output;
  uint64_t spans = 0;
  uint64_t requests = 0;
  ASSERT_EQ(std::sscanf(output.c_str(), "spans %lu traces 300 requests %lu", &spans, &requests), 2)
      << output;
  EXPECT_GT(spans, 1000u);
  EXPECT_GE(requests, spans / 106);
  ServerProcess server(ServerOptions(dir.path() + "/data", {"--otlp-http-listen", "127.0.0.1:0"}));
  ASSERT_TRUE(server.ready()) << server.log();
  output.clear();
  ASSERT_EQ(RunCommand(mayak + " bench send-otlp " + file + " -c 2 --url " +
                           server.ListenerUrl("otlp_http"),
                       &output),
            0)
      << output << server.log();
  EXPECT_NE(output.find("failures 0"), std::string::npos) << output;
  auto metrics = server.Client()->Send("GET", "/metrics", "", {});
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("mayak_spans_storage_records " + std::to_string(spans) + "\n"),
            std::string::npos)
      << metrics->body;
  output.clear();
  EXPECT_EQ(RunCommand(mayak + " bench send-otlp " + dir.path() + "/none.otlp", &output), 1);
  EXPECT_NE(output.find("none.otlp"), std::string::npos) << output;
}

}  // namespace
}  // namespace mayak::testing
