#include "storage/segment_merger.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <tuple>

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

// Every row of a segment, its attributes sorted by key (a segment lists
// them in its column order).
std::vector<LogRecord> ReadAll(const SegmentReader& reader) {
  std::vector<LogRecord> all;
  for (size_t g = 0; g < reader.footer().row_groups.size(); ++g) {
    auto rows = reader.ReadRowGroup(g);
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (rows.ok()) all.insert(all.end(), rows->begin(), rows->end());
  }
  for (LogRecord& r : all) {
    std::sort(r.attributes.begin(), r.attributes.end(),
              [](const Attribute& a, const Attribute& b) { return a.key < b.key; });
  }
  return all;
}

TEST_F(SegmentMergerTest, KeepsEveryFieldOfEveryRow) {
  // Inputs with different row group sizes, sparse attributes of every type,
  // and a field stored as a number in one input and as text in another.
  std::vector<LogRecord> expected;
  std::vector<std::unique_ptr<SegmentReader>> inputs;
  for (int input = 0; input < 3; ++input) {
    std::vector<LogRecord> records;
    for (int i = 0; i < 120 + input * 37; ++i) {
      LogRecord r;
      r.timestamp_ns = 1'000'000 + (i * 7 + input * 3) % 500;
      r.observed_timestamp_ns = r.timestamp_ns + 5;
      r.level = static_cast<Level>(i % 7);
      r.service = std::string(1, static_cast<char>('a' + (i + input) % 3));
      r.system = i % 5 == 0 ? "crm" : "shop";
      r.message = "input " + std::to_string(input) + " row " + std::to_string(i);
      if (i % 2 == 0) r.attributes.push_back({"order.id", int64_t{i * 1000 + input}});
      if (i % 3 == 0) r.attributes.push_back({"ratio", i / 7.0});
      if (i % 4 == 0) r.attributes.push_back({"retry", i % 8 == 0});
      if (i % 5 == 1) {
        r.attributes.push_back({"code", input == 1
                                            ? AttributeValue{std::string("E") + std::to_string(i)}
                                            : AttributeValue{int64_t{i}}});
      }
      if (input == 2 && i % 9 == 0) r.attributes.push_back({"only.here", std::string("x")});
      std::sort(r.attributes.begin(), r.attributes.end(),
                [](const Attribute& a, const Attribute& b) { return a.key < b.key; });
      records.push_back(r);
      expected.push_back(std::move(r));
    }
    const std::string path = dir_ + "/in" + std::to_string(input) + ".seg";
    ASSERT_TRUE(WriteSegment(Env::Default(), path, records,
                             {.row_group_rows = static_cast<size_t>(16 + input * 11)})
                    .ok());
    auto reader = SegmentReader::Open(Env::Default(), path);
    ASSERT_TRUE(reader.ok()) << reader.status();
    inputs.push_back(*std::move(reader));
  }
  MergeOptions options;
  options.writer.row_group_rows = 40;
  auto footer = MergeSegments(Env::Default(), {inputs[0].get(), inputs[1].get(), inputs[2].get()},
                              dir_ + "/m.seg", options);
  ASSERT_TRUE(footer.ok()) << footer.status();
  auto merged = SegmentReader::Open(Env::Default(), dir_ + "/m.seg");
  ASSERT_TRUE(merged.ok()) << merged.status();
  std::vector<LogRecord> actual = ReadAll(**merged);
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 1; i < actual.size(); ++i) {
    ASSERT_FALSE(InSegmentOrder(actual[i], actual[i - 1])) << "row " << i << " out of order";
  }
  const auto by_content = [](const LogRecord& a, const LogRecord& b) {
    return std::tie(a.service, a.timestamp_ns, a.message) <
           std::tie(b.service, b.timestamp_ns, b.message);
  };
  std::sort(actual.begin(), actual.end(), by_content);
  std::sort(expected.begin(), expected.end(), by_content);
  for (size_t i = 0; i < actual.size(); ++i) {
    ASSERT_EQ(actual[i], expected[i]) << "record " << expected[i].message;
  }
  const auto [min, max] = std::minmax_element(
      expected.begin(), expected.end(),
      [](const LogRecord& a, const LogRecord& b) { return a.timestamp_ns < b.timestamp_ns; });
  EXPECT_EQ(footer->min_ts, min->timestamp_ns);
  EXPECT_EQ(footer->max_ts, max->timestamp_ns);
  EXPECT_EQ(footer->rows, expected.size());
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

  // Rows copied from decoded row groups are checked the same way.
  auto input = Write("in.seg", 0, 1, 10);
  auto batch = input->ReadColumns(0, nullptr);
  ASSERT_TRUE(batch.ok());
  auto copier = SegmentWriter::Create(Env::Default(), dir_ + "/y.seg");
  ASSERT_TRUE(copier.ok());
  // Row 0 is crm at time 0, row 1 crm at time 2: backwards is refused.
  EXPECT_EQ((*copier)->AddBatchRows({{&*batch, 1}, {&*batch, 0}}).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mayak
