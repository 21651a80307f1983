#include "loadgen/company_logs.h"

#include <map>

#include "gtest/gtest.h"
#include "pipeline/ndjson_decoder.h"

namespace mayak {
namespace {

std::string Generate(uint64_t seed, int records) {
  CompanyLogGenerator generator({seed, 1'795'478'400LL * 1'000'000'000, 2000});
  std::string out;
  for (int i = 0; i < records; ++i) generator.NextNdjson(&out);
  return out;
}

TEST(CompanyLogGeneratorTest, SameSeedSameBytes) {
  EXPECT_EQ(Generate(7, 500), Generate(7, 500));
  EXPECT_NE(Generate(7, 500), Generate(8, 500));
}

TEST(CompanyLogGeneratorTest, EveryLineIsAValidRecordOfTheCompany) {
  const int kRecords = 20000;
  const std::string ndjson = Generate(1, kRecords);
  NdjsonDecoder decoder(1 << 20);
  DecodedBatch batch = decoder.Decode(ndjson, 0);
  ASSERT_TRUE(batch.errors.empty()) << batch.errors[0].reason;
  ASSERT_EQ(batch.records.size(), static_cast<size_t>(kRecords));

  std::map<std::string, int> per_system;
  std::map<std::string, int> per_action;
  int64_t previous = 0;
  for (const LogRecord& r : batch.records) {
    per_system[r.system]++;
    if (const auto* action = r.FindAttribute("event.action")) {
      per_action[std::get<std::string>(*action)]++;
    }
    EXPECT_GE(r.timestamp_ns, previous) << "time only moves forward";
    previous = r.timestamp_ns;
    EXPECT_NE(r.level, Level::kUnset);
  }
  for (const char* system : {"shop", "crm", "mes", "postgres", "rabbitmq"}) {
    EXPECT_GT(per_system[system], 0) << system;
  }
  for (const char* action : {"http.request", "http.error", "order.status_changed", "db.slow_query",
                             "amqp.dead_lettered"}) {
    EXPECT_GT(per_action[action], 0) << action;
  }
  // 2000 records a second of simulated time: 20000 take about ten seconds.
  const double span_seconds = static_cast<double>(previous - batch.records[0].timestamp_ns) / 1e9;
  EXPECT_NEAR(span_seconds, 10.0, 1.0);
  const double mean_line = static_cast<double>(ndjson.size()) / kRecords;
  EXPECT_GT(mean_line, 300);
  EXPECT_LT(mean_line, 550);
}

TEST(CompanyLogGeneratorTest, NginxLinesAreCombinedFormat) {
  CompanyLogGenerator generator({3, 1'795'478'400LL * 1'000'000'000, 10});
  std::string line;
  generator.NextNginx(&line);
  EXPECT_NE(line.find(" - - [24/Nov/2026:00:00:"), std::string::npos) << line;
  EXPECT_NE(line.find(" HTTP/1.1\" "), std::string::npos) << line;
  EXPECT_EQ(line.back(), '\n');
}

}  // namespace
}  // namespace mayak
