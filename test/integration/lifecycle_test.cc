// Start-up, configuration errors, clean shutdown, and the command line
// clients against a real server.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string_view>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "server_process.h"
#include "test_helpers.h"

namespace mayak::testing {
namespace {

using std::chrono::seconds;

TEST(LifecycleTest, SigtermFinishesInFlightRequestsAndExitsZero) {
  TempDir dir;
  auto server = std::make_unique<ServerProcess>(ServerOptions{dir.path()});
  ASSERT_TRUE(server->ready()) << server->log();

  // Two clients send batches until the server goes away; every batch that was
  // acknowledged must be found after a restart.
  std::mutex mu;
  std::set<int> acked;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 2; ++c) {
    clients.emplace_back([&, c] {
      auto client = server->Client();
      for (int batch = 0; !stop.load(); ++batch) {
        const int id = c * 100000 + batch;
        std::string body;
        for (int i = 0; i < 20; ++i) {
          body += "{\"message\":\"shutdown test\",\"batch\":" + std::to_string(id) + "}\n";
        }
        HttpReply reply = PostLogs(*client, body);
        if (reply.status == 200) {
          std::lock_guard<std::mutex> lock(mu);
          acked.insert(id);
        } else if (reply.status == -1) {
          return;  // the server is gone
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto signalled = std::chrono::steady_clock::now();
  EXPECT_EQ(server->Stop(SIGTERM, seconds(10)), 0) << server->log();
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, seconds(10));
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_TRUE(server->WaitForLog("\"msg\":\"stopped\"", seconds(1))) << server->log();
  ASSERT_FALSE(acked.empty());

  ServerOptions options{dir.path()};
  options.env = {{"MAYAK_LIMITS_MAX_SEARCH_HITS", "1000000"}};
  server = std::make_unique<ServerProcess>(options);
  ASSERT_TRUE(server->ready()) << server->log();
  auto client = server->Client();
  HttpReply reply = Search(*client, "from=0&limit=1000000&q=batch:*");
  ParsedJson json(reply.body);
  std::map<int64_t, int> per_batch;
  const simdjson::dom::array all_hits = json["hits"].get_array().value();
  for (auto hit : all_hits) per_batch[hit["batch"].get_int64().value()]++;
  for (int id : acked) EXPECT_EQ(per_batch[id], 20) << "batch " << id;
  // Batches are atomic: none is ever partly stored.
  for (auto [id, count] : per_batch) EXPECT_EQ(count, 20) << "batch " << id;
}

TEST(LifecycleTest, ConfigurationErrorsNameFileLineAndKey) {
  TempDir dir;
  const std::string config = dir.path() + "/mayak.yaml";
  std::ofstream(config) << "server:\n  data_dir: " << dir.path() << "/data\n"
                        << "limits:\n  max_body: 10 parsecs\n";
  ServerOptions options{dir.path() + "/data", {"--config", config}};
  options.wait_until_ready = false;
  ServerProcess bad_value(options);
  EXPECT_EQ(bad_value.WaitForExit(seconds(10)), 2);
  EXPECT_NE(bad_value.log().find(config + ":4: limits.max_body: '10 parsecs'"), std::string::npos)
      << bad_value.log();

  std::ofstream(config) << "server:\n  data_dir: x\n  listen: 1.2.3.4:5\n";
  ServerProcess unknown_key(options);
  EXPECT_EQ(unknown_key.WaitForExit(seconds(10)), 2);
  EXPECT_NE(unknown_key.log().find(":3: unknown key 'server.listen'"), std::string::npos)
      << unknown_key.log();

  std::string output;
  EXPECT_EQ(
      RunCommand(std::string(MAYAK_BINARY) + " server --check-config --config " + config, &output),
      2);
  EXPECT_NE(output.find("unknown key 'server.listen'"), std::string::npos) << output;

  std::ofstream(config) << "listeners:\n  api: 127.0.0.1:7999\n  syslog: off\n";
  output.clear();
  EXPECT_EQ(RunCommand("MAYAK_LISTENERS_JAEGER=off " + std::string(MAYAK_BINARY) +
                           " server --check-config --config " + config + " --es-listen off",
                       &output),
            0)
      << output;
  EXPECT_NE(output.find("listeners.api = 127.0.0.1:7999"), std::string::npos) << output;
  EXPECT_NE(output.find("listeners.elasticsearch = off"), std::string::npos) << output;
  EXPECT_NE(output.find("listeners.jaeger = off"), std::string::npos) << output;
  EXPECT_NE(output.find("listeners.syslog = off"), std::string::npos) << output;

  // A misspelled variable is not silently ignored.
  output.clear();
  EXPECT_EQ(RunCommand("MAYAK_LISTENERS_JAEGR=off " + std::string(MAYAK_BINARY) +
                           " server --check-config --config " + config,
                       &output),
            0)
      << output;
  EXPECT_NE(output.find("environment variable MAYAK_LISTENERS_JAEGR names no option"),
            std::string::npos)
      << output;
}

TEST(LifecycleTest, OneServerPerDataDirectory) {
  TempDir dir;
  ServerProcess first(ServerOptions{dir.path()});
  ASSERT_TRUE(first.ready()) << first.log();
  ServerOptions options{dir.path()};
  options.wait_until_ready = false;
  ServerProcess second(options);
  EXPECT_EQ(second.WaitForExit(seconds(10)), 1);
  EXPECT_NE(second.log().find("is in use by another mayak server (pid"), std::string::npos)
      << second.log();
}

// Batches go out on several connections at once (--workers): every line
// is counted once, and each rejected line is still named by file and line.
TEST(LifecycleTest, IngestSendsOnSeveralConnections) {
  TempDir dir;
  ServerProcess server(ServerOptions{dir.path()});
  ASSERT_TRUE(server.ready()) << server.log();
  std::set<std::string> broken;
  std::vector<std::string> files;
  for (int f = 0; f < 2; ++f) {
    files.push_back(dir.path() + "/part" + std::to_string(f) + ".ndjson");
    std::ofstream out(files.back());
    for (int line = 1; line <= 1001; ++line) {
      if (line % 91 == 0) {
        out << "not json " << line << "\n";
        broken.insert(files.back() + ":" + std::to_string(line) + ": invalid JSON");
      } else {
        out << "{\"message\":\"parallel " << f << " " << line << "\",\"system\":\"shop\"}\n";
      }
    }
  }
  std::string output;
  // Batches of 30 lines: the last of a file is partial, or spans both files.
  EXPECT_EQ(RunCommand(std::string(MAYAK_BINARY) + " ingest -q --workers 3 --batch-lines 30 " +
                           "--server " + server.url() + " " + files[0] + " " + files[1],
                       &output),
            1);
  EXPECT_NE(output.find("ingested 1980 records, rejected 22"), std::string::npos) << output;
  EXPECT_NE(output.find("... and 2 more rejected lines"), std::string::npos) << output;
  size_t named = 0;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    const size_t reason = line.find(": invalid JSON");
    if (reason == std::string_view::npos) continue;
    EXPECT_TRUE(broken.contains(std::string(line.substr(0, reason + 14)))) << line;
    ++named;
  }
  EXPECT_EQ(named, 20u) << output;
  // Every accepted line is stored once.
  const auto expect_stored = [&server] {
    std::string counted;
    EXPECT_EQ(RunCommand(std::string(MAYAK_BINARY) + " query 'parallel | stats count()' " +
                             "--from 0 --format ndjson --server " + server.url(),
                         &counted),
              0);
    EXPECT_NE(counted.find("{\"count()\":1980}"), std::string::npos) << counted;
  };
  expect_stored();

  // A file that cannot be opened stops the run before anything is sent.
  output.clear();
  EXPECT_EQ(RunCommand(std::string(MAYAK_BINARY) + " ingest -q --server " + server.url() + " " +
                           files[0] + " " + dir.path() + "/missing.ndjson",
                       &output),
            1);
  EXPECT_NE(output.find("cannot open " + dir.path() + "/missing.ndjson"), std::string::npos)
      << output;
  // A server that is not there ends the run with an error, not a hang.
  output.clear();
  EXPECT_NE(RunCommand(std::string(MAYAK_BINARY) + " ingest -q --workers 4 --batch-lines 10 " +
                           "--server http://127.0.0.1:1 " + files[0],
                       &output),
            0);
  EXPECT_NE(output.find("mayak ingest: "), std::string::npos) << output;
  expect_stored();
}

TEST(LifecycleTest, IngestAndQueryCommands) {
  TempDir dir;
  ServerProcess server(ServerOptions{dir.path()});
  ASSERT_TRUE(server.ready()) << server.log();
  const std::string file = dir.path() + "/app.ndjson";
  std::ofstream(file)
      << "{\"message\":\"cli one\",\"system\":\"shop\",\"@timestamp\":\"2026-01-01T00:00:01Z\"}\n"
      << "broken line\n"
      << "{\"message\":\"cli two\",\"system\":\"shop\",\"@timestamp\":\"2026-01-01T00:00:02Z\"}\n";
  std::string output;
  EXPECT_EQ(RunCommand(std::string(MAYAK_BINARY) + " ingest --batch-lines 1 --server " +
                           server.url() + " " + file,
                       &output),
            1);
  EXPECT_NE(output.find(file + ":2: invalid JSON"), std::string::npos) << output;
  EXPECT_NE(output.find("ingested 2 records, rejected 1"), std::string::npos) << output;

  output.clear();
  EXPECT_EQ(RunCommand(std::string(MAYAK_BINARY) + " query 'cli and system:shop' --from 0 " +
                           "--format ndjson --server " + server.url(),
                       &output),
            0);
  const size_t two = output.find("cli two");
  const size_t one = output.find("cli one");
  ASSERT_NE(two, std::string::npos) << output;
  ASSERT_NE(one, std::string::npos) << output;
  EXPECT_LT(two, one) << "newest first";

  output.clear();
  EXPECT_EQ(RunCommand(std::string(MAYAK_BINARY) + " query 'cli' --from 0 --server " + server.url(),
                       &output),
            0);
  EXPECT_NE(output.find("2026-01-01T00:00:02Z"), std::string::npos) << output;
  EXPECT_NE(output.find("2 of 2 hits"), std::string::npos) << output;

  // A counting pipe prints a table, or one JSON object a row.
  output.clear();
  EXPECT_EQ(RunCommand(std::string(MAYAK_BINARY) + " query 'cli | stats count() by system' " +
                           "--from 0 --server " + server.url(),
                       &output),
            0);
  EXPECT_NE(output.find("system  count()\nshop          2\n"), std::string::npos) << output;
  output.clear();
  EXPECT_EQ(
      RunCommand(std::string(MAYAK_BINARY) + " query '| timechart span=1s count()' " +
                     "--from 2026-01-01T00:00:01Z --to 2026-01-01T00:00:03Z --format ndjson " +
                     "--server " + server.url(),
                 &output),
      0);
  EXPECT_NE(output.find("{\"_time\":\"2026-01-01T00:00:01Z\",\"count()\":1}\n"
                        "{\"_time\":\"2026-01-01T00:00:02Z\",\"count()\":1}\n"
                        "{\"_time\":\"2026-01-01T00:00:03Z\",\"count()\":0}\n"),
            std::string::npos)
      << output;

  output.clear();
  EXPECT_EQ(RunCommand(std::string(MAYAK_BINARY) + " query 'cli and not two' --from 0 --explain " +
                           "--server " + server.url(),
                       &output),
            0);
  EXPECT_NE(output.find("plan: filter (cli AND NOT two)\n  segments: "), std::string::npos)
      << output;
  EXPECT_NE(output.find("records in memory (not yet in segments), each tested: "),
            std::string::npos)
      << output;

  // CSV: hits with a column for every field; tables as they are.
  output.clear();
  EXPECT_EQ(RunCommand(std::string(MAYAK_BINARY) + " query 'cli' --from 0 --format csv " +
                           "--server " + server.url(),
                       &output),
            0);
  EXPECT_NE(
      output.find("@timestamp,log.level,system,service.name,message,observed_timestamp,_id\r\n"
                  "2026-01-01T00:00:02Z,,shop,,cli two,"),
      std::string::npos)
      << output;
  output.clear();
  EXPECT_EQ(RunCommand(std::string(MAYAK_BINARY) + " query 'cli | stats count() as \"n\" by " +
                           "system' --from 0 --format csv --server " + server.url(),
                       &output),
            1)
      << "as takes a name, not a quoted string";
  output.clear();
  EXPECT_EQ(RunCommand(std::string(MAYAK_BINARY) + " query 'cli | stats count(), max(@timestamp) " +
                           "by system' --from 0 --format csv --server " + server.url(),
                       &output),
            0);
  EXPECT_NE(output.find("system,count(),max(@timestamp)\r\nshop,2,"), std::string::npos) << output;

  output.clear();
  EXPECT_EQ(
      RunCommand(std::string(MAYAK_BINARY) + " query 'a:1 b:2' --server " + server.url(), &output),
      1);
  // The error, then the query with a caret under the place.
  EXPECT_NE(output.find("put 'and' or 'or' between two terms at position 4"), std::string::npos)
      << output;
  EXPECT_NE(output.find("  a:1 b:2\n      ^\n"), std::string::npos) << output;

  output.clear();
  EXPECT_EQ(RunCommand(std::string(MAYAK_BINARY) + " query x --server http://127.0.0.1:1", &output),
            1);
  EXPECT_NE(output.find("cannot connect to http://127.0.0.1:1"), std::string::npos) << output;
}

}  // namespace
}  // namespace mayak::testing

namespace mayak::testing {
namespace {

TEST(CommandLineTest, HelpVersionAndUsageErrors) {
  std::string output;
  EXPECT_EQ(RunCommand(std::string(MAYAK_BINARY) + " help", &output), 0);
  for (const char* command : {"server", "query", "ingest", "config", "version"}) {
    EXPECT_NE(output.find(command), std::string::npos) << output;
  }
  for (const char* command : {"server", "query", "ingest"}) {
    output.clear();
    EXPECT_EQ(RunCommand(std::string(MAYAK_BINARY) + " " + command + " --help", &output), 0);
    EXPECT_NE(output.find("xample"), std::string::npos) << command << ": " << output;
  }
  output.clear();
  EXPECT_EQ(RunCommand(std::string(MAYAK_BINARY) + " version", &output), 0);
  EXPECT_EQ(output.rfind("mayak ", 0), 0u) << output;
  output.clear();
  EXPECT_NE(RunCommand(std::string(MAYAK_BINARY) + " query --format xml", &output), 0);
  EXPECT_NE(output.find("--format"), std::string::npos) << output;
  output.clear();
  EXPECT_NE(RunCommand(std::string(MAYAK_BINARY) + " frobnicate", &output), 0);
  output.clear();
  EXPECT_EQ(RunCommand(std::string(MAYAK_BINARY) + " help ingest", &output), 0);
  EXPECT_NE(output.find("--batch-lines"), std::string::npos) << output;
}

// Every flag and argument of every command shows how to use it: its help
// entry (the option line and the indented lines under it) has an example.
TEST(CommandLineTest, EveryFlagOfEveryCommandHasAnExample) {
  const char* commands[] = {"server",           "query",        "ingest",
                            "version",          "help",         "config example",
                            "config reference", "bench gen",    "admin verify",
                            "admin columns",    "archive list", "archive verify",
                            "archive restore"};
  for (const char* command : commands) {
    std::string output;
    ASSERT_EQ(RunCommand(std::string(MAYAK_BINARY) + " " + command + " --help", &output), 0)
        << command;
    EXPECT_NE(output.find("xample"), std::string::npos) << command << " has no example";
    // Entries start two spaces in; their wrapped descriptions further in.
    std::vector<std::string> entries;
    bool in_options = false;
    size_t start = 0;
    while (start < output.size()) {
      size_t end = output.find('\n', start);
      if (end == std::string::npos) end = output.size();
      const std::string line = output.substr(start, end - start);
      start = end + 1;
      if (line == "Options:" || line == "Positionals:") {
        in_options = true;
      } else if (line.empty() || line[0] != ' ') {
        in_options = false;
      } else if (in_options && line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ') {
        entries.push_back(line);
      } else if (in_options && !entries.empty()) {
        entries.back() += line;
      }
    }
    for (const std::string& entry : entries) {
      if (entry.find("--help") != std::string::npos) continue;
      EXPECT_NE(entry.find("e.g."), std::string::npos) << command << ": " << entry;
    }
  }
}

}  // namespace
}  // namespace mayak::testing

namespace mayak::testing {
namespace {

TEST(AdminVerifyTest, FindsDamageOfflineAndNamesIt) {
  TempDir dir;
  ServerOptions options(dir.path());
  options.env = {{"MAYAK_STORAGE_FLUSH_INTERVAL", "1s"}};
  {
    ServerProcess server(options);
    ASSERT_TRUE(server.ready()) << server.log();
    auto client = server.Client();
    std::string body;
    for (int i = 0; i < 2000; ++i) {
      body += "{\"message\":\"verify me " + std::to_string(i) + "\",\"system\":\"shop\"}\n";
    }
    ASSERT_EQ(PostLogs(*client, body).status, 200);
    bool flushed = false;
    for (int i = 0; i < 100 && !flushed; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      flushed = client->Send("GET", "/metrics")->body.find("mayak_storage_segments 1\n") !=
                std::string::npos;
    }
    ASSERT_TRUE(flushed) << server.log();
    ASSERT_EQ(server.Stop(SIGTERM, seconds(10)), 0);
  }
  const std::string verify = std::string(MAYAK_BINARY) + " admin verify --data-dir " + dir.path();
  std::string output;
  EXPECT_EQ(RunCommand(verify, &output), 0) << output;
  EXPECT_NE(output.find("1 segments (2000 rows)"), std::string::npos) << output;
  EXPECT_NE(output.find("spans: 0 segments (0 rows)"), std::string::npos) << output;
  EXPECT_NE(output.find("OK: no damage found"), std::string::npos) << output;

  // What each field costs: the message column is the largest here.
  output.clear();
  EXPECT_EQ(
      RunCommand(std::string(MAYAK_BINARY) + " admin columns --data-dir " + dir.path(), &output), 0)
      << output;
  EXPECT_NE(output.find("1 segments, 2000 records, "), std::string::npos) << output;
  const size_t header = output.find("column ");
  ASSERT_NE(header, std::string::npos) << output;
  const size_t first_row = output.find('\n', header) + 1;
  EXPECT_EQ(output.substr(first_row, 8), "message ") << output;
  EXPECT_NE(output.find("@timestamp "), std::string::npos) << output;
  // How each row group stores each column, read from the chunks themselves:
  // "verify me 17" is a prefix and a number.
  const std::string encodings =
      std::string(MAYAK_BINARY) + " admin columns --encodings --data-dir " + dir.path();
  output.clear();
  EXPECT_EQ(RunCommand(encodings, &output), 0) << output;
  EXPECT_NE(output.find("row groups by encoding"), std::string::npos) << output;
  const size_t message_row = output.find("\nmessage ");
  ASSERT_NE(message_row, std::string::npos) << output;
  const std::string message_line =
      output.substr(message_row + 1, output.find('\n', message_row + 1) - message_row - 1);
  EXPECT_NE(message_line.find("  prefixed-number 1"), std::string::npos) << message_line;
  EXPECT_EQ(output.find("damaged"), std::string::npos) << output;
  // The spans' store, kept apart, has none; a kind that is neither is refused.
  output.clear();
  EXPECT_EQ(
      RunCommand(std::string(MAYAK_BINARY) + " admin columns --kind spans --data-dir " + dir.path(),
                 &output),
      0)
      << output;
  EXPECT_NE(output.find("0 segments, 0 records, "), std::string::npos) << output;
  output.clear();
  EXPECT_NE(RunCommand(std::string(MAYAK_BINARY) + " admin columns --kind metrics --data-dir " +
                           dir.path(),
                       &output),
            0);
  EXPECT_NE(output.find("--kind"), std::string::npos) << output;

  std::string segment;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path() + "/logs")) {
    if (entry.path().extension() == ".seg") segment = entry.path().string();
  }
  ASSERT_FALSE(segment.empty());
  {
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(segment) / 3));
    f.put('\x55');
    f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(segment) / 3 + 1));
    f.put('\x2a');
  }
  output.clear();
  EXPECT_EQ(RunCommand(verify, &output), 1) << output;
  EXPECT_NE(output.find("DAMAGED: segment " + segment), std::string::npos) << output;
  // The columns' table still comes, naming the damaged chunk's column.
  output.clear();
  EXPECT_EQ(RunCommand(encodings, &output), 0) << output;
  EXPECT_NE(output.find("damaged 1"), std::string::npos) << output;
}

}  // namespace
}  // namespace mayak::testing
