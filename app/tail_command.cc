// `mayak tail 'q'`: follows the records matching a filter as they arrive
// (GET /api/v1/tail, Server-Sent Events), after the newest few stored.
#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

#include "api/http_message.h"
#include "client/http_client.h"
#include "commands.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "record_output.h"
#include "simdjson.h"
#include "terminal.h"

namespace mayak {
namespace {

struct TailFlags {
  std::string query;
  int lines = 10;
  std::string from = "1h";
  std::string format = "table";
  std::string server;
};

// Splits the event stream into events and prints them: records to standard
// output, notes about missed records and the end of the tail to standard
// error. Returns false once the server has ended the tail.
class EventPrinter {
 public:
  EventPrinter(std::string format, bool color) : format_(std::move(format)), color_(color) {}

  bool Feed(std::string_view data) {
    pending_.append(data);
    size_t end = 0;
    while ((end = pending_.find("\n\n")) != std::string::npos) {
      const std::string event = pending_.substr(0, end);
      pending_.erase(0, end + 2);
      if (!Print(event)) return false;
    }
    std::cout.flush();
    return true;
  }
  bool dropped() const { return dropped_; }

 private:
  bool Print(std::string_view event) {
    std::string_view name = "message";
    std::string data;
    for (std::string_view line : Split(event, '\n')) {
      if (line.starts_with("event: ")) {
        name = line.substr(7);
      } else if (line.starts_with("data: ")) {
        if (!data.empty()) data += "\n";
        data += line.substr(6);
      }
    }
    if (data.empty()) return true;  // a comment (heartbeat) or `retry:`
    simdjson::dom::element doc;
    if (parser_.parse(data).get(doc)) {
      std::cerr << "mayak tail: the server sent an event that is not JSON: " << data << "\n";
      return true;
    }
    if (name == "message") {
      if (format_ == "ndjson") {
        std::cout << data << "\n";
      } else {
        std::string_view s;
        if (!doc["system"].get(s)) system_width_ = std::max(system_width_, s.size());
        if (!doc["service.name"].get(s)) service_width_ = std::max(service_width_, s.size());
        std::cout << RecordLine(doc, system_width_, service_width_, color_);
      }
      return true;
    }
    std::string_view message;
    if (doc["message"].get(message)) message = data;
    std::cerr << "mayak tail: " << message << "\n";
    if (name == "dropped") {
      dropped_ = true;
      return false;
    }
    return true;
  }

  const std::string format_;
  const bool color_;
  std::string pending_;
  simdjson::dom::parser parser_;
  // Columns only widen, so that lines stay aligned as services appear.
  size_t system_width_ = 6;
  size_t service_width_ = 7;
  bool dropped_ = false;
};

int RunTail(const TailFlags& flags) {
  auto client = HttpClient::Create(flags.server.empty() ? DefaultServerUrl() : flags.server);
  if (!client.ok()) {
    std::cerr << "mayak tail: " << StatusMessage(client.status()) << "\n";
    return 2;
  }
  const std::string target = StrCat("/api/v1/tail?query=", PercentEncode(flags.query),
                                    "&lines=", flags.lines, "&from=", PercentEncode(flags.from));
  EventPrinter printer(flags.format, flags.format == "table" && StdoutWantsColor());
  auto reply = (*client)->Stream("GET", target, "", {{"Accept", "text/event-stream"}},
                                 [&printer](std::string_view data) { return printer.Feed(data); });
  if (!reply.ok()) {
    std::cerr << "mayak tail: " << StatusMessage(reply.status()) << "\n";
    return 1;
  }
  if (reply->status != 200) {
    PrintServerError("mayak tail", reply->status, reply->body, flags.query);
    return 1;
  }
  if (printer.dropped()) return 1;
  std::cerr << "mayak tail: the server ended the tail (it is shutting down)\n";
  return 1;
}

}  // namespace

Command AddTailCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "tail",
      "Follow the logs of a running server as they arrive, after the newest stored; Ctrl-C "
      "stops.\n"
      "Examples:\n"
      "  mayak tail\n"
      "  mayak tail 'log.level:error'\n"
      "  mayak tail 'service.name:shop-api and http.response.status_code >= 500' -n 0\n"
      "  mayak tail 'order.id:10442' --format ndjson | jq .");
  auto flags = std::make_shared<TailFlags>();
  cmd->add_option("query", flags->query,
                  "A KQL filter without pipes (docs/query-language.md; empty: everything), "
                  "e.g. 'log.level:error'");
  cmd->add_option("--lines,-n", flags->lines,
                  "Stored records to print first, the newest of --from, e.g. -n 50")
      ->capture_default_str()
      ->check(CLI::Range(0, 10000));
  cmd->add_option("--from", flags->from,
                  "How far back --lines looks: 15m, 1h, 7d, now-1h, RFC 3339, e.g. --from 1d")
      ->capture_default_str();
  cmd->add_option("--format,-f", flags->format,
                  "table (colours on a terminal) or ndjson (one record a line), "
                  "e.g. --format ndjson")
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "ndjson"}));
  cmd->add_option("--server,-s", flags->server,
                  "Server URL (default $MAYAK_SERVER or http://127.0.0.1:7011), e.g. --server "
                  "http://logs.internal:7011");
  return {cmd, [flags] { return RunTail(*flags); }};
}

}  // namespace mayak
