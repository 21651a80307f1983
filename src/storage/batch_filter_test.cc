#include "storage/batch_filter.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "loadgen/company_logs.h"
#include "pipeline/ndjson_decoder.h"
#include "storage/segment_reader.h"
#include "storage/segment_writer.h"
#include "support/segment_files.h"
#include "support/varied_records.h"

namespace mayak {
namespace {

class BatchFilterTest : public ::testing::Test {
 protected:
  std::unique_ptr<SegmentReader> Write(std::vector<LogRecord> records, size_t group_rows) {
    return segments_.Write(std::move(records), group_rows);
  }

  // Checks ApplyFilter picks exactly the rows Filter::Matches picks, reading
  // only the filter's columns, with integer dictionaries as values and as
  // codes (as searches read them); returns how many matched.
  size_t ExpectSameRows(const SegmentReader& reader, std::string_view query) {
    auto filter = Filter::Parse(query);
    EXPECT_TRUE(filter.ok()) << query << ": " << filter.status();
    if (!filter.ok()) return 0;
    std::vector<std::string> columns;
    for (const FilterTerm& t : filter->terms()) {
      columns.push_back(t.field.empty() ? std::string(field::kMessage) : t.field);
    }
    size_t matched = 0;
    for (size_t g = 0; g < reader.footer().row_groups.size(); ++g) {
      auto records = reader.ReadRowGroup(g);
      auto batch = reader.ReadColumns(g, &columns);
      EXPECT_TRUE(records.ok() && batch.ok());
      if (!records.ok() || !batch.ok()) return 0;
      ColumnBatch coded;
      const absl::Status read =
          reader.AddColumns(g, &columns, &coded, true, nullptr, /*integer_codes=*/true);
      EXPECT_TRUE(read.ok()) << read;
      for (const DecodedColumn& c : coded.columns) columns_with_codes_ += c.has_integer_codes;
      std::vector<uint8_t> match(batch->rows, 1);
      std::vector<uint8_t> coded_match(batch->rows, 1);
      ApplyFilter(*filter, *batch, &match);
      ApplyFilter(*filter, coded, &coded_match);
      for (size_t r = 0; r < batch->rows; ++r) {
        const bool expected = filter->Matches((*records)[r]);
        EXPECT_EQ(match[r] != 0, expected) << query << ": group " << g << " row " << r;
        EXPECT_EQ(coded_match[r] != 0, expected)
            << query << " (codes): group " << g << " row " << r;
        matched += expected;
      }
    }
    return matched;
  }

  testing::SegmentFiles segments_;
  size_t columns_with_codes_ = 0;  // filtered columns read as integer codes
};

TEST_F(BatchFilterTest, AgreesWithRecordMatchingOnEveryKindOfTerm) {
  auto reader = Write(testing::VariedRecords(3000), 256);
  const std::vector<std::string> queries = {
      "",
      "deadlock",
      "DEADLOCK",
      "dead lock",
      "\"connection refused\"",
      "\"refused connection\"",
      "über",
      "a_b",
      "42",
      "order shipped",
      "message:timeout",
      "message:*",
      "order.id:7",
      "order.id:7.0",
      "order.id:x",
      "order.id:*",
      "user.id:3",
      "user.id:*",
      "ratio:0.5",
      "ratio:*",
      "cached:true",
      "cached:false",
      "cached:*",
      "path:/api/3",
      "path:/API/3",
      "service.name:api",
      "service.name:*",
      "service.name:\"\"",
      "system:shop",
      "log.level:error",
      "log.level:ERROR",
      "log.level:*",
      "no.such:*",
      "no.such:1",
      "service.name:worker and log.level:warn and deadlock",
      "order.id:3 and cached:true and path:*",
      // or, not, parentheses, value lists
      "deadlock or order.id:7",
      "not deadlock",
      "not order.id:*",
      "not (log.level:error or cached:true)",
      "(order.id:3 or order.id:7) and not cached:false",
      "order.id:(3 or 7 or x)",
      "order.id:(3 or 7 or 7.0 or 9)",
      "path:(/api/3 or /api/5 or /api/none)",
      "path:/api/3 or path:/api/5",
      "service.name:(api or \"\")",
      "user.id:(3 or 7 or 11)",
      "token:(1 or 2 or 3)",
      "log.level:(warn or ERROR)",
      "cached:(true or false)",
      "ratio:(0.5 or 1.5)",
      "path:/api/3 or order.id:7",
      "log.level:(warn or error) and not service.name:worker",
      "not not ratio:*",
      // ranges, wildcards
      "order.id > 5",
      "order.id <= 3",
      "order.id >= 2.5",
      "ratio < 0.5",
      "ratio >= 0.5 or order.id < 1",
      "path > /api/5",
      "cached > 0",
      "log.level > info",
      "@timestamp >= 1000",
      "path:/api/*",
      "path:*3",
      "service.name:w*",
      "dead*",
      "message:CONN*",
      "log.level:e*",
      "message > m",
  };
  size_t matched = 0;
  for (const std::string& q : queries) matched += ExpectSameRows(*reader, q);
  EXPECT_GT(matched, 3000u) << "queries should match a good share of rows";
  EXPECT_GT(columns_with_codes_, 0u) << "order.id is read as dictionary codes";
}

TEST_F(BatchFilterTest, AgreesOnCompanyLogs) {
  CompanyLogGenerator generator({});
  std::string ndjson;
  for (int i = 0; i < 5000; ++i) generator.NextNdjson(&ndjson);
  auto reader = Write(NdjsonDecoder(1 << 20).Decode(ndjson, 1).records, 1000);
  EXPECT_GT(ExpectSameRows(*reader, "http.response.status_code:500"), 0u);
  EXPECT_GT(columns_with_codes_, 0u) << "statuses are read as dictionary codes";
  EXPECT_EQ(ExpectSameRows(*reader, "http.response.status_code:299"), 0u) << "no such status";
  EXPECT_GT(ExpectSameRows(*reader, "http.response.status_code:(299 or 404)"), 0u);
  EXPECT_GT(ExpectSameRows(*reader, "not http.response.status_code:200"), 0u);
  EXPECT_GT(ExpectSameRows(*reader, "log.level:error and service.name:*"), 0u);
  ExpectSameRows(*reader, "deadlock");
  ExpectSameRows(*reader, "\"payment declined\"");
  ExpectSameRows(*reader, "error.stack_trace:*");
  EXPECT_GT(
      ExpectSameRows(*reader, "http.response.status_code >= 400 and not url.path:/api/orders*"),
      0u);
  EXPECT_GT(ExpectSameRows(*reader, "event.duration > 100ms or service.name:(mes-orders)"), 0u);
}

}  // namespace
}  // namespace mayak
