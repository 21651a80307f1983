#include "agent/event_encoder.h"

#include "gtest/gtest.h"

namespace mayak::agent {
namespace {

TEST(EventEncoderTest, MayakLinesCarryAStableIdAndTheInputsFields) {
  OutputConfig output;
  EventEncoder encoder({{"system", "shop"}, {"service.name", "shop-api"}}, output,
                       MakeJsonParser());
  std::string out;
  TextEvent event{R"({"msg":"hi","system":"evil","@timestamp":"2026-12-07T10:00:00Z"})", 4096, 4200,
                  1, false};
  encoder.Encode(event, 0x0123456789abcdef, "/var/log/shop/app.log", 0, &out);
  EXPECT_EQ(out,
            R"({"_id":"0123456789abcdef-4096","msg":"hi","@timestamp":"2026-12-07T10:00:00Z",)"
            R"("system":"shop","service.name":"shop-api","log.file.path":"/var/log/shop/app.log",)"
            R"("log.offset":4096})"
            "\n");
}

TEST(EventEncoderTest, ElasticsearchGetsACreateActionWithTheIdAndTheIndex) {
  OutputConfig output;
  output.kind = OutputConfig::Kind::kElasticsearch;
  output.index = "logs-%{system}-%{team}";
  EventEncoder encoder({{"system", "CRM"}}, output, MakePlainParser());
  EXPECT_EQ(encoder.index(), "logs-crm-");
  std::string out;
  TextEvent event{"a\nb", 0, 4, 2, false};
  encoder.Encode(event, 1, "/x.log", 1796637600'000'000'000, &out);
  EXPECT_EQ(out, R"({"create":{"_index":"logs-crm-","_id":"0000000000000001-0"}})"
                 "\n"
                 R"({"message":"a\nb","@timestamp":"2026-12-07T10:00:00Z","system":"CRM",)"
                 R"("log.file.path":"/x.log","log.offset":0,"log.flags":"multiline"})"
                 "\n");
}

}  // namespace
}  // namespace mayak::agent
