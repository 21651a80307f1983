#include <algorithm>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "loadgen/company_logs.h"
#include "pipeline/ndjson_decoder.h"
#include "storage/fault_injection_env.h"
#include "storage/segment_reader.h"
#include "storage/segment_writer.h"
#include "support/temp_dir.h"

namespace mayak {
namespace {

class SegmentTest : public ::testing::Test {
 protected:
  // The company's logs as normalized records, and their NDJSON size.
  static std::vector<LogRecord> CompanyRecords(int n, size_t* ndjson_bytes = nullptr) {
    CompanyLogGenerator generator({});
    std::string ndjson;
    for (int i = 0; i < n; ++i) generator.NextNdjson(&ndjson);
    if (ndjson_bytes != nullptr) *ndjson_bytes = ndjson.size();
    return NdjsonDecoder(1 << 20).Decode(ndjson, 42).records;
  }

  // Records in a canonical order, attributes sorted, for comparison: a
  // segment keeps every value but not the order of records or attributes.
  static std::vector<LogRecord> Canonical(std::vector<LogRecord> records) {
    for (LogRecord& r : records) {
      std::sort(r.attributes.begin(), r.attributes.end(),
                [](const Attribute& a, const Attribute& b) { return a.key < b.key; });
    }
    std::stable_sort(records.begin(), records.end(), [](const LogRecord& a, const LogRecord& b) {
      if (a.service != b.service) return a.service < b.service;
      return a.timestamp_ns < b.timestamp_ns;
    });
    return records;
  }

  std::vector<LogRecord> ReadAll(const SegmentReader& reader) {
    std::vector<LogRecord> all;
    for (size_t g = 0; g < reader.footer().row_groups.size(); ++g) {
      auto rows = reader.ReadRowGroup(g);
      EXPECT_TRUE(rows.ok()) << rows.status();
      if (rows.ok()) all.insert(all.end(), rows->begin(), rows->end());
    }
    return all;
  }

  testing::TempDir temp_;
  const std::string dir_ = temp_.path();
};

TEST_F(SegmentTest, RoundTripsTheCompanyLogs) {
  size_t ndjson_bytes = 0;
  std::vector<LogRecord> records = CompanyRecords(20000, &ndjson_bytes);
  const std::string path = dir_ + "/a.seg";
  auto footer = WriteSegment(Env::Default(), path, records, {4096, 3});
  ASSERT_TRUE(footer.ok()) << footer.status();
  EXPECT_EQ(footer->rows, records.size());
  EXPECT_EQ(footer->row_groups.size(), 5u);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  auto reader = SegmentReader::Open(Env::Default(), path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_TRUE((*reader)->Verify().ok());
  EXPECT_EQ((*reader)->footer().min_ts, footer->min_ts);
  EXPECT_EQ(Canonical(ReadAll(**reader)), Canonical(records));
  std::cout << "segment: " << records.size() << " records, "
            << static_cast<double>((*reader)->file_size()) / static_cast<double>(records.size())
            << " bytes/record (NDJSON "
            << static_cast<double>(ndjson_bytes) / static_cast<double>(records.size()) << ")\n";
}

TEST_F(SegmentTest, SparseAndMixedTypedAttributesRoundTrip) {
  std::vector<LogRecord> records(3);
  records[0].message = "a";
  records[0].attributes = {{"x", int64_t{1}}, {"flag", true}};
  records[1].message = "b";
  records[1].attributes = {{"x", std::string("one")}, {"ratio", 0.5}};
  records[2].message = "c";
  records[2].timestamp_ns = -7;
  records[2].level = Level::kWarn;
  const std::string path = dir_ + "/b.seg";
  ASSERT_TRUE(WriteSegment(Env::Default(), path, records).ok());
  auto reader = SegmentReader::Open(Env::Default(), path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(Canonical(ReadAll(**reader)), Canonical(records));
}

TEST_F(SegmentTest, DamageIsDetectedAndNamed) {
  const std::string path = dir_ + "/c.seg";
  auto footer = WriteSegment(Env::Default(), path, CompanyRecords(3000), {1000, 3});
  ASSERT_TRUE(footer.ok());
  const segment::ChunkMeta& message = footer->row_groups[1].chunks[3];
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(message.offset + message.stored_size / 2));
    f.put('\x5a');
  }
  auto reader = SegmentReader::Open(Env::Default(), path);
  ASSERT_TRUE(reader.ok()) << "the footer is intact";
  EXPECT_TRUE((*reader)->ReadRowGroup(0).ok()) << "other row groups still serve";
  auto damaged = (*reader)->ReadRowGroup(1);
  EXPECT_EQ(damaged.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(damaged.status().message().find("row group 1, column message: checksum mismatch"),
            absl::string_view::npos)
      << damaged.status();
  EXPECT_EQ((*reader)->Verify().code(), absl::StatusCode::kDataLoss);

  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 5);
  EXPECT_EQ(SegmentReader::Open(Env::Default(), path).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(SegmentTest, AFailedWriteLeavesNoSegment) {
  FaultInjectionEnv env(Env::Default());
  env.SetSyncFails(true);
  const std::string path = dir_ + "/d.seg";
  auto footer = WriteSegment(&env, path, CompanyRecords(100));
  EXPECT_FALSE(footer.ok());
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_FALSE(WriteSegment(Env::Default(), path, {}).ok());
}

}  // namespace
}  // namespace mayak
