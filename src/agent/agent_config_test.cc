#include "agent/agent_config.h"

#include "gtest/gtest.h"

namespace mayak::agent {
namespace {

TEST(AgentConfigTest, ReadsTheIssuesExample) {
  auto config = ParseAgentConfig(R"(
inputs:
  - type: file
    paths: [/var/log/shop/*.log]
    parser: json
    fields: { system: shop, service.name: shop-api }
    multiline: { start: '^\d{4}-\d{2}-\d{2}' }
  - type: postgresql
    paths: [/var/log/postgresql/*.log]
    slow_query_ms: 500
  - type: rabbitmq
    url: amqp://guest:guest@127.0.0.1:5672/
    queues: [dead-letters]
output:
  mayak: { url: http://127.0.0.1:7011/, api_key: k1 }
)");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->files.size(), 2u);
  const FileInputConfig& shop = config->files[0];
  EXPECT_EQ(shop.name, "inputs[0]");
  EXPECT_EQ(shop.paths, std::vector<std::string>{"/var/log/shop/*.log"});
  EXPECT_EQ(shop.format, LineFormat::kJson);
  EXPECT_EQ(shop.multiline.start, R"(^\d{4}-\d{2}-\d{2})");
  EXPECT_FALSE(shop.start_at_end);
  ASSERT_EQ(shop.fields.size(), 2u);
  EXPECT_EQ(shop.fields[1], (std::pair<std::string, std::string>{"service.name", "shop-api"}));
  const FileInputConfig& postgres = config->files[1];
  EXPECT_EQ(postgres.format, LineFormat::kPostgresql);
  EXPECT_EQ(postgres.postgresql.slow_query_ms, 500);
  EXPECT_FALSE(postgres.multiline.start.empty()) << "entries group their DETAIL lines";
  EXPECT_EQ(postgres.fields[0], (std::pair<std::string, std::string>{"system", "postgres"}));
  ASSERT_EQ(config->rabbitmq.size(), 1u);
  EXPECT_EQ(config->rabbitmq[0].queues, std::vector<std::string>{"dead-letters"});
  EXPECT_EQ(config->output.kind, OutputConfig::Kind::kMayak);
  EXPECT_EQ(config->output.url, "http://127.0.0.1:7011");
  EXPECT_EQ(config->output.api_key, "k1");
  EXPECT_EQ(config->output.compression, OutputConfig::Compression::kZstd);
  EXPECT_TRUE(config->metrics.enabled);
  EXPECT_EQ(config->metrics.port, 7012);
  EXPECT_EQ(config->registry_flush_ns, 1'000'000'000);
  EXPECT_EQ(config->queue_bytes, 8u << 20);
}

TEST(AgentConfigTest, ElasticsearchOutputAndOptions) {
  auto config = ParseAgentConfig(R"(
data_dir: /tmp/x
queue_bytes: 4MiB
registry_flush: 0s
metrics: off
inputs:
  - {type: file, paths: a.log, start_at: end, parser: nginx, close_inactive: 2s,
     exclude: ['*.gz'], max_line_bytes: 4KiB}
output:
  elasticsearch: {url: 'https://es:9200', index: 'logs-%{system}', username: u, password: p}
  batch_bytes: 64KiB
  batch_wait: 50ms
)");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->data_dir, "/tmp/x");
  EXPECT_EQ(config->queue_bytes, 4u << 20);
  EXPECT_EQ(config->registry_flush_ns, 0);
  EXPECT_FALSE(config->metrics.enabled);
  EXPECT_TRUE(config->files[0].start_at_end);
  EXPECT_EQ(config->files[0].format, LineFormat::kNginx);
  EXPECT_EQ(config->files[0].close_inactive_ns, 2'000'000'000);
  EXPECT_EQ(config->files[0].max_line_bytes, 4096u);
  EXPECT_EQ(config->output.kind, OutputConfig::Kind::kElasticsearch);
  EXPECT_EQ(config->output.compression, OutputConfig::Compression::kGzip);
  EXPECT_EQ(config->output.batch_bytes, 65536u);
  EXPECT_EQ(config->output.batch_wait_ns, 50'000'000);
}

TEST(AgentConfigTest, ErrorsNameTheKeyAndTheFix) {
  struct Case {
    const char* yaml;
    const char* says;
  };
  const Case cases[] = {
      {"inputs: []\noutput: {mayak: {url: http://x}}", "inputs: is required"},
      {"inputs: [{type: file}]\noutput: {mayak: {url: http://x}}", "inputs[0].paths: is required"},
      {"inputs: [{type: file, paths: a, parser: xml}]\noutput: {mayak: {url: http://x}}",
       "inputs[0].parser: 'xml' is not a parser"},
      {"inputs: [{type: file, paths: a, parser: regex}]\noutput: {mayak: {url: http://x}}",
       "inputs[0].pattern: the regex parser needs a pattern"},
      {"inputs: [{type: file, paths: a, parser: regex, pattern: '(\\w+)'}]\n"
       "output: {mayak: {url: http://x}}",
       "name its groups"},
      {"inputs: [{type: file, paths: a, multiline: {start: '('}}]\noutput: {mayak: {url: "
       "http://x}}",
       "inputs[0].multiline.start: not a regular expression"},
      {"inputs: [{type: file, paths: a, pathz: b}]\noutput: {mayak: {url: http://x}}",
       "inputs[0].pathz: unknown key"},
      {"inputs: [{type: syslog}]\noutput: {mayak: {url: http://x}}",
       "inputs[0].type: 'syslog' is not an input type"},
      {"inputs: [{type: file, paths: a}]", "output: is required"},
      {"inputs: [{type: file, paths: a}]\noutput: {mayak: {url: x:1}}",
       "output.mayak.url: 'x:1' is not an http:// or https:// address"},
      {"inputs: [{type: file, paths: a}]\noutput: {mayak: {url: 'http://x'}, "
       "elasticsearch: {url: 'http://y'}}",
       "output: name exactly one of mayak or elasticsearch"},
      {"inputs: [{type: postgresql, paths: a, log_line_prefix: '%Z '}]\n"
       "output: {mayak: {url: http://x}}",
       "inputs[0].log_line_prefix: log_line_prefix: '%Z' is not an escape"},
      {"inputs: [{type: rabbitmq, url: 'amqp://h', queues: []}]\noutput: {mayak: {url: http://x}}",
       "inputs[0].queues: is required"},
      {"inputs: [{type: file, paths: a, close_inactive: soon}]\noutput: {mayak: {url: http://x}}",
       "inputs[0].close_inactive: 'soon' is not a duration"},
      {"inputs: [{type: rabbitmq, url: 'amqp://h', queues: [dl], republish_to: dl}]\n"
       "output: {mayak: {url: http://x}}",
       "inputs[0].republish_to: must not be one of the queues read"},
      {"inputs: [\n", "not YAML: line"},
  };
  for (const Case& c : cases) {
    auto config = ParseAgentConfig(c.yaml);
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_NE(std::string(config.status().message()).find(c.says), std::string::npos)
        << config.status() << "\nwanted: " << c.says;
  }
}

}  // namespace
}  // namespace mayak::agent
