#include "storage/segment_merger.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include "gtest/gtest.h"
#include "loadgen/company_logs.h"
#include "pipeline/ndjson_decoder.h"
#include "support/company_spans.h"
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

// Rows of every row group of `reader` are in segment order within the group.
void ExpectGroupsInOrder(const SegmentReader& reader) {
  for (size_t g = 0; g < reader.footer().row_groups.size(); ++g) {
    auto rows = reader.ReadRowGroup(g);
    ASSERT_TRUE(rows.ok()) << rows.status();
    for (size_t i = 1; i < rows->size(); ++i) {
      ASSERT_FALSE(InSegmentOrder((*rows)[i], (*rows)[i - 1]))
          << "group " << g << " row " << i << " out of order";
    }
  }
}

TEST_F(SegmentMergerTest, CopiesFullRowGroupsAndRewritesSmallOnes) {
  auto a = Write("a.seg", 0, 3, 200);  // groups of 50 rows: copied
  auto b = Write("b.seg", 1, 3, 150);
  auto c = Write("c.seg", 2, 3, 1);  // one row: rewritten
  MergeOptions options;
  options.writer.row_group_rows = 64;  // groups of 32 rows or more are copied
  auto merge = MergeSegments(Env::Default(), {a.get(), b.get(), c.get()}, dir_ + "/m.seg", options);
  ASSERT_TRUE(merge.ok()) << merge.status();
  EXPECT_EQ(merge->footer.rows, 351u);
  EXPECT_EQ(merge->rows_copied, 350u);
  EXPECT_EQ(merge->rows_rewritten, 1u);
  auto merged = SegmentReader::Open(Env::Default(), dir_ + "/m.seg");
  ASSERT_TRUE(merged.ok());
  // The copied groups are the inputs' stored bytes: same chunks, same checksums.
  const auto& groups = (*merged)->footer().row_groups;
  ASSERT_EQ(groups.size(), 4u + 3u + 1u);
  for (size_t g = 0; g < 7; ++g) {
    const auto& from = g < 4 ? a->footer().row_groups[g] : b->footer().row_groups[g - 4];
    ASSERT_EQ(groups[g].chunks.size(), from.chunks.size());
    EXPECT_EQ(groups[g].min_ts, from.min_ts);
    for (size_t k = 0; k < from.chunks.size(); ++k) {
      EXPECT_EQ(groups[g].chunks[k].crc, from.chunks[k].crc) << "group " << g << " chunk " << k;
      EXPECT_EQ(groups[g].chunks[k].bloom_crc, from.chunks[k].bloom_crc);
    }
  }
  ExpectGroupsInOrder(**merged);
  std::set<int64_t> seqs;
  for (size_t g = 0; g < groups.size(); ++g) {
    auto rows = (*merged)->ReadRowGroup(g);
    ASSERT_TRUE(rows.ok());
    for (const LogRecord& r : *rows) {
      seqs.insert(std::get<int64_t>(*r.FindAttribute("seq")));
      EXPECT_EQ(r.message, "row " + std::to_string(r.timestamp_ns));
    }
  }
  EXPECT_EQ(seqs.size(), 351u);
  EXPECT_TRUE((*merged)->Verify().ok());
}

TEST_F(SegmentMergerTest, KeepsToItsWriteRate) {
  // 20 row groups copied at a rate that makes their bytes take 0.4 s: the
  // merge cannot be done before the groups before the last were due (about
  // 0.31 s), a lower bound that a slow machine only makes longer.
  auto a = Write("a.seg", 0, 2, 500);
  auto b = Write("b.seg", 1, 2, 500);
  const uint64_t input_bytes = a->file_size() + b->file_size();
  MergeOptions options;
  options.writer.row_group_rows = 64;
  options.write_bytes_per_second = input_bytes * 5 / 2;  // about 0.4 s for it all
  const auto start = std::chrono::steady_clock::now();
  auto merge = MergeSegments(Env::Default(), {a.get(), b.get()}, dir_ + "/m.seg", options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(merge.ok()) << merge.status();
  EXPECT_EQ(merge->footer.rows, 1000u);
  EXPECT_GE(seconds, 0.25) << "bytes " << input_bytes;
}

TEST_F(SegmentMergerTest, SmallGroupsFillRowGroupsOfEqualSize) {
  std::vector<std::unique_ptr<SegmentReader>> inputs;
  std::vector<const SegmentReader*> pointers;
  for (int i = 0; i < 5; ++i) {  // 5 x 30 rows in groups of 50: all small for 128
    inputs.push_back(Write("s" + std::to_string(i) + ".seg", i, 5, 30));
    pointers.push_back(inputs.back().get());
  }
  MergeOptions options;
  options.writer.row_group_rows = 128;
  auto merge = MergeSegments(Env::Default(), pointers, dir_ + "/m.seg", options);
  ASSERT_TRUE(merge.ok()) << merge.status();
  EXPECT_EQ(merge->rows_copied, 0u);
  EXPECT_EQ(merge->rows_rewritten, 150u);
  auto merged = SegmentReader::Open(Env::Default(), dir_ + "/m.seg");
  ASSERT_TRUE(merged.ok());
  // 150 rows gathered until they reach 128 (150), written as two groups of 75.
  ASSERT_EQ((*merged)->footer().row_groups.size(), 2u);
  EXPECT_EQ((*merged)->footer().row_groups[0].rows, 75u);
  EXPECT_EQ((*merged)->footer().row_groups[1].rows, 75u);
  ExpectGroupsInOrder(**merged);
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
  // Groups of 27 and 38 rows are copied (renumbered: the inputs number
  // their columns differently), those of 16 rewritten.
  MergeOptions options;
  options.writer.row_group_rows = 40;
  auto merge = MergeSegments(Env::Default(), {inputs[0].get(), inputs[1].get(), inputs[2].get()},
                             dir_ + "/m.seg", options);
  ASSERT_TRUE(merge.ok()) << merge.status();
  EXPECT_GT(merge->rows_copied, 0u);
  EXPECT_GT(merge->rows_rewritten, 0u);
  const segment::Footer* footer = &merge->footer;
  auto merged = SegmentReader::Open(Env::Default(), dir_ + "/m.seg");
  ASSERT_TRUE(merged.ok()) << merged.status();
  std::vector<LogRecord> actual = ReadAll(**merged);
  ASSERT_EQ(actual.size(), expected.size());
  ExpectGroupsInOrder(**merged);
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

  // The same damage in a row group that is copied, not decoded.
  MergeOptions copying;
  copying.writer.row_group_rows = 64;
  damaged = MergeSegments(Env::Default(), {a.get(), b.get()}, out, copying);
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

// The company's logs as records, `first` to `first + n`; with `marked`, the
// first record has one more field, so its segment numbers columns apart.
std::vector<LogRecord> CompanyRecords(int first, int n, bool marked) {
  CompanyLogGenerator generator({});
  std::string ndjson;
  for (int i = 0; i < first + n; ++i) {
    if (i == first) ndjson.clear();
    generator.NextNdjson(&ndjson);
  }
  std::vector<LogRecord> records = NdjsonDecoder(1 << 20).Decode(ndjson, 42).records;
  if (marked) {
    for (LogRecord& r : records) r.attributes.insert(r.attributes.begin(), {"aaa.first", "x"});
  }
  return records;
}

TEST_F(SegmentMergerTest, CopiedTemplatesReferToTheirColumnsRenumbered) {
  // Input a has a field b lacks, first in its columns: every attribute
  // column of b has another number in the merged segment, and b's messages
  // and paths are templates referring to them (`{order.id}`).
  const std::vector<LogRecord> first = CompanyRecords(0, 3000, true);
  const std::vector<LogRecord> second = CompanyRecords(3000, 3000, false);
  ASSERT_TRUE(WriteSegment(Env::Default(), dir_ + "/a.seg", first, {1000, 3}).ok());
  ASSERT_TRUE(WriteSegment(Env::Default(), dir_ + "/b.seg", second, {1000, 3}).ok());
  auto a = SegmentReader::Open(Env::Default(), dir_ + "/a.seg");
  auto b = SegmentReader::Open(Env::Default(), dir_ + "/b.seg");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_NE((*a)->footer().columns[6].name, (*b)->footer().columns[6].name);
  MergeOptions options;
  options.writer.row_group_rows = 1000;
  auto merge = MergeSegments(Env::Default(), {a->get(), b->get()}, dir_ + "/m.seg", options);
  ASSERT_TRUE(merge.ok()) << merge.status();
  EXPECT_EQ(merge->rows_copied, 6000u);
  auto merged = SegmentReader::Open(Env::Default(), dir_ + "/m.seg");
  ASSERT_TRUE(merged.ok()) << merged.status();
  std::vector<LogRecord> expected = first;
  expected.insert(expected.end(), second.begin(), second.end());
  std::vector<LogRecord> actual = ReadAll(**merged);
  for (LogRecord& r : expected) {
    std::sort(r.attributes.begin(), r.attributes.end(),
              [](const Attribute& x, const Attribute& y) { return x.key < y.key; });
  }
  const auto by_content = [](const LogRecord& x, const LogRecord& y) {
    return std::tie(x.service, x.timestamp_ns, x.message) <
           std::tie(y.service, y.timestamp_ns, y.message);
  };
  std::sort(actual.begin(), actual.end(), by_content);
  std::sort(expected.begin(), expected.end(), by_content);
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    ASSERT_EQ(actual[i], expected[i]) << "record " << i;
  }
  // Reading a message alone decodes the renumbered columns it refers to.
  const std::vector<std::string> only = {"message"};
  for (size_t g = 0; g < (*merged)->footer().row_groups.size(); ++g) {
    auto batch = (*merged)->ReadColumns(g, &only);
    ASSERT_TRUE(batch.ok()) << batch.status();
  }
}

std::string SpanIdOf(const LogRecord& r) {
  return std::get<std::string>(*r.FindAttribute("span.id"));
}

// The rows of `reader` by span id, attributes sorted.
std::map<std::string, LogRecord> BySpanId(const std::vector<LogRecord>& records) {
  std::map<std::string, LogRecord> out;
  for (LogRecord r : records) {
    std::sort(r.attributes.begin(), r.attributes.end(),
              [](const Attribute& x, const Attribute& y) { return x.key < y.key; });
    out.emplace(SpanIdOf(r), std::move(r));
  }
  return out;
}

TEST_F(SegmentMergerTest, SmallSpanGroupsAreGatheredByTrace) {
  // Three flushes each took a third of every trace's spans; the merge puts
  // each trace's spans side by side again.
  const std::vector<LogRecord> spans = testing::CompanySpanRecords(600);
  std::vector<std::unique_ptr<SegmentReader>> readers;
  std::vector<const SegmentReader*> inputs;
  const SegmentWriterOptions writer{.row_group_rows = 4096, .row_order = RowOrder::kTrace};
  for (int part = 0; part < 3; ++part) {
    std::vector<LogRecord> third;
    for (size_t i = part; i < spans.size(); i += 3) third.push_back(spans[i]);
    const std::string path = dir_ + "/part" + std::to_string(part) + ".seg";
    ASSERT_TRUE(WriteSegment(Env::Default(), path, third, writer).ok());
    auto reader = SegmentReader::Open(Env::Default(), path);
    ASSERT_TRUE(reader.ok());
    inputs.push_back(reader->get());
    readers.push_back(*std::move(reader));
  }
  MergeOptions options;
  options.writer = writer;
  auto merge = MergeSegments(Env::Default(), inputs, dir_ + "/m.seg", options);
  ASSERT_TRUE(merge.ok()) << merge.status();
  EXPECT_EQ(merge->rows_rewritten, spans.size());
  auto merged = SegmentReader::Open(Env::Default(), dir_ + "/m.seg");
  ASSERT_TRUE(merged.ok());
  std::vector<LogRecord> all;
  for (size_t g = 0; g < (*merged)->footer().row_groups.size(); ++g) {
    auto rows = (*merged)->ReadRowGroup(g);
    ASSERT_TRUE(rows.ok()) << rows.status();
    std::set<std::string> traces_of_group;
    std::string last;
    for (const LogRecord& r : *rows) {
      const std::string trace = std::get<std::string>(*r.FindAttribute("trace.id"));
      if (trace != last) {
        EXPECT_TRUE(traces_of_group.insert(trace).second) << "trace " << trace << " split";
      }
      last = trace;
    }
    all.insert(all.end(), rows->begin(), rows->end());
  }
  EXPECT_EQ(BySpanId(all), BySpanId(spans));
}

TEST_F(SegmentMergerTest, CopiedRowReferencesReferToTheirColumnsRenumbered) {
  // Segment a's spans carry a field b's lack, first in their columns: the
  // span and parent id columns of b have other numbers in the merged
  // segment, and b's parent ids refer to its span ids.
  std::vector<LogRecord> first = testing::CompanySpanRecords(500);
  for (LogRecord& r : first)
    r.attributes.insert(r.attributes.begin(), {"tenant", std::string("t1")});
  const std::vector<LogRecord> second = testing::CompanySpanRecords(500);
  const SegmentWriterOptions writer{.row_group_rows = 1000, .row_order = RowOrder::kTrace};
  ASSERT_TRUE(WriteSegment(Env::Default(), dir_ + "/a.seg", first, writer).ok());
  ASSERT_TRUE(WriteSegment(Env::Default(), dir_ + "/b.seg", second, writer).ok());
  auto a = SegmentReader::Open(Env::Default(), dir_ + "/a.seg");
  auto b = SegmentReader::Open(Env::Default(), dir_ + "/b.seg");
  ASSERT_TRUE(a.ok() && b.ok());
  MergeOptions options;
  options.writer = writer;
  auto merge = MergeSegments(Env::Default(), {b->get(), a->get()}, dir_ + "/m.seg", options);
  ASSERT_TRUE(merge.ok()) << merge.status();
  EXPECT_GT(merge->rows_copied, 0u);
  auto merged = SegmentReader::Open(Env::Default(), dir_ + "/m.seg");
  ASSERT_TRUE(merged.ok()) << merged.status();
  std::vector<LogRecord> all;
  for (size_t g = 0; g < (*merged)->footer().row_groups.size(); ++g) {
    auto rows = (*merged)->ReadRowGroup(g);
    ASSERT_TRUE(rows.ok()) << rows.status();
    all.insert(all.end(), rows->begin(), rows->end());
  }
  // The generator's seed is the same: b's spans are a's without the field.
  std::vector<LogRecord> expected = first;
  expected.insert(expected.end(), second.begin(), second.end());
  std::multimap<std::string, LogRecord> want;
  std::multimap<std::string, LogRecord> got;
  for (auto [records, out] : {std::pair{&expected, &want}, std::pair{&all, &got}}) {
    for (LogRecord r : *records) {
      std::sort(r.attributes.begin(), r.attributes.end(),
                [](const Attribute& x, const Attribute& y) { return x.key < y.key; });
      out->emplace(SpanIdOf(r) + (r.FindAttribute("tenant") != nullptr ? "a" : "b"), std::move(r));
    }
  }
  EXPECT_EQ(got, want);
}

TEST_F(SegmentMergerTest, OlderFormatsAreRewrittenNotCopied) {
  const std::vector<LogRecord> records = CompanyRecords(0, 2000, false);
  ASSERT_TRUE(WriteSegment(Env::Default(), dir_ + "/old.seg", records,
                           {.row_group_rows = 1000, .format_version = 4})
                  .ok());
  auto old = SegmentReader::Open(Env::Default(), dir_ + "/old.seg");
  ASSERT_TRUE(old.ok());
  MergeOptions options;
  options.writer.row_group_rows = 1000;
  auto merge = MergeSegments(Env::Default(), {old->get()}, dir_ + "/m.seg", options);
  ASSERT_TRUE(merge.ok()) << merge.status();
  EXPECT_EQ(merge->rows_copied, 0u);
  EXPECT_EQ(merge->rows_rewritten, 2000u);
  auto merged = SegmentReader::Open(Env::Default(), dir_ + "/m.seg");
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ((*merged)->version(), segment::kVersion);
  EXPECT_EQ(ReadAll(**merged).size(), 2000u);
  // A writer refuses to copy them, rather than write old chunks in a new file.
  auto writer = SegmentWriter::Create(Env::Default(), dir_ + "/x.seg");
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ((*writer)->CopyRowGroup(**old, 0).code(), absl::StatusCode::kInvalidArgument);
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
