#include "storage/row_group_pruner.h"

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "loadgen/company_logs.h"
#include "pipeline/ndjson_decoder.h"
#include "storage/segment_writer.h"
#include "support/segment_files.h"

namespace mayak {
namespace {

class RowGroupPrunerTest : public ::testing::Test {
 protected:
  std::unique_ptr<SegmentReader> Write(std::vector<LogRecord> records, size_t group_rows) {
    return segments_.Write(std::move(records), group_rows);
  }

  struct Outcome {
    size_t kept = 0;
    size_t matches = 0;
  };
  // Checks every group the pruner skips has no match, and counts the groups
  // kept and the matching rows.
  static Outcome Prune(const SegmentReader& reader, std::string_view query) {
    auto filter = Filter::Parse(query);
    EXPECT_TRUE(filter.ok()) << filter.status();
    const RowGroupPruner pruner(&*filter);
    Outcome outcome;
    for (size_t g = 0; g < reader.footer().row_groups.size(); ++g) {
      auto rows = reader.ReadRowGroup(g);
      EXPECT_TRUE(rows.ok());
      size_t matches = 0;
      for (const LogRecord& r : *rows) matches += filter->Matches(r) ? 1 : 0;
      outcome.matches += matches;
      if (pruner.MayMatch(reader, g)) {
        ++outcome.kept;
      } else {
        EXPECT_EQ(matches, 0u) << query << ": group " << g << " skipped but has matches";
      }
    }
    return outcome;
  }

  testing::SegmentFiles segments_;
};

TEST_F(RowGroupPrunerTest, NeedlesSkipAlmostEveryGroupAndMissNothing) {
  CompanyLogGenerator generator({});
  std::string ndjson;
  for (int i = 0; i < 20000; ++i) generator.NextNdjson(&ndjson);
  std::vector<LogRecord> records = NdjsonDecoder(1 << 20).Decode(ndjson, 1).records;
  // A needle value of a field, and a word of a message, taken from the data.
  std::string order_id;
  std::string service;
  for (const LogRecord& r : records) {
    if (const AttributeValue* v = r.FindAttribute("order.id"); v != nullptr) {
      order_id = std::visit(
          [](const auto& x) {
            if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::string>) {
              return x;
            } else {
              return std::to_string(x);
            }
          },
          *v);
      service = r.service;
    }
  }
  ASSERT_FALSE(order_id.empty());
  auto reader = Write(records, 500);
  const size_t groups = reader->footer().row_groups.size();
  ASSERT_EQ(groups, 40u);

  const Outcome needle = Prune(*reader, "order.id:" + order_id);
  EXPECT_GE(needle.matches, 1u);
  EXPECT_LE(needle.kept, 4u) << "a needle should need very few of " << groups << " groups";

  const Outcome both = Prune(*reader, "service.name:" + service + " and order.id:" + order_id);
  EXPECT_GE(both.matches, 1u);
  EXPECT_LE(both.kept, needle.kept);

  const Outcome absent = Prune(*reader, "zzqqxxnotaword");
  EXPECT_EQ(absent.matches, 0u);
  EXPECT_LE(absent.kept, 2u);

  const Outcome no_field = Prune(*reader, "no.such.field:*");
  EXPECT_EQ(no_field.kept, 0u);

  // Measurements have no Bloom filter (they are searched by range), so an
  // exact duration keeps every group its range allows, and is still found.
  std::optional<int64_t> duration;
  for (const LogRecord& r : records) {
    if (const AttributeValue* v = r.FindAttribute("event.duration"); v != nullptr) {
      duration = std::get<int64_t>(*v);
      break;
    }
  }
  ASSERT_TRUE(duration.has_value());
  const Outcome measured = Prune(*reader, "event.duration:" + std::to_string(*duration));
  EXPECT_GE(measured.matches, 1u);
  EXPECT_GT(measured.kept, groups / 2);
  for (size_t g = 0; g < groups; ++g) {
    for (size_t c = 0; c < reader->footer().row_groups[g].chunks.size(); ++c) {
      const uint32_t column = reader->footer().row_groups[g].chunks[c].column;
      const std::string& name = reader->footer().columns[column].name;
      if (name == "event.duration") {
        EXPECT_TRUE(reader->bloom(g, c).empty());
      } else if (name == "order.id") {
        EXPECT_FALSE(reader->bloom(g, c).empty());
      }
    }
  }

  // Terms pruning cannot judge keep everything, and still miss nothing.
  EXPECT_EQ(Prune(*reader, "log.level:error").kept, groups);
  EXPECT_EQ(Prune(*reader, "").kept, groups);
  Prune(*reader, "http.response.status_code:500");
  Prune(*reader, "\"payment declined\"");
}

TEST_F(RowGroupPrunerTest, NumberRangesSkipGroupsOutsideThem) {
  std::vector<LogRecord> records(1000);
  for (int i = 0; i < 1000; ++i) {
    records[i].timestamp_ns = i;
    records[i].message = "tick";
    records[i].attributes = {{"n", int64_t{i}}, {"ratio", i / 1000.0}};
    if (i >= 900) records[i].attributes.push_back({"late", std::string("Yes")});
  }
  auto reader = Write(records, 100);
  EXPECT_EQ(Prune(*reader, "n:450").kept, 1u);
  EXPECT_EQ(Prune(*reader, "n:450.0").kept, 1u);
  EXPECT_EQ(Prune(*reader, "n:5000").kept, 0u);
  EXPECT_EQ(Prune(*reader, "n:many").kept, 0u);
  EXPECT_EQ(Prune(*reader, "ratio:0.25").kept, 1u);
  EXPECT_EQ(Prune(*reader, "late:Yes").kept, 1u);
  EXPECT_EQ(Prune(*reader, "late:*").kept, 1u);
  EXPECT_EQ(Prune(*reader, "late:No").kept, 0u);
  EXPECT_EQ(Prune(*reader, "late:YES").kept, 0u) << "exact values are case-sensitive";
  // Ranges prune by the groups' number ranges; or keeps what either side
  // keeps, and keeps everything under not.
  EXPECT_EQ(Prune(*reader, "n >= 950").kept, 1u);
  EXPECT_EQ(Prune(*reader, "n > 899").kept, 1u);
  EXPECT_EQ(Prune(*reader, "n < 100").kept, 1u);
  EXPECT_EQ(Prune(*reader, "n <= 100").kept, 2u);
  EXPECT_EQ(Prune(*reader, "n > 5000").kept, 0u);
  EXPECT_EQ(Prune(*reader, "ratio > 0.95").kept, 1u);
  EXPECT_EQ(Prune(*reader, "n > 950 or n < 50").kept, 2u);
  EXPECT_EQ(Prune(*reader, "n:450 or late:Yes").kept, 2u);
  EXPECT_EQ(Prune(*reader, "n:450 and late:Yes").kept, 0u);
  EXPECT_EQ(Prune(*reader, "not n:450").kept, 10u);
  EXPECT_EQ(Prune(*reader, "late:Y*").kept, 1u) << "a wildcard needs the field";
  EXPECT_EQ(Prune(*reader, "n > x").kept, 0u) << "numbers never compare with text";
}

}  // namespace
}  // namespace mayak
