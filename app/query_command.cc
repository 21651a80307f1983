#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "api/http_message.h"
#include "client/http_client.h"
#include "commands.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "simdjson.h"
#include "terminal.h"

namespace mayak {
namespace {

struct QueryFlags {
  std::string query;
  std::string from = "15m";
  std::string to = "now";
  int limit = 100;
  std::string format = "table";
  std::string server;
};

std::string FieldText(simdjson::dom::element value) {
  if (value.is_string()) return std::string(value.get_string().value_unsafe());
  return simdjson::minify(value);
}

// One line per hit: time, level, system, service, message, then the other
// fields as key=value.
void PrintTable(simdjson::dom::array hits, bool color) {
  size_t system_width = 6;
  size_t service_width = 7;
  for (simdjson::dom::element hit : hits) {
    std::string_view s;
    if (!hit["system"].get(s)) system_width = std::max(system_width, s.size());
    if (!hit["service.name"].get(s)) service_width = std::max(service_width, s.size());
  }
  for (simdjson::dom::element hit : hits) {
    std::string time;
    std::string level;
    std::string system;
    std::string service;
    std::string message;
    std::string rest;
    const simdjson::dom::object object = hit.get_object().value_unsafe();
    for (auto [key, value] : object) {
      if (key == "@timestamp") {
        time = FieldText(value);
      } else if (key == "log.level") {
        level = FieldText(value);
      } else if (key == "system") {
        system = FieldText(value);
      } else if (key == "service.name") {
        service = FieldText(value);
      } else if (key == "message") {
        message = FieldText(value);
      } else if (key != "observed_timestamp") {
        StrAppend(&rest, " ", key, "=", FieldText(value));
      }
    }
    std::replace(message.begin(), message.end(), '\n', ' ');
    system.resize(std::max(system.size(), system_width), ' ');
    service.resize(std::max(service.size(), service_width), ' ');
    std::string padded_level = level;
    padded_level.resize(5, ' ');
    if (color) {
      std::cout << kColorDim << time << kColorReset << " " << LevelColor(level) << padded_level
                << kColorReset << " " << system << " " << service << " " << message << kColorDim
                << rest << kColorReset << "\n";
    } else {
      std::cout << time << " " << padded_level << " " << system << " " << service << " " << message
                << rest << "\n";
    }
  }
}

int RunQuery(const QueryFlags& flags) {
  auto client = HttpClient::Create(flags.server.empty() ? DefaultServerUrl() : flags.server);
  if (!client.ok()) {
    std::cerr << "mayak query: " << StatusMessage(client.status()) << "\n";
    return 2;
  }
  const std::string target =
      StrCat("/api/v1/search?q=", PercentEncode(flags.query), "&from=", PercentEncode(flags.from),
             "&to=", PercentEncode(flags.to), "&limit=", flags.limit);
  auto reply = (*client)->Send("GET", target);
  if (!reply.ok()) {
    std::cerr << "mayak query: " << StatusMessage(reply.status()) << "\n";
    return 1;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(reply->body).get(doc)) {
    std::cerr << "mayak query: the server replied " << reply->status << " with a body that is "
              << "not JSON\n";
    return 1;
  }
  if (reply->status != 200) {
    std::string_view message;
    if (doc["error"]["message"].get(message)) message = reply->body;
    std::cerr << "mayak query: " << message << " (HTTP " << reply->status << ")\n";
    return 1;
  }
  simdjson::dom::array hits;
  uint64_t total = 0;
  int64_t took_ms = 0;
  if (doc["hits"].get(hits) || doc["total"].get(total) || doc["took_ms"].get(took_ms)) {
    std::cerr << "mayak query: unexpected reply from the server\n";
    return 1;
  }
  if (flags.format == "json") {
    std::cout << reply->body << "\n";
  } else if (flags.format == "ndjson") {
    for (simdjson::dom::element hit : hits) std::cout << simdjson::minify(hit) << "\n";
  } else {
    PrintTable(hits, StdoutWantsColor());
    std::cerr << hits.size() << " of " << total << " hits, " << took_ms << " ms\n";
  }
  return 0;
}

}  // namespace

std::string DefaultServerUrl() {
  const char* env = std::getenv("MAYAK_SERVER");
  return env != nullptr && *env != '\0' ? env : "http://127.0.0.1:7011";
}

Command AddQueryCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "query",
      "Search the logs of a running server, newest first.\n"
      "Examples:\n"
      "  mayak query 'service.name:shop and log.level:error' --from 1h\n"
      "  mayak query '\"connection refused\"' --from 2026-11-24T08:00:00Z --to now-1h\n"
      "  mayak query 'order.id:10442' --from 7d --format ndjson | jq .");
  auto flags = std::make_shared<QueryFlags>();
  cmd->add_option("query", flags->query,
                  "field:value terms and words, joined by `and` (empty: everything)");
  cmd->add_option("--from", flags->from,
                  "Start: a duration ago (15m, 1h, 7d), now-1h, RFC 3339 or epoch ms")
      ->capture_default_str();
  cmd->add_option("--to", flags->to, "End, in the same forms as --from")->capture_default_str();
  cmd->add_option("--limit,-n", flags->limit, "Most hits to print")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  cmd->add_option("--format,-f", flags->format,
                  "table (colours on a terminal), json (the server's reply) or ndjson (one hit "
                  "a line)")
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "json", "ndjson"}));
  cmd->add_option("--server,-s", flags->server,
                  "Server URL (default $MAYAK_SERVER or http://127.0.0.1:7011)");
  return {cmd, [flags] { return RunQuery(*flags); }};
}

}  // namespace mayak
