#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <set>
#include <string_view>
#include <vector>

#include "api/http_message.h"
#include "client/http_client.h"
#include "commands.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "query/kql.h"
#include "record_output.h"
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
  std::string timezone;
  std::string kind = "logs";
  bool explain = false;
};

// A CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string CsvCell(simdjson::dom::element value) {
  return value.is_null() ? std::string() : CsvField(FieldText(value));
}

// A table as CSV: the header, then a line a row (missing values empty).
void PrintCsvTable(simdjson::dom::array columns, simdjson::dom::array rows) {
  std::vector<std::string> header;
  for (simdjson::dom::element c : columns) header.push_back(CsvCell(c));
  std::cout << Join(header, ",") << "\r\n";
  for (simdjson::dom::element row : rows) {
    std::vector<std::string> cells;
    const simdjson::dom::array values = row.get_array().value_unsafe();
    for (simdjson::dom::element v : values) cells.push_back(CsvCell(v));
    std::cout << Join(cells, ",") << "\r\n";
  }
}

// Hits as CSV: a column for every field any hit has, the record's own
// fields first, its `_id` last.
void PrintCsvHits(simdjson::dom::array hits) {
  std::vector<std::string> columns = {"@timestamp", "log.level", "system", "service.name",
                                      "message"};
  std::set<std::string, std::less<>> seen(columns.begin(), columns.end());
  seen.insert("_id");
  for (simdjson::dom::element hit : hits) {
    const simdjson::dom::object fields = hit.get_object().value_unsafe();
    for (auto [key, value] : fields) {
      if (seen.insert(std::string(key)).second) columns.emplace_back(key);
    }
  }
  columns.emplace_back("_id");
  std::vector<std::string> header;
  for (const std::string& c : columns) header.push_back(CsvField(c));
  std::cout << Join(header, ",") << "\r\n";
  for (simdjson::dom::element hit : hits) {
    std::vector<std::string> cells;
    for (const std::string& c : columns) {
      simdjson::dom::element value;
      cells.push_back(hit[c].get(value) ? std::string() : CsvCell(value));
    }
    std::cout << Join(cells, ",") << "\r\n";
  }
}

// One line per hit, the system and service columns as wide as the widest.
void PrintTable(simdjson::dom::array hits, bool color) {
  size_t system_width = 6;
  size_t service_width = 7;
  for (simdjson::dom::element hit : hits) {
    std::string_view s;
    if (!hit["system"].get(s)) system_width = std::max(system_width, s.size());
    if (!hit["service.name"].get(s)) service_width = std::max(service_width, s.size());
  }
  for (simdjson::dom::element hit : hits) {
    std::cout << RecordLine(hit, system_width, service_width, color);
  }
}

// A piped query's table (`| stats`, `| timechart`, `| fields`, ...):
// aligned columns, numbers to the right.
void PrintRows(simdjson::dom::array columns, simdjson::dom::array rows) {
  std::vector<std::vector<std::string>> cells(1);
  std::vector<bool> numeric;
  for (simdjson::dom::element c : columns) {
    cells[0].push_back(FieldText(c));
    numeric.push_back(true);
  }
  for (simdjson::dom::element row : rows) {
    std::vector<std::string> line;
    size_t i = 0;
    const simdjson::dom::array values = row.get_array().value_unsafe();
    for (simdjson::dom::element value : values) {
      // A row without a value there: a dash, which keeps numbers right-aligned.
      if (i < numeric.size() && !value.is_number() && !value.is_null()) numeric[i] = false;
      line.push_back(value.is_null() ? "-" : FieldText(value));
      ++i;
    }
    cells.push_back(std::move(line));
  }
  std::vector<size_t> width(numeric.size(), 0);
  for (const auto& line : cells) {
    for (size_t i = 0; i < line.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], line[i].size());
    }
  }
  for (const auto& line : cells) {
    std::string text;
    for (size_t i = 0; i < line.size() && i < width.size(); ++i) {
      const std::string pad(width[i] - line[i].size(), ' ');
      if (i > 0) text += "  ";
      text += numeric[i] ? pad + line[i] : line[i] + (i + 1 < line.size() ? pad : "");
    }
    std::cout << text << "\n";
  }
}

// The plan of a reply with explain=true, to standard error: the filter as
// parsed, and what the indexes let the scan skip.
void PrintPlan(simdjson::dom::element doc) {
  simdjson::dom::element plan;
  if (doc["plan"].get(plan)) return;
  const auto n = [&plan](const char* key) {
    uint64_t v = 0;
    return plan[key].get(v) ? uint64_t{0} : v;
  };
  std::string_view filter;
  if (plan["filter"].get(filter)) filter = "?";
  std::cerr << "plan: filter " << filter << "\n"
            << "  segments: " << n("segments") << ", " << n("segments_skipped_by_time")
            << " skipped by time\n"
            << "  row groups of the segments in range: " << n("row_groups") << ", "
            << n("row_groups_skipped_by_time") << " skipped by time, "
            << n("row_groups_skipped_by_index") << " by Bloom filters and value ranges, "
            << n("row_groups_read") << " read\n"
            << "  records in memory (not yet in segments), each tested: " << n("memory_records")
            << "\n";
}

int RunQuery(const QueryFlags& flags) {
  auto client = HttpClient::Create(flags.server.empty() ? DefaultServerUrl() : flags.server);
  if (!client.ok()) {
    std::cerr << "mayak query: " << StatusMessage(client.status()) << "\n";
    return 2;
  }
  const std::string target = StrCat(
      "/api/v1/query?q=", PercentEncode(flags.query), "&from=", PercentEncode(flags.from),
      "&to=", PercentEncode(flags.to), "&limit=", flags.limit,
      flags.timezone.empty() ? "" : "&timezone=" + PercentEncode(flags.timezone),
      flags.explain ? "&explain=true" : "", flags.kind == "logs" ? "" : "&kind=" + flags.kind);
  if (flags.format == "ndjson" && flags.explain) {
    std::cerr << "mayak query: --explain prints the plan beside table, json or csv output; "
                 "ndjson is records only: drop one of the two\n";
    return 2;
  }
  if (flags.format == "ndjson") {
    // The server streams it: the first lines print while the rest arrive.
    auto streamed = (*client)->Stream(
        "GET", target, "", {{"Accept", "application/x-ndjson"}}, [](std::string_view data) {
          std::cout.write(data.data(), static_cast<std::streamsize>(data.size()));
          return static_cast<bool>(std::cout);
        });
    if (!streamed.ok()) {
      std::cerr << "mayak query: " << StatusMessage(streamed.status()) << "\n";
      return 1;
    }
    if (streamed->status != 200) {
      PrintServerError("mayak query", streamed->status, streamed->body, flags.query);
      return 1;
    }
    return 0;
  }
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
    PrintServerError("mayak query", reply->status, reply->body, flags.query);
    return 1;
  }
  simdjson::dom::array hits;
  simdjson::dom::array columns;
  simdjson::dom::array rows;
  uint64_t total = 0;
  int64_t took_ms = 0;
  if (!doc["columns"].get(columns) && !doc["rows"].get(rows)) {  // a piped query's table
    if (flags.format == "json") {
      std::cout << reply->body << "\n";
    } else if (flags.format == "csv") {
      PrintCsvTable(columns, rows);
    } else {
      PrintRows(columns, rows);
      if (!doc["took_ms"].get(took_ms)) std::cerr << rows.size() << " rows, " << took_ms << " ms\n";
      bool truncated = false;
      if (!doc["truncated"].get(truncated) && truncated) {
        std::cerr << "only the newest matching records went through the pipes "
                     "(limits.max_search_hits)\n";
      }
      simdjson::dom::array approximate;
      if (!doc["approximate"].get(approximate)) {
        for (simdjson::dom::element c : approximate) {
          std::cerr << FieldText(c) << " is an estimate (over 100,000 distinct values)\n";
        }
      }
    }
    PrintPlan(doc);
    return 0;
  }
  if (doc["hits"].get(hits) || doc["total"].get(total) || doc["took_ms"].get(took_ms)) {
    std::cerr << "mayak query: unexpected reply from the server\n";
    return 1;
  }
  if (flags.format == "json") {
    std::cout << reply->body << "\n";
  } else if (flags.format == "csv") {
    PrintCsvHits(hits);
  } else {
    PrintTable(hits, StdoutWantsColor());
    std::cerr << hits.size() << " of " << total << " hits, " << took_ms << " ms\n";
  }
  PrintPlan(doc);
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
      "  mayak query 'http.response.status_code >= 500 and not service.name:(crm-api or "
      "mes-api)'\n"
      "  mayak query '\"connection refused\"' --from 2026-11-24T08:00:00Z --to now-1h\n"
      "  mayak query 'order.id:10442' --from 7d --format ndjson | jq .\n"
      "  mayak query 'log.level:error | stats count() by service.name' --from 1h\n"
      "  mayak query 'http.response.status_code:500 | timechart span=5m count()' --from 1d\n"
      "  mayak query 'event.duration:* | stats p95(event.duration) as p95 by url.path | sort -p95 "
      "| head 10'\n"
      "  mayak query '* | top 10 client.ip' --from 1h\n"
      "  mayak query 'log.level:error | patterns | head 10' --from 1h");
  auto flags = std::make_shared<QueryFlags>();
  cmd->add_option(
      "query", flags->query,
      "A KQL filter (docs/query-language.md; empty: everything): field:value,\n"
      "words, \"phrases\", field:*, wildcards, ranges (event.duration > 2s), and/or/not,\n"
      "parentheses; then optionally pipes: `| stats count(), avg(f), p95(f) by f1, f2`,\n"
      "`| timechart span=1m <aggs> [by f]`, `| top N f`, `| rare N f`, `| patterns`,\n"
      "`| sort -c`, "
      "`| fields a, b`, `| head N`, `| where <filter>`; e.g. 'order.id:10442'");
  cmd->add_option(
         "--from", flags->from,
         "Start: a duration ago (15m, 1h, 7d), now-1h, RFC 3339 or epoch ms, e.g. --from 1h")
      ->capture_default_str();
  cmd->add_option("--to", flags->to, "End, in the same forms as --from, e.g. --to now-5m")
      ->capture_default_str();
  cmd->add_option("--limit,-n", flags->limit, "Most hits to print, e.g. -n 20")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  cmd->add_option("--format,-f", flags->format,
                  "table (colours on a terminal), json (the server's reply), ndjson (one hit "
                  "or row a line) or csv (a header, then a line each), e.g. --format csv")
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "json", "ndjson", "csv"}));
  cmd->add_option("--timezone,--tz", flags->timezone,
                  "Read --from/--to without an offset in this zone and align timechart days "
                  "to its midnights (default UTC), e.g. --timezone Europe/Moscow or --tz +03:00");
  cmd->add_option("--kind,-k", flags->kind,
                  "What to search: logs, or spans (one row a span: message is its name, "
                  "event.duration its length; docs/tracing.md), e.g. --kind spans "
                  "'service.name:shop | stats p95(event.duration) by message'")
      ->capture_default_str()
      ->check(CLI::IsMember({"logs", "spans"}));
  cmd->add_flag("--explain", flags->explain,
                "After the results, print the plan to standard error: the filter as parsed, "
                "segments and row groups read and skipped (by time, by Bloom filters and "
                "value ranges), e.g. --explain (not with --format ndjson, a stream of "
                "records only)");
  cmd->add_option("--server,-s", flags->server,
                  "Server URL (default $MAYAK_SERVER or http://127.0.0.1:7011), e.g. --server "
                  "http://logs.internal:7011");
  return {cmd, [flags] { return RunQuery(*flags); }};
}

}  // namespace mayak
