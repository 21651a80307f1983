#include "common/config.h"

#include <fstream>
#include <map>
#include <sstream>

#include "common/config_options.h"
#include "common/status_macros.h"
#include "gtest/gtest.h"
#include "support/temp_dir.h"

namespace mayak {
namespace {

const char* NoEnv(const char*) { return nullptr; }

// Each test gets its own directory: CTest runs these tests as parallel
// processes, and a shared file name let one test read another's YAML.
class ConfigFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& yaml) {
    std::ofstream(path_, std::ios::trunc) << yaml;
    return path_;
  }

  mayak::testing::TempDir dir_;
  std::string path_ = dir_.path() + "/mayak.yaml";
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(ConfigTest, EveryDefaultParsesAndHasDocumentation) {
  Config config;  // aborts if a default does not parse
  for (const OptionSpec* spec : AllOptions()) {
    EXPECT_FALSE(spec->doc.empty()) << spec->FullName();
    EXPECT_TRUE(ParseOptionValue(*spec, spec->default_text).ok()) << spec->FullName();
  }
  EXPECT_EQ(config.GetListenAddress(options::kListenApi).ToString(), "127.0.0.1:7011");
  EXPECT_EQ(config.GetListenAddress(options::kListenJaeger).port, 16686);
  EXPECT_EQ(config.GetByteSize(options::kMaxBody), 100'000'000);
  EXPECT_EQ(config.GetString(options::kDataDir), "./data");
}

TEST(ConfigTest, MisspelledOptionVariablesAreFound) {
  EXPECT_EQ(
      UnknownOptionVariables({"MAYAK_LIMITS_MAX_BODY", "MAYAK_LIMITS_MAX_BODYY", "MAYAK_SERVER",
                              "MAYAK_BIN", "MAYAK_ARCHIVE_S3_BUCKET", "MAYAK_ARCHIVE_S3_BUKET",
                              "MAYAK_STORAGE_", "PATH", "MAYAK_SERVER_IO_THREAD"}),
      (std::vector<std::string>{"MAYAK_LIMITS_MAX_BODYY", "MAYAK_ARCHIVE_S3_BUKET",
                                "MAYAK_SERVER_IO_THREAD"}));
}

TEST(ConfigTest, EnvironmentNamesFollowSectionAndKey) {
  EXPECT_EQ(options::kMaxBody.EnvName(), "MAYAK_LIMITS_MAX_BODY");
  EXPECT_EQ(options::kListenOtlpHttp.EnvName(), "MAYAK_LISTENERS_OTLP_HTTP");
}

TEST_F(ConfigFileTest, FileThenEnvironmentThenFlags) {
  const std::string path = Write(
      "server:\n  data_dir: /srv/mayak\n  io_threads: 4\nlisteners:\n  api: 0.0.0.0:8000\n"
      "  syslog: off\nlimits:\n  max_body: 2.5GiB\n");
  const std::map<std::string, std::string> env = {{"MAYAK_SERVER_IO_THREADS", "8"}};
  auto config = Config::Load(path, [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->GetString(options::kDataDir), "/srv/mayak");
  EXPECT_EQ(config->GetInt(options::kIoThreads), 8);  // environment beats file
  EXPECT_EQ(config->GetListenAddress(options::kListenApi).ToString(), "0.0.0.0:8000");
  EXPECT_FALSE(config->GetListenAddress(options::kListenSyslog).enabled);
  EXPECT_EQ(config->GetByteSize(options::kMaxBody), 2'684'354'560);
  ASSERT_TRUE(config->Set(options::kDataDir, "/tmp/x", "--data-dir").ok());
  EXPECT_EQ(config->GetString(options::kDataDir), "/tmp/x");
}

TEST_F(ConfigFileTest, ErrorsNameFileLineAndKey) {
  struct Case {
    std::string yaml;
    std::string expected;
  };
  const Case cases[] = {
      {"server:\n  data_dir: x\n  colour: blue\n",
       ":3: unknown key 'server.colour' (known in server: data_dir, io_threads"},
      {"servers:\n  data_dir: x\n", ":1: unknown section 'servers' (known: server, listeners"},
      {"limits:\n  max_body: lots\n", ":2: limits.max_body: 'lots' is not a size"},
      {"server:\n  io_threads: 0\n", ":2: server.io_threads: 0 is out of range [1, 256]"},
      {"server:\n  io_threads: two\n", ":2: server.io_threads: 'two' is not an integer"},
      {"listeners:\n  api: 7011\n", ":2: listeners.api: '7011' is not HOST:PORT"},
      {"listeners:\n  api: localhost:99999\n", "port '99999' is not a number from 0 to 65535"},
      {"server:\n  log_level: loud\n", ":2: server.log_level: 'loud' is not one of debug, info"},
      {"limits:\n  max_body: [1, 2]\n", ":2: limits.max_body expects a single size"},
      {"server: [1\n", ": invalid YAML"},
      {"retention:\n  systems:\n    shop: {cap: lots}\n",
       ":3: retention.systems: system 'shop': retention.cap: 'lots' is not a size"},
      {"retention:\n  systems:\n    shop:\n      colour: red\n",
       ":4: retention.systems: unknown key 'colour' for system 'shop' (known: hot_days, "
       "archive_days, cap)"},
      {"retention:\n  systems: [shop]\n", ":2: retention.systems: expects a mapping"},
      {"retention:\n  systems: {shop: 14}\n", "'shop' expects a mapping such as {hot_days"},
      {"- just\n- a list\n", ": expected a mapping of sections"},
      {"limits:\n  {a: b}: 1\n", ":2: a key of section 'limits' must be plain text"},
      {"[server]: {}\n", ":1: a section name must be plain text"},
      {"retention:\n  systems:\n    {shop: 1}: {cap: 1GB}\n",
       ":3: retention.systems: a system name must be plain text"},
  };
  for (const Case& c : cases) {
    const std::string path = Write(c.yaml);
    auto config = Config::Load(path, NoEnv);
    ASSERT_FALSE(config.ok()) << c.yaml;
    const std::string message(StatusMessage(config.status()));
    EXPECT_EQ(message.rfind(path, 0), 0u) << message;
    EXPECT_NE(message.find(c.expected), std::string::npos)
        << message << " (wanted: " << c.expected << ")";
  }
}

TEST_F(ConfigFileTest, PerSystemOverridesFromFileAndEnvironment) {
  auto config =
      Config::Load(Write("retention:\n  cap: 1GB\n  systems:\n    shop: {cap: 50GB, hot_days: 14}\n"
                         "    mes:\n      archive_days: 30\n"),
                   NoEnv);
  ASSERT_TRUE(config.ok()) << config.status();
  const Overrides& overrides = config->GetOverrides(options::kRetentionSystems);
  ASSERT_EQ(overrides.size(), 2u);
  EXPECT_EQ(overrides.at("shop").at("cap"), 50'000'000'000);
  EXPECT_EQ(overrides.at("shop").at("hot_days"), 14);
  EXPECT_EQ(overrides.at("mes").at("archive_days"), 30);
  EXPECT_EQ(config->GetByteSize(options::kCap), 1'000'000'000);
  EXPECT_TRUE(Config().GetOverrides(options::kRetentionSystems).empty());

  auto from_env = Config::Load("", [](const char* name) -> const char* {
    return std::string_view(name) == "MAYAK_RETENTION_SYSTEMS" ? "{crm: {hot_days: 7}}" : nullptr;
  });
  ASSERT_TRUE(from_env.ok()) << from_env.status();
  EXPECT_EQ(from_env->GetOverrides(options::kRetentionSystems).at("crm").at("hot_days"), 7);
  auto bad_env = Config::Load("", [](const char* name) -> const char* {
    return std::string_view(name) == "MAYAK_RETENTION_SYSTEMS" ? "{crm: {hot_days: 0}}" : nullptr;
  });
  EXPECT_NE(StatusMessage(bad_env.status()).find("retention.hot_days: 0 is out of range"),
            std::string::npos)
      << bad_env.status();
}

TEST_F(ConfigFileTest, RetentionKeysByTheirEnvironmentNames) {
  // The names operators' scripts set (issue 4's interface): each over the file.
  const std::map<std::string_view, const char*> env = {{"MAYAK_RETENTION_HOT_DAYS", "14"},
                                                       {"MAYAK_RETENTION_ARCHIVE_DAYS", "90"},
                                                       {"MAYAK_RETENTION_CAP", "2.5GiB"},
                                                       {"MAYAK_RETENTION_CHECK_INTERVAL", "30s"}};
  auto config = Config::Load(Write("retention:\n  hot_days: 30\n  archive_days: 365\n  cap: 100GB\n"
                                   "  check_interval: 1m\n"),
                             [&env](const char* name) -> const char* {
                               const auto it = env.find(name);
                               return it == env.end() ? nullptr : it->second;
                             });
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->GetInt(options::kHotDays), 14);
  EXPECT_EQ(config->GetInt(options::kArchiveDays), 90);
  EXPECT_EQ(config->GetByteSize(options::kCap), 2'684'354'560);
  EXPECT_EQ(config->GetDurationNanos(options::kRetentionInterval), 30'000'000'000);
}

TEST_F(ConfigFileTest, ListsFromYamlSequencesOrCommaSeparatedText) {
  using List = std::vector<std::string>;
  EXPECT_EQ(Config().GetList(options::kElasticsearchIndexSystems),
            (List{"logs-<system>-*", "filebeat-*", "logstash-*", "<system>-*"}));
  auto block = Config::Load(
      Write("elasticsearch:\n  index_systems:\n    - app-<system>\n    - \"*\"\n"), NoEnv);
  ASSERT_TRUE(block.ok()) << block.status();
  EXPECT_EQ(block->GetList(options::kElasticsearchIndexSystems), (List{"app-<system>", "*"}));
  auto plain = Config::Load(Write("elasticsearch:\n  index_systems: a-<system>, b-*\n"), NoEnv);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->GetList(options::kElasticsearchIndexSystems), (List{"a-<system>", "b-*"}));
  for (const char* text : {"x-<system>,y-*", "[x-<system>, \"y-*\"]"}) {
    auto from_env = Config::Load("", [text](const char* name) -> const char* {
      return std::string_view(name) == "MAYAK_ELASTICSEARCH_INDEX_SYSTEMS" ? text : nullptr;
    });
    ASSERT_TRUE(from_env.ok()) << from_env.status();
    EXPECT_EQ(from_env->GetList(options::kElasticsearchIndexSystems), (List{"x-<system>", "y-*"}))
        << text;
  }
  auto nested = Config::Load(Write("elasticsearch:\n  index_systems:\n    - {a: b}\n"), NoEnv);
  ASSERT_FALSE(nested.ok());
  EXPECT_NE(StatusMessage(nested.status()).find(":3: elasticsearch.index_systems expects plain"),
            std::string::npos)
      << nested.status();
}

TEST_F(ConfigFileTest, NamedMappingsFromFileAndEnvironment) {
  auto config = Config::Load(
      Write("redaction:\n  rules:\n    iban: {pattern: 'DE[0-9]+', replacement: '[IBAN]'}\n"
            "    phone:\n      pattern: '\\+7[0-9]+'\n"),
      NoEnv);
  ASSERT_TRUE(config.ok()) << config.status();
  const NamedMaps& rules = config->GetNamedMaps(options::kRedactionRules);
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].first, "iban");  // in the order written
  EXPECT_EQ(rules[0].second.at("pattern"), "DE[0-9]+");
  EXPECT_EQ(rules[0].second.at("replacement"), "[IBAN]");
  EXPECT_EQ(rules[1].first, "phone");
  EXPECT_EQ(rules[1].second.at("pattern"), "\\+7[0-9]+");
  EXPECT_TRUE(Config().GetNamedMaps(options::kRedactionRules).empty());

  auto from_env = Config::Load("", [](const char* name) -> const char* {
    return std::string_view(name) == "MAYAK_REDACTION_RULES" ? "{x: {pattern: abc}}" : nullptr;
  });
  ASSERT_TRUE(from_env.ok()) << from_env.status();
  EXPECT_EQ(from_env->GetNamedMaps(options::kRedactionRules).at(0).second.at("pattern"), "abc");
  auto unknown = Config::Load(Write("redaction:\n  rules:\n    x: {patern: abc}\n"), NoEnv);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(StatusMessage(unknown.status())
                .find(":3: redaction.rules: unknown key in 'x' (known: "
                      "pattern, replacement)"),
            std::string::npos)
      << unknown.status();
}

TEST(ConfigTest, MissingFileAndBadEnvironmentAreClear) {
  auto missing = Config::Load("/nonexistent/mayak.yaml", NoEnv);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(StatusMessage(missing.status()).find("cannot open the configuration file"),
            std::string::npos);
  auto bad_env = Config::Load("", [](const char* name) -> const char* {
    return std::string_view(name) == "MAYAK_LIMITS_IDLE_TIMEOUT" ? "forever" : nullptr;
  });
  ASSERT_FALSE(bad_env.ok());
  EXPECT_NE(StatusMessage(bad_env.status())
                .find("environment variable MAYAK_LIMITS_IDLE_TIMEOUT: limits.idle_timeout"),
            std::string::npos)
      << bad_env.status();
}

TEST_F(ConfigFileTest, TheExampleFileIsValidAndLeavesDefaults) {
  const std::string example = RenderExampleConfig();
  auto config = Config::Load(Write(example), NoEnv);
  ASSERT_TRUE(config.ok()) << config.status();
  for (const OptionSpec* spec : AllOptions()) {
    EXPECT_NE(example.find(std::string(spec->key) + ": " + std::string(spec->default_text)),
              std::string::npos)
        << spec->FullName();
  }
}

// The committed example and reference are generated from the declarations;
// `make config-docs` regenerates them when this fails.
TEST(ConfigTest, CommittedDocumentationIsCurrent) {
  EXPECT_EQ(ReadFile(std::string(MAYAK_SOURCE_DIR) + "/config/mayak.example.yaml"),
            RenderExampleConfig())
      << "run `make config-docs`";
  EXPECT_EQ(ReadFile(std::string(MAYAK_SOURCE_DIR) + "/docs/configuration.md"),
            RenderConfigReference())
      << "run `make config-docs`";
}

TEST(ListenAddressTest, ParsesHostPortIpv6AndOff) {
  EXPECT_EQ(ListenAddress::Parse("127.0.0.1:7011")->port, 7011);
  EXPECT_EQ(ListenAddress::Parse("[::1]:9200")->host, "::1");
  EXPECT_EQ(ListenAddress::Parse("[::1]:9200")->ToString(), "[::1]:9200");
  EXPECT_EQ(ListenAddress::Parse(":5514")->host, "0.0.0.0");
  EXPECT_FALSE(ListenAddress::Parse("off")->enabled);
  EXPECT_FALSE(ListenAddress::Parse("localhost").ok());
  EXPECT_FALSE(ListenAddress::Parse("host:port").ok());
}

}  // namespace
}  // namespace mayak
