#include "pipeline/ingest_pipeline.h"

#include "common/config.h"
#include "common/config_options.h"
#include "gtest/gtest.h"

namespace mayak {
namespace {

std::unique_ptr<IngestPipeline> Make(PipelineOptions options) {
  auto pipeline = IngestPipeline::Create(std::move(options));
  EXPECT_TRUE(pipeline.ok()) << pipeline.status();
  return pipeline.ok() ? *std::move(pipeline) : nullptr;
}

TEST(IngestPipelineTest, JsonMessagesBecomeFields) {
  const auto pipeline = Make({});
  LogRecord record;
  record.message =
      R"( {"level":"error","msg":"payment failed","order":{"id":10442},"host.name":"inner"} )";
  record.attributes = {{"host.name", std::string("outer")}};
  pipeline->Process(&record);
  EXPECT_EQ(record.message, "payment failed");
  EXPECT_EQ(record.level, Level::kError);
  EXPECT_EQ(std::get<int64_t>(*record.FindAttribute("order.id")), 10442);
  EXPECT_EQ(std::get<std::string>(*record.FindAttribute("host.name")), "outer");  // kept

  // Not JSON, or not an object, or switched off: the message stays.
  for (const char* text : {"{not json}", "[1,2]", "{\"a\":1} trailing"}) {
    LogRecord plain;
    plain.message = text;
    pipeline->Process(&plain);
    EXPECT_EQ(plain.message, text);
  }
  PipelineOptions no_expansion;
  no_expansion.expand_json_messages = false;
  const auto off = Make(no_expansion);
  LogRecord kept;
  kept.message = R"({"msg":"x"})";
  off->Process(&kept);
  EXPECT_EQ(kept.message, R"({"msg":"x"})");
}

TEST(IngestPipelineTest, RoutesSetTheSystemFirstMatchWins) {
  PipelineOptions options;
  options.routes = {{"zz-first", "service.name", "postgres*", "postgres"},
                    {"aa-second", "service.name", "*", "catch-all"},
                    {"never", "host.name", "x", "never"}};
  const auto pipeline = Make(options);
  LogRecord pg;
  pg.service = "postgres-14";
  pg.system = "shop";
  pipeline->Process(&pg);
  EXPECT_EQ(pg.system, "postgres");  // over what the protocol chose
  LogRecord other;
  other.service = "crm";
  pipeline->Process(&other);
  EXPECT_EQ(other.system, "catch-all");

  PipelineOptions by_number;
  by_number.routes = {{"errors", "http.response.status_code", "5*", ""}};
  const auto numbers = Make(by_number);
  LogRecord failed;
  failed.attributes = {{"http.response.status_code", int64_t{503}}};
  numbers->Process(&failed);
  EXPECT_EQ(failed.system, "errors");  // the rule's name

  PipelineOptions no_field;
  no_field.routes = {{"r", "", "*", "x"}};
  EXPECT_FALSE(IngestPipeline::Create(no_field).ok());
  PipelineOptions bad_system;
  bad_system.routes = {{"r", "host.name", "*", "Not A System!"}};
  auto bad = IngestPipeline::Create(bad_system);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("rule 'r'"), absl::string_view::npos);
}

TEST(IngestPipelineTest, RoutesFromTheConfigurationKeepTheirOrder) {
  auto config = Config::Load("", [](const char* name) -> const char* {
    return std::string_view(name) == "MAYAK_PIPELINE_ROUTES"
               ? "{zeta: {field: a, pattern: '1'}, alpha: {field: b}}"
               : nullptr;
  });
  ASSERT_TRUE(config.ok()) << config.status();
  const NamedMaps& routes = config->GetNamedMaps(options::kPipelineRoutes);
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0].first, "zeta");
  EXPECT_EQ(routes[1].first, "alpha");
}

TEST(IngestPipelineTest, RedactionRunsAfterExpansion) {
  const auto pipeline = Make({});
  LogRecord record;
  record.message = R"({"msg":"login","password":"hunter2","user":{"email":"jane@example.com"}})";
  EXPECT_NE(pipeline->Process(&record), 0u);
  EXPECT_EQ(std::get<std::string>(*record.FindAttribute("password")), "[REDACTED]");
  EXPECT_EQ(std::get<std::string>(*record.FindAttribute("user.email")), "j***@example.com");
}

}  // namespace
}  // namespace mayak
