// `mayak agent` against a real server: every line of rotating files arrives
// exactly once through agent crashes (kill -9) and a server outage, and
// through the Elasticsearch output.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "agent_process.h"
#include "common/strings.h"
#include "gtest/gtest.h"
#include "server_process.h"
#include "support/eventually.h"
#include "test_helpers.h"

namespace mayak::testing {
namespace {

// How often each "line N" of `system` is stored.
std::map<int, int> StoredLines(HttpClient& client, std::string_view system, uint64_t* total) {
  std::map<int, int> seen;
  HttpReply reply = Search(client, StrCat("from=0&limit=1000000&q=system:", system));
  if (reply.status != 200) {
    ADD_FAILURE() << "search: " << reply.status << " " << reply.body.substr(0, 300);
    return seen;
  }
  ParsedJson json(reply.body);
  if (!json.ok()) return seen;
  *total = uint64_t(json["total"]);
  for (simdjson::dom::element hit : json["hits"].get_array()) {
    std::string_view message;
    if (hit["message"].get_string().get(message) != simdjson::SUCCESS) continue;
    int n = 0;
    if (message.rfind("line ", 0) == 0 && ParseInt(message.substr(5, 7), &n)) ++seen[n];
  }
  return seen;
}

// Waits (up to `seconds`) until `expected` lines are stored, then checks
// each of 0..expected-1 is there exactly once.
void ExpectEveryLineOnce(HttpClient& client, std::string_view system, int expected,
                         int seconds = 90) {
  std::map<int, int> seen;
  uint64_t total = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < give_up) {
    seen = StoredLines(client, system, &total);
    if (total >= static_cast<uint64_t>(expected)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  // A little longer: duplicates would arrive late.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  seen = StoredLines(client, system, &total);
  int missing = 0;
  int doubled = 0;
  for (int i = 0; i < expected; ++i) {
    auto it = seen.find(i);
    if (it == seen.end()) {
      if (++missing <= 5) ADD_FAILURE() << "line " << i << " never arrived";
    } else if (it->second > 1) {
      if (++doubled <= 5) ADD_FAILURE() << "line " << i << " stored " << it->second << " times";
    }
  }
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(doubled, 0);
  EXPECT_EQ(total, static_cast<uint64_t>(expected));
}

std::string LineText(int n) {
  // About 120 bytes, as an application's log line.
  return StrCat("line ", std::string(7 - std::min<size_t>(7, StrCat(n).size()), '0'), n,
                " user=", n % 97, " order=", 100000 + n, " padding to look like a real log line",
                " of an online shop\n");
}

// Writes lines 0..count-1 to DIR/app.log at speed, rotating every
// `rotate_every` lines: by rename (the writer keeps writing the old file a
// moment, then reopens) and by copytruncate, in turn.
void WriteRotating(const std::string& dir, int count, int rotate_every) {
  const std::string log = dir + "/app.log";
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int rotations = 0;
  for (int n = 0; n < count; ++n) {
    const std::string line = LineText(n);
    ASSERT_EQ(::write(fd, line.data(), line.size()), static_cast<ssize_t>(line.size()));
    if (n % 200 == 199) std::this_thread::sleep_for(std::chrono::milliseconds(30));
    if (n % rotate_every != rotate_every - 1) continue;
    ++rotations;
    if (rotations % 2 == 1) {
      std::filesystem::rename(log, StrCat(log, ".", rotations));
      for (int late = 0; late < 10 && n + 1 < count; ++late) {  // before the writer reopens
        const std::string l = LineText(++n);
        ASSERT_EQ(::write(fd, l.data(), l.size()), static_cast<ssize_t>(l.size()));
      }
      ::close(fd);
      fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    } else {
      std::filesystem::copy_file(log, StrCat(log, "-copy", rotations));
      ASSERT_EQ(::ftruncate(fd, 0), 0);
    }
  }
  ::close(fd);
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The agent's /metrics text ("" and a failed test when it does not answer).
std::string MetricsOf(const AgentProcess& agent) {
  auto client = HttpClient::Create(agent.MetricsUrl());
  if (!client.ok()) {
    ADD_FAILURE() << "the agent's metrics listener is not there\n" << agent.log();
    return "";
  }
  auto reply = (*client)->Send("GET", "/metrics");
  if (!reply.ok()) {
    ADD_FAILURE() << "GET /metrics: " << reply.status();
    return "";
  }
  return reply->body;
}

std::string FileAgentYaml(const std::string& logs, const std::string& output) {
  return StrCat("inputs:\n  - type: file\n    paths: [", logs, "/*.log]\n",
                "    fields: {system: agenttest, service.name: writer}\n", "output:\n", output,
                "  batch_wait: 100ms\n  backoff_min: 50ms\n  backoff_max: 500ms\n");
}

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(logs());
    port_ = FreePort();
  }
  std::string logs() const { return dir_.path() + "/logs"; }
  ServerOptions Options(std::vector<std::string> extra = {}) const {
    extra.push_back("--listen");
    extra.push_back(StrCat("127.0.0.1:", port_));
    ServerOptions options(dir_.path() + "/server", extra);
    options.env = {{"MAYAK_LIMITS_MAX_SEARCH_HITS", "1000000"}};
    return options;
  }
  std::string MayakOutput() const {
    return StrCat("  mayak: {url: 'http://127.0.0.1:", port_, "'}\n");
  }

  TempDir dir_;
  int port_ = 0;
};

TEST_F(AgentTest, RotationAndAgentKillNineLoseNoLineAndDuplicateNone) {
  ServerProcess server(Options());
  ASSERT_TRUE(server.ready()) << server.log();
  AgentProcess agent(dir_.path(), FileAgentYaml(logs(), MayakOutput()));
  constexpr int kLines = 30000;
  std::thread writer([this] { WriteRotating(logs(), kLines, 7000); });
  std::mt19937 random(20261207);
  for (int crash = 0; crash < 3; ++crash) {
    std::this_thread::sleep_for(std::chrono::milliseconds(800 + random() % 800));
    agent.Kill();
    agent.Start();
  }
  writer.join();
  auto client = server.Client();
  ExpectEveryLineOnce(*client, "agenttest", kLines);
  if (HasFailure()) ADD_FAILURE() << agent.log().substr(0, 5000);
}

TEST_F(AgentTest, AServerOutageLosesNothing) {
  auto server = std::make_unique<ServerProcess>(Options());
  ASSERT_TRUE(server->ready()) << server->log();
  AgentProcess agent(dir_.path(), FileAgentYaml(logs(), MayakOutput()));
  const std::string log = logs() + "/app.log";
  const auto write = [&log](int from, int to) {
    std::ofstream out(log, std::ios::app);
    for (int n = from; n < to; ++n) out << LineText(n);
  };
  write(0, 1000);
  {
    auto client = server->Client();
    uint64_t total = 0;
    ASSERT_TRUE(Eventually([&] {
      StoredLines(*client, "agenttest", &total);
      return total == 1000;
    }));
  }
  ASSERT_EQ(server->Stop(SIGTERM, std::chrono::seconds(30)), 0);
  write(1000, 3000);
  ASSERT_TRUE(agent.WaitForLog("cannot send; retrying", std::chrono::seconds(20))) << agent.log();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  server = std::make_unique<ServerProcess>(Options());
  ASSERT_TRUE(server->ready()) << server->log();
  write(3000, 4000);
  auto client = server->Client();
  ExpectEveryLineOnce(*client, "agenttest", 4000);
  // The agent's own metrics tell the retries and that nothing is left.
  const std::string metrics = MetricsOf(agent);
  EXPECT_NE(metrics.find("mayak_agent_events_sent_total 4000"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("mayak_agent_send_retries_total 0"), std::string::npos);
  EXPECT_NE(metrics.find("mayak_agent_file_lag_bytes{input=\"inputs[0]\",path=\"" + log + "\"} 0"),
            std::string::npos)
      << metrics;
  EXPECT_EQ(agent.Stop(SIGTERM), 0);
  EXPECT_NE(agent.log().find("\"unsent_events\":0"), std::string::npos);
}

TEST_F(AgentTest, TheDiskBufferKeepsLinesOfFilesDeletedWhileTheServerIsDown) {
  auto server = std::make_unique<ServerProcess>(Options());
  ASSERT_TRUE(server->ready()) << server->log();
  ASSERT_EQ(server->Stop(SIGTERM, std::chrono::seconds(30)), 0);  // down from the start
  AgentProcess agent(dir_.path(), FileAgentYaml(logs(), MayakOutput()));
  {
    std::ofstream out(logs() + "/app.log");
    for (int n = 0; n < 2000; ++n) out << LineText(n);
  }
  ASSERT_TRUE(agent.WaitForLog("buffering them on disk", std::chrono::seconds(20))) << agent.log();
  const uint64_t size = std::filesystem::file_size(logs() + "/app.log");
  ASSERT_TRUE(Eventually([&] {
    return ReadText(dir_.path() + "/agent-data/registry.json")
               .find(StrCat("\"offset\":", size, ",")) != std::string::npos;
  })) << "the registry moves past what is on disk";
  // Rotation deletes the file; the agent dies and comes back; the server too.
  std::filesystem::remove(logs() + "/app.log");
  agent.Kill();
  agent.Start();
  ASSERT_TRUE(agent.WaitForLog("sent first", std::chrono::seconds(20))) << agent.log();
  ASSERT_TRUE(agent.WaitForLog("agent: starting", std::chrono::seconds(20))) << agent.log();
  const std::string metrics = MetricsOf(agent);
  EXPECT_NE(metrics.find("mayak_agent_buffered_events 2000"), std::string::npos) << metrics;
  server = std::make_unique<ServerProcess>(Options());
  ASSERT_TRUE(server->ready()) << server->log();
  auto client = server->Client();
  ExpectEveryLineOnce(*client, "agenttest", 2000);
  ASSERT_TRUE(agent.WaitForLog("the disk buffer is delivered", std::chrono::seconds(20)));
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path() + "/agent-data/buffer"));
}

// Acknowledged offsets reach the registry at most registry_flush later, and
// at shutdown: with an hour, only the file's opening is written before SIGTERM.
TEST_F(AgentTest, TheRegistryIsWrittenAfterRegistryFlushAndAtShutdown) {
  ServerProcess server(Options());
  ASSERT_TRUE(server.ready()) << server.log();
  {
    std::ofstream out(logs() + "/app.log");
    for (int n = 0; n < 100; ++n) out << LineText(n);
  }
  const std::string end =
      StrCat("\"offset\":", std::filesystem::file_size(logs() + "/app.log"), ",");
  const std::string registry = dir_.path() + "/agent-data/registry.json";
  AgentProcess agent(dir_.path(), StrCat(FileAgentYaml(logs(), MayakOutput()),
                                         "registry_flush: 1h\nscan_interval: 100ms\n"));
  ASSERT_TRUE(agent.WaitForLog("agent: starting", std::chrono::seconds(20))) << agent.log();
  ASSERT_TRUE(Eventually([&] {
    return MetricsOf(agent).find("mayak_agent_events_sent_total 100\n") != std::string::npos;
  })) << agent.log();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // scans go on meanwhile
  EXPECT_NE(ReadText(registry).find("\"offset\":0,"), std::string::npos) << ReadText(registry);
  EXPECT_EQ(ReadText(registry).find(end), std::string::npos) << "written before registry_flush";
  EXPECT_EQ(agent.Stop(SIGTERM), 0);
  EXPECT_NE(ReadText(registry).find(end), std::string::npos) << "saved at shutdown";
}

TEST_F(AgentTest, ElasticsearchOutputWithIdsTheServerStoresOnce) {
  ServerProcess server(Options({"--es-listen", "127.0.0.1:0"}));
  ASSERT_TRUE(server.ready()) << server.log();
  const std::string es = server.ListenerUrl("elasticsearch");
  ASSERT_FALSE(es.empty()) << server.log();
  {
    std::ofstream out(logs() + "/app.log");
    for (int n = 0; n < 500; ++n) out << LineText(n);
  }
  const std::string yaml = FileAgentYaml(logs(), StrCat("  elasticsearch: {url: '", es, "'}\n"));
  {
    AgentProcess agent(dir_.path(), yaml);
    auto client = server.Client();
    uint64_t total = 0;
    ASSERT_TRUE(Eventually([&] {
      StoredLines(*client, "agenttest", &total);
      return total == 500;
    })) << agent.log();
    agent.Kill();
  }
  // The registry lost: everything is sent again, and the server knows it.
  std::filesystem::remove_all(dir_.path() + "/agent-data");
  AgentProcess again(dir_.path(), yaml);
  ASSERT_TRUE(again.WaitForLog("\"msg\":\"agent: reading a file\"", std::chrono::seconds(10)));
  auto client = server.Client();
  ASSERT_TRUE(Eventually([&] {
    HttpReply metrics = *client->Send("GET", "/metrics");
    return metrics.body.find("mayak_ingest_duplicates_total 500") != std::string::npos;
  })) << again.log();
  ExpectEveryLineOnce(*client, "agenttest", 500);
}

TEST_F(AgentTest, AnEventTheServerRefusesIsLoggedCountedAndNotSentAgain) {
  ServerProcess server(Options());
  ASSERT_TRUE(server.ready()) << server.log();
  {
    std::ofstream out(logs() + "/app.log");
    out << "{\"message\":\"line 0000000\"}\n"
        << "{\"message\":\"bad time\",\"timestamp\":\"half past nine\"}\n"
        << "{\"message\":\"line 0000001\"}\n";
  }
  AgentProcess agent(dir_.path(),
                     StrCat("inputs:\n  - {type: file, paths: [", logs(),
                            "/*.log], parser: json, fields: {system: agenttest}}\noutput:\n",
                            MayakOutput(), "  batch_wait: 100ms\n"));
  ASSERT_TRUE(agent.WaitForLog("the server refused an event", std::chrono::seconds(20)))
      << agent.log();
  EXPECT_NE(agent.log().find("half past nine"), std::string::npos) << "the reason names it";
  auto client = server.Client();
  ExpectEveryLineOnce(*client, "agenttest", 2);
  ASSERT_TRUE(agent.WaitForLog("agent: starting", std::chrono::seconds(5)));
  const std::string metrics = MetricsOf(agent);
  EXPECT_NE(metrics.find("mayak_agent_events_rejected_total 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("mayak_agent_events_sent_total 2\n"), std::string::npos);
  EXPECT_NE(metrics.find("mayak_agent_send_retries_total 0\n"), std::string::npos)
      << "refused for good is not retried";
}

TEST_F(AgentTest, CheckAndBadConfigurationsExplainThemselves) {
  std::ofstream(dir_.path() + "/bad.yaml") << "inputs: [{type: file, paths: a, parser: xml}]\n"
                                              "output: {mayak: {url: 'http://127.0.0.1:1'}}\n";
  std::string out;
  EXPECT_EQ(RunCommand(StrCat(MAYAK_BINARY, " agent --config ", dir_.path(), "/bad.yaml"), &out),
            2);
  EXPECT_NE(out.find("inputs[0].parser: 'xml' is not a parser"), std::string::npos) << out;
  out.clear();
  std::ofstream(dir_.path() + "/good.yaml") << FileAgentYaml(logs(), MayakOutput());
  EXPECT_EQ(
      RunCommand(StrCat(MAYAK_BINARY, " agent --check --config ", dir_.path(), "/good.yaml"), &out),
      0);
  EXPECT_NE(out.find("OK: 1 file input(s)"), std::string::npos) << out;
  out.clear();
  EXPECT_EQ(RunCommand(StrCat(MAYAK_BINARY, " agent --config ", dir_.path(), "/none.yaml"), &out),
            2);
  EXPECT_NE(out.find("cannot read the agent configuration"), std::string::npos) << out;
}

}  // namespace
}  // namespace mayak::testing
