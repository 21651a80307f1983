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

// The fragments an encoder keeps for a file follow the file: a rotated file
// read on under its new name, or another file of the same input.
TEST(EventEncoderTest, EachEventCarriesItsOwnFilesPathAndFingerprint) {
  OutputConfig output;
  EventEncoder encoder({{"system", "mes"}}, output, MakePlainParser());
  std::string out;
  const int64_t now = 1796637600'000'000'000;
  encoder.Encode(TextEvent{"one", 0, 4, 1, false}, 0xa, "/log/mes.log", now, &out);
  encoder.Encode(TextEvent{"two", 4, 8, 1, false}, 0xa, "/log/mes.log.1", now, &out);
  encoder.Encode(TextEvent{"three", 0, 6, 1, false}, 0xb, "/log/mes.log", now, &out);
  EXPECT_EQ(out,
            R"({"_id":"000000000000000a-0","message":"one","@timestamp":"2026-12-07T10:00:00Z",)"
            R"("system":"mes","log.file.path":"/log/mes.log","log.offset":0})"
            "\n"
            R"({"_id":"000000000000000a-4","message":"two","@timestamp":"2026-12-07T10:00:00Z",)"
            R"("system":"mes","log.file.path":"/log/mes.log.1","log.offset":4})"
            "\n"
            R"({"_id":"000000000000000b-0","message":"three","@timestamp":"2026-12-07T10:00:00Z",)"
            R"("system":"mes","log.file.path":"/log/mes.log","log.offset":0})"
            "\n");
}

}  // namespace
}  // namespace mayak::agent
