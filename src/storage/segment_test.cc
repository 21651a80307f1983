#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <tuple>

#include "common/strings.h"
#include "gtest/gtest.h"
#include "loadgen/company_logs.h"
#include "pipeline/ndjson_decoder.h"
#include "storage/coding.h"
#include "storage/fault_injection_env.h"
#include "storage/segment_reader.h"
#include "storage/segment_writer.h"
#include "support/company_spans.h"
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

  // The bytes stored for `column` in every row group.
  static uint64_t StoredBytes(const SegmentReader& reader, std::string_view column) {
    uint64_t bytes = 0;
    for (const auto& group : reader.footer().row_groups) {
      for (const auto& chunk : group.chunks) {
        if (reader.footer().columns[chunk.column].name == column) bytes += chunk.stored_size;
      }
    }
    return bytes;
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

TEST_F(SegmentTest, SortingByKeysGivesTheStableSegmentOrder) {
  std::mt19937 random(3);
  std::vector<LogRecord> records(5000);
  for (size_t i = 0; i < records.size(); ++i) {
    records[i].service = std::string(1 + random() % 3, static_cast<char>('a' + random() % 4));
    records[i].timestamp_ns = static_cast<int64_t>(random() % 300) - 100;  // ties, negatives
    records[i].message = std::to_string(i);
  }
  std::vector<const LogRecord*> expected;
  for (const LogRecord& r : records) expected.push_back(&r);
  std::vector<const LogRecord*> actual = expected;
  std::stable_sort(expected.begin(), expected.end(),
                   [](const LogRecord* a, const LogRecord* b) { return InSegmentOrder(*a, *b); });
  SortInSegmentOrder(&actual);
  EXPECT_EQ(actual, expected);
}

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
  uint64_t bloom_bytes = 0;
  for (const auto& group : footer->row_groups) {
    for (const auto& chunk : group.chunks) bloom_bytes += chunk.bloom_size;
  }
  const auto per_record = [&records](uint64_t bytes) {
    return static_cast<double>(bytes) / static_cast<double>(records.size());
  };
  std::cout << "segment: " << records.size() << " records, " << per_record((*reader)->file_size())
            << " bytes/record, of which Bloom filters " << per_record(bloom_bytes) << " (NDJSON "
            << static_cast<double>(ndjson_bytes) / static_cast<double>(records.size()) << ")\n";
}

TEST_F(SegmentTest, SpanIdsAndMeasurementsHaveNoBloomFilter) {
  std::vector<LogRecord> records;
  for (int i = 0; i < 100; ++i) {
    LogRecord r;
    r.timestamp_ns = 1'795'478'400'000'000'000 + i;
    r.message = "GET /api/orders";
    r.attributes = {{"trace.id", StrCat("4bf92f3577b34da6a3ce929d0e0e47", 10 + i)},
                    {"span.id", StrCat("00f067aa0ba902", 10 + i)},
                    {"parent.id", StrCat("a3ce929d0e0e47", 10 + i)},
                    {"event.duration", int64_t{1000 + i}},
                    {"order.id", int64_t{i}}};
    records.push_back(std::move(r));
  }
  const std::string path = dir_ + "/spans.seg";
  auto footer = WriteSegment(Env::Default(), path, records, {100, 3});
  ASSERT_TRUE(footer.ok()) << footer.status();
  std::map<std::string, uint64_t> bloom_bytes;
  for (const segment::ChunkMeta& chunk : footer->row_groups[0].chunks) {
    bloom_bytes[footer->columns[chunk.column].name] = chunk.bloom_size;
  }
  EXPECT_GT(bloom_bytes.at("trace.id"), 0u) << "a trace is found by its id";
  EXPECT_GT(bloom_bytes.at("order.id"), 0u);
  EXPECT_EQ(bloom_bytes.at("span.id"), 0u);
  EXPECT_EQ(bloom_bytes.at("parent.id"), 0u);
  EXPECT_EQ(bloom_bytes.at("event.duration"), 0u);
}

TEST_F(SegmentTest, OlderVersionsAreStillRead) {
  const std::vector<LogRecord> records = CompanyRecords(2000);
  for (uint32_t version : {1u, 2u, 3u, 4u, 5u}) {
    const std::string path = dir_ + "/v" + std::to_string(version) + ".seg";
    ASSERT_TRUE(WriteSegment(Env::Default(), path, records, {500, 3, version}).ok());
    auto reader = SegmentReader::Open(Env::Default(), path);
    ASSERT_TRUE(reader.ok()) << reader.status();
    EXPECT_EQ((*reader)->version(), version);
    // Version 1 had no statistics: its footer names no filters.
    EXPECT_EQ((*reader)->bloom(0, 3).empty(), version == 1);
    EXPECT_TRUE((*reader)->Verify().ok());
    EXPECT_EQ(Canonical(ReadAll(**reader)), Canonical(records)) << "version " << version;
  }
}

TEST_F(SegmentTest, MessagesAreTemplatesOfTheirFieldsAndReadAlone) {
  const std::vector<LogRecord> records = CompanyRecords(20000);
  const std::string path = dir_ + "/t.seg";
  const std::string v4_path = dir_ + "/t4.seg";
  ASSERT_TRUE(WriteSegment(Env::Default(), path, records, {4096, 3}).ok());
  ASSERT_TRUE(WriteSegment(Env::Default(), v4_path, records, {4096, 3, 4}).ok());
  auto reader = SegmentReader::Open(Env::Default(), path);
  auto v4_reader = SegmentReader::Open(Env::Default(), v4_path);
  ASSERT_TRUE(reader.ok() && v4_reader.ok());
  // "GET /api/orders/83057 200 32ms" is its method, order id and status: the
  // message and path chunks take a fraction of what version 4 stores.
  const auto stored = [](const SegmentReader& r, std::string_view column) {
    uint64_t bytes = 0;
    for (const auto& group : r.footer().row_groups) {
      for (const auto& chunk : group.chunks) {
        if (r.footer().columns[chunk.column].name == column) bytes += chunk.stored_size;
      }
    }
    return bytes;
  };
  for (std::string_view column : {"message", "url.path"}) {
    EXPECT_LT(stored(**reader, column) * 2, stored(**v4_reader, column)) << column;
  }
  // Reading the message alone decodes what it refers to, and gives each
  // row's own text; so does reading the path alone.
  const std::vector<LogRecord> all = ReadAll(**reader);
  size_t row = 0;
  for (size_t g = 0; g < (*reader)->footer().row_groups.size(); ++g) {
    const std::vector<std::string> only = {"message", "url.path"};
    auto batch = (*reader)->ReadColumns(g, &only);
    ASSERT_TRUE(batch.ok()) << batch.status();
    const DecodedColumn* message = batch->Column(segment::kMessageColumn);
    const std::vector<const DecodedColumn*> paths = batch->Find("url.path");
    ASSERT_NE(message, nullptr);
    ASSERT_EQ(paths.size(), 1u);
    EXPECT_EQ(batch->columns.size(), 2u) << "columns referred to are not returned";
    for (size_t r = 0; r < batch->rows; ++r, ++row) {
      EXPECT_EQ(message->strings.Get(message->ValueIndex(r)), all[row].message);
      const uint32_t v = paths[0]->ValueIndex(r);
      const AttributeValue* path_value = all[row].FindAttribute("url.path");
      ASSERT_EQ(v == DecodedColumn::kNull, path_value == nullptr) << row;
      if (path_value != nullptr) {
        EXPECT_EQ(paths[0]->strings.Get(v), std::get<std::string>(*path_value));
      }
    }
  }
  EXPECT_EQ(row, records.size());
}

TEST_F(SegmentTest, SpansLieByTraceWithTheirIdsStoredAsRowReferences) {
  const std::vector<LogRecord> spans = testing::CompanySpanRecords(3000);
  ASSERT_GT(spans.size(), 12000u);
  // As spans are stored now, and as they were in version 5: by service.
  const std::string path = dir_ + "/spans.seg";
  const std::string v5_path = dir_ + "/spans5.seg";
  const SegmentWriterOptions options{
      .row_group_rows = 4096, .zstd_level = 3, .row_order = RowOrder::kTrace};
  const SegmentWriterOptions v5_options{.row_group_rows = 4096, .format_version = 5};
  ASSERT_TRUE(WriteSegment(Env::Default(), path, spans, options).ok());
  ASSERT_TRUE(WriteSegment(Env::Default(), v5_path, spans, v5_options).ok());
  auto reader = SegmentReader::Open(Env::Default(), path);
  auto v5_reader = SegmentReader::Open(Env::Default(), v5_path);
  ASSERT_TRUE(reader.ok() && v5_reader.ok());
  // Spans of one service may start at the same time: compared by span id.
  const auto by_span_id = [](std::vector<LogRecord> records) {
    records = Canonical(std::move(records));
    const auto span_id = [](const LogRecord& r) {
      return std::get<std::string>(*r.FindAttribute("span.id"));
    };
    std::sort(records.begin(), records.end(),
              [&](const LogRecord& a, const LogRecord& b) { return span_id(a) < span_id(b); });
    return records;
  };
  const std::vector<LogRecord> all = ReadAll(**reader);
  EXPECT_EQ(by_span_id(all), by_span_id(spans));
  EXPECT_EQ(by_span_id(ReadAll(**v5_reader)), by_span_id(spans));
  // Each trace's spans lie side by side, by start; traces by their first.
  std::map<std::string, size_t> last_row_of_trace;
  int64_t last_trace_start = 0;
  for (size_t row = 0; row < all.size(); ++row) {
    const std::string trace = std::get<std::string>(*all[row].FindAttribute("trace.id"));
    const auto [it, first] = last_row_of_trace.try_emplace(trace, row);
    if (first) {
      EXPECT_GE(all[row].timestamp_ns, last_trace_start) << row;
      last_trace_start = all[row].timestamp_ns;
    } else {
      EXPECT_EQ(it->second, row - 1) << "trace " << trace << " is split at row " << row;
      EXPECT_GE(all[row].timestamp_ns, all[row - 1].timestamp_ns) << row;
      it->second = row;
    }
  }
  // A trace id is stored about once a trace (4.3 spans), and of a span id
  // and its parent id one is stored as a row distance: the ids take about
  // half of what they took by service (zstd found some repeats there).
  const auto id_bytes = [](const SegmentReader& r) {
    return StoredBytes(r, "trace.id") + StoredBytes(r, "span.id") + StoredBytes(r, "parent.id");
  };
  EXPECT_LT(StoredBytes(**reader, "trace.id") * 2, StoredBytes(**v5_reader, "trace.id"));
  EXPECT_LT(id_bytes(**reader) * 10, id_bytes(**v5_reader) * 6);
  EXPECT_LT((*reader)->file_size(), (*v5_reader)->file_size());
  const auto per_span = [&spans](uint64_t bytes) {
    return static_cast<double>(bytes) / static_cast<double>(spans.size());
  };
  std::cout << "spans by trace: " << per_span((*reader)->file_size()) << " bytes/span, ids "
            << per_span(id_bytes(**reader))
            << " (by service: " << per_span((*v5_reader)->file_size()) << ", ids "
            << per_span(id_bytes(**v5_reader)) << ")\n";
  // Parent ids read alone decode whatever they refer to, and give each row
  // its own.
  size_t row = 0;
  for (size_t g = 0; g < (*reader)->footer().row_groups.size(); ++g) {
    const std::vector<std::string> only = {"parent.id", "trace.id"};
    auto batch = (*reader)->ReadColumns(g, &only);
    ASSERT_TRUE(batch.ok()) << batch.status();
    EXPECT_EQ(batch->columns.size(), 2u) << "columns referred to are not returned";
    const DecodedColumn* parents = batch->Find("parent.id")[0];
    for (size_t r = 0; r < batch->rows; ++r, ++row) {
      const AttributeValue* parent = all[row].FindAttribute("parent.id");
      const uint32_t v = parents->ValueIndex(r);
      ASSERT_EQ(v == DecodedColumn::kNull, parent == nullptr) << row;
      if (parent != nullptr) {
        EXPECT_EQ(parents->strings.Get(v), std::get<std::string>(*parent));
      }
    }
  }
  EXPECT_EQ(row, spans.size());
}

// An id column with a few values that are no ids (a span id someone's
// redaction rule masked, a 64-bit trace id among 128-bit ones) is stored
// as text, but its ids still refer to rows: before, a single such value in
// a row group cost that group's span and parent ids their row references.
TEST_F(SegmentTest, IdColumnsWithAFewOtherValuesStillReferToRows) {
  std::vector<LogRecord> spans = testing::CompanySpanRecords(2000);
  const SegmentWriterOptions options{
      .row_group_rows = 4096, .zstd_level = 3, .row_order = RowOrder::kTrace};
  // Spans of one service may start at the same time: ordered by their ids too.
  const auto in_order = [](std::vector<LogRecord> records) {
    records = Canonical(std::move(records));
    const auto key = [](const LogRecord& r) {
      return std::tuple(r.service, r.timestamp_ns,
                        std::get<std::string>(*r.FindAttribute("span.id")),
                        std::get<std::string>(*r.FindAttribute("trace.id")));
    };
    std::stable_sort(records.begin(), records.end(),
                     [&key](const LogRecord& a, const LogRecord& b) { return key(a) < key(b); });
    return records;
  };
  // The bytes of the three id columns once `records` are written.
  const auto id_bytes = [&](const std::vector<LogRecord>& records, const std::string& name) {
    const std::string path = dir_ + "/" + name;
    EXPECT_TRUE(WriteSegment(Env::Default(), path, records, options).ok());
    auto reader = SegmentReader::Open(Env::Default(), path);
    EXPECT_TRUE(reader.ok());
    EXPECT_EQ(in_order(ReadAll(**reader)), in_order(records)) << name;
    return StoredBytes(**reader, "span.id") + StoredBytes(**reader, "parent.id") +
           StoredBytes(**reader, "trace.id");
  };
  const uint64_t clean_bytes = id_bytes(spans, "clean.seg");
  for (size_t i = 0; i < spans.size(); i += 997) {
    for (Attribute& a : spans[i].attributes) {
      if (a.key == "span.id") a.value = std::string("************1111");
      if (a.key == "trace.id") a.value = std::string("4bf92f3577b34da6");
    }
  }
  const uint64_t odd_bytes = id_bytes(spans, "odd.seg");
  EXPECT_LT(odd_bytes, clean_bytes + clean_bytes / 10);
  std::cout << "id bytes a span: " << static_cast<double>(clean_bytes) / spans.size()
            << ", with an odd id in 997: " << static_cast<double>(odd_bytes) / spans.size() << "\n";
}

// A column that others refer to by row is read alone, so it must not be
// stored as templates, even where those would be smaller: here `id` is a
// copy of the row's `number` in 16 digits (one template, "{number}", would
// store it), and `previous.id` is the row before's `id` (a row distance).
// One odd value keeps `id` from being stored as hex, which templates never
// are; it is still mostly ids, so `previous.id` may refer to its rows.
TEST_F(SegmentTest, AColumnReferredToIsNoTemplate) {
  std::mt19937_64 random(11);
  std::vector<LogRecord> records;
  std::string previous;
  for (int i = 0; i < 8000; ++i) {
    const auto number =
        static_cast<int64_t>(1'000'000'000'000'000 + random() % 9'000'000'000'000'000);
    std::string id = i % 1000 == 999 ? "-" : StrCat(number);
    LogRecord r;
    r.timestamp_ns = 1'000'000'000LL * i;
    r.service = "shop-api";
    r.message = "GET /cart";
    if (!previous.empty()) r.attributes.push_back({"previous.id", previous});
    r.attributes.push_back({"id", id});
    r.attributes.push_back({"number", number});
    previous = std::move(id);
    records.push_back(std::move(r));
  }
  const std::string path = dir_ + "/referred.seg";
  ASSERT_TRUE(WriteSegment(Env::Default(), path, records, {.row_group_rows = 4096}).ok());
  auto reader = SegmentReader::Open(Env::Default(), path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(Canonical(ReadAll(**reader)), Canonical(records));
  for (size_t g = 0; g < (*reader)->footer().row_groups.size(); ++g) {
    const std::vector<std::string> only = {"previous.id"};
    auto batch = (*reader)->ReadColumns(g, &only);
    ASSERT_TRUE(batch.ok()) << batch.status();
  }
}

TEST_F(SegmentTest, LogRecordsUniqueIdsStayAsTheyWere) {
  // Log records' trace ids are mostly one a record: stored as bytes, as in
  // version 5, not as references that would not pay.
  const std::vector<LogRecord> records = CompanyRecords(6000);
  const std::string path = dir_ + "/logs.seg";
  const std::string v5_path = dir_ + "/logs5.seg";
  ASSERT_TRUE(WriteSegment(Env::Default(), path, records, {4096, 3}).ok());
  ASSERT_TRUE(WriteSegment(Env::Default(), v5_path, records, {4096, 3, 5}).ok());
  auto reader = SegmentReader::Open(Env::Default(), path);
  auto v5_reader = SegmentReader::Open(Env::Default(), v5_path);
  ASSERT_TRUE(reader.ok() && v5_reader.ok());
  EXPECT_EQ(StoredBytes(**reader, "trace.id"), StoredBytes(**v5_reader, "trace.id"));
  EXPECT_EQ(Canonical(ReadAll(**reader)), Canonical(records));
}

TEST_F(SegmentTest, SelectedRowsAloneAreMaterialized) {
  const std::string path = dir_ + "/sel.seg";
  ASSERT_TRUE(WriteSegment(Env::Default(), path, CompanyRecords(300), {100, 3}).ok());
  auto reader = SegmentReader::Open(Env::Default(), path);
  ASSERT_TRUE(reader.ok());
  auto all = (*reader)->ReadRowGroup(1);
  ASSERT_TRUE(all.ok());
  const std::vector<uint32_t> rows = {57, 3, 99};
  auto some = (*reader)->ReadRowGroup(1, nullptr, &rows);
  ASSERT_TRUE(some.ok()) << some.status();
  ASSERT_EQ(some->size(), 3u);
  for (size_t k = 0; k < rows.size(); ++k) EXPECT_EQ((*some)[k], (*all)[rows[k]]) << k;
  const std::vector<uint32_t> outside = {100};
  EXPECT_EQ((*reader)->ReadRowGroup(1, nullptr, &outside).status().code(),
            absl::StatusCode::kOutOfRange);
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

  // A damaged Bloom filter is found when the segment opens.
  const segment::ChunkMeta& service = footer->row_groups[2].chunks[5];
  ASSERT_GT(service.bloom_size, 0u);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(service.bloom_offset));
    f.put('\xff');
    f.put('\x00');
  }
  auto bad_filter = SegmentReader::Open(Env::Default(), path);
  EXPECT_EQ(bad_filter.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(bad_filter.status().message().find("column service.name filter: checksum mismatch"),
            absl::string_view::npos)
      << bad_filter.status();

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
  EXPECT_FALSE(WriteSegment(Env::Default(), path, std::vector<LogRecord>{}).ok());
}

}  // namespace
}  // namespace mayak

namespace mayak {
namespace {

// A search reads its filter's column, then the others for its hits alone:
// the rows asked for come out whole and exact, templated messages (which
// refer to other columns) included.
TEST_F(SegmentTest, ColumnsAddedForSomeRowsGiveThoseRowsWhole) {
  const std::vector<LogRecord> records = CompanyRecords(6000);
  const std::string path = dir_ + "/some.seg";
  ASSERT_TRUE(WriteSegment(Env::Default(), path, records, {4096, 3}).ok());
  auto reader = SegmentReader::Open(Env::Default(), path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  for (size_t g = 0; g < (*reader)->footer().row_groups.size(); ++g) {
    auto whole = (*reader)->ReadRowGroup(g);
    ASSERT_TRUE(whole.ok()) << whole.status();
    const std::vector<std::string> filter_columns = {"order.id"};
    ColumnBatch batch;
    ASSERT_TRUE((*reader)->AddColumns(g, &filter_columns, &batch).ok());
    std::vector<uint8_t> wanted(batch.rows, 0);
    for (size_t r = 0; r < batch.rows; r += 13) wanted[r] = 1;
    ASSERT_TRUE((*reader)->AddColumns(g, nullptr, &batch, true, &wanted).ok());
    size_t templated = 0;
    for (const DecodedColumn& c : batch.columns) templated += c.templated;
    EXPECT_GT(templated, 0u) << "the company's messages are stored as templates";
    for (size_t r = 0; r < batch.rows; r += 13) {
      EXPECT_EQ(Canonical({batch.Materialize(r)}), Canonical({(*whole)[r]})) << "row " << r;
    }
  }
}

TEST_F(SegmentTest, IntegerCodesKeptForAFilterBecomeValuesForTheRest) {
  const std::vector<LogRecord> records = CompanyRecords(6000);
  const std::string path = dir_ + "/codes.seg";
  ASSERT_TRUE(WriteSegment(Env::Default(), path, records, {4096, 3}).ok());
  auto reader = SegmentReader::Open(Env::Default(), path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  size_t coded = 0;
  for (size_t g = 0; g < (*reader)->footer().row_groups.size(); ++g) {
    auto whole = (*reader)->ReadRowGroup(g);
    ASSERT_TRUE(whole.ok()) << whole.status();
    const std::vector<std::string> filter_columns = {"http.response.status_code"};
    ColumnBatch batch;
    ASSERT_TRUE((*reader)->AddColumns(g, &filter_columns, &batch, true, nullptr, true).ok());
    for (const DecodedColumn& c : batch.columns) {
      if (!c.has_integer_codes) continue;
      ++coded;
      EXPECT_TRUE(c.ints.empty());
      EXPECT_EQ(c.integer_codes.codes.size(),
                c.value_of_row.empty()
                    ? batch.rows
                    : static_cast<size_t>(
                          std::count_if(c.value_of_row.begin(), c.value_of_row.end(),
                                        [](uint32_t v) { return v != DecodedColumn::kNull; })));
    }
    // The messages refer to the status ("GET /api/orders/83057 200 32ms"):
    // read next, they and every other column give the rows as written.
    ASSERT_TRUE((*reader)->AddColumns(g, nullptr, &batch).ok());
    for (const DecodedColumn& c : batch.columns) EXPECT_FALSE(c.has_integer_codes);
    for (size_t r = 0; r < batch.rows; ++r) {
      EXPECT_EQ(Canonical({batch.Materialize(r)}), Canonical({(*whole)[r]})) << "row " << r;
    }
  }
  EXPECT_GT(coded, 0u) << "statuses are few: stored as a dictionary";
}

}  // namespace
}  // namespace mayak
