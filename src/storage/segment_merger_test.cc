#include "storage/segment_merger.h"

#include <filesystem>
#include <fstream>
#include <set>

#include "gtest/gtest.h"
#include "support/temp_dir.h"

namespace mayak {
namespace {

class SegmentMergerTest : public ::testing::Test {
 protected:
  // A segment of rows `first`, `first + step`, ... over two services.
  std::unique_ptr<SegmentReader> Write(const std::string& name, int first, int step, int n) {
    std::vector<LogRecord> records;
    for (int i = 0; i < n; ++i) {
      LogRecord r;
      const int seq = first + i * step;
      r.timestamp_ns = seq;
      r.service = seq % 2 == 0 ? "crm" : "shop";
      r.message = "row " + std::to_string(seq);
      r.attributes = {{"seq", int64_t{seq}}};
      records.push_back(std::move(r));
    }
    const std::string path = dir_ + "/" + name;
    EXPECT_TRUE(WriteSegment(Env::Default(), path, records, {50, 3}).ok());
    auto reader = SegmentReader::Open(Env::Default(), path);
    EXPECT_TRUE(reader.ok());
    return *std::move(reader);
  }

  testing::TempDir temp_;
  const std::string dir_ = temp_.path();
};

TEST_F(SegmentMergerTest, InterleavesInputsInSegmentOrder) {
  auto a = Write("a.seg", 0, 3, 200);
  auto b = Write("b.seg", 1, 3, 150);
  auto c = Write("c.seg", 2, 3, 1);
  MergeOptions options;
  options.writer.row_group_rows = 64;
  auto footer =
      MergeSegments(Env::Default(), {a.get(), b.get(), c.get()}, dir_ + "/m.seg", options);
  ASSERT_TRUE(footer.ok()) << footer.status();
  EXPECT_EQ(footer->rows, 351u);
  auto merged = SegmentReader::Open(Env::Default(), dir_ + "/m.seg");
  ASSERT_TRUE(merged.ok());
  std::vector<LogRecord> all;
  for (size_t g = 0; g < (*merged)->footer().row_groups.size(); ++g) {
    auto rows = (*merged)->ReadRowGroup(g);
    ASSERT_TRUE(rows.ok());
    EXPECT_LE(rows->size(), 64u);
    all.insert(all.end(), rows->begin(), rows->end());
  }
  ASSERT_EQ(all.size(), 351u);
  std::set<int64_t> seqs;
  for (size_t i = 0; i < all.size(); ++i) {
    if (i > 0) {
      EXPECT_FALSE(InSegmentOrder(all[i], all[i - 1])) << "row " << i << " out of order";
    }
    seqs.insert(std::get<int64_t>(*all[i].FindAttribute("seq")));
  }
  EXPECT_EQ(seqs.size(), 351u);
}

TEST_F(SegmentMergerTest, ADamagedInputOrCancellationLeavesNoOutput) {
  auto a = Write("a.seg", 0, 1, 300);
  auto b = Write("b.seg", 1000, 1, 300);
  const segment::ChunkMeta& chunk = b->footer().row_groups[3].chunks[3];
  {
    std::fstream f(dir_ + "/b.seg", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(chunk.offset));
    f.put('\x01');
    f.put('\x02');
  }
  const std::string out = dir_ + "/m.seg";
  auto damaged = MergeSegments(Env::Default(), {a.get(), b.get()}, out, {});
  EXPECT_EQ(damaged.status().code(), absl::StatusCode::kDataLoss) << damaged.status();
  EXPECT_NE(damaged.status().message().find("b.seg"), absl::string_view::npos);
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_FALSE(std::filesystem::exists(out + ".tmp"));

  std::atomic<bool> cancel{true};
  MergeOptions options;
  options.writer.row_group_rows = 50;
  options.cancel = &cancel;
  auto a2 = Write("a2.seg", 0, 1, 300);
  auto cancelled = MergeSegments(Env::Default(), {a.get(), a2.get()}, out, options);
  EXPECT_EQ(cancelled.status().code(), absl::StatusCode::kCancelled);
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_FALSE(std::filesystem::exists(out + ".tmp"));
}

TEST_F(SegmentMergerTest, RowsOutOfOrderAreRefused) {
  auto writer = SegmentWriter::Create(Env::Default(), dir_ + "/x.seg");
  ASSERT_TRUE(writer.ok());
  LogRecord late;
  late.timestamp_ns = 10;
  LogRecord early;
  early.timestamp_ns = 5;
  ASSERT_TRUE((*writer)->Add(late).ok());
  EXPECT_EQ((*writer)->Add(early).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mayak
