// Runs the declarative query tests, test/queries/*.test: each file holds
// records and queries with the results they must give (as DuckDB's
// sqllogictest files do). The format:
//
//   # a comment
//   records
//   {"@timestamp":"2026-11-24T10:00:00Z","id":1,"message":"payment failed", ...}
//   ...                                     (up to a blank line)
//   records from company.ndjson             (or records in a file beside it)
//
//   query service.name:shop-api and not log.level:info
//   ----
//   ids 3 1                                 (the hits' `id`s, newest first)
//
//   query * | stats count() by service.name
//   ----
//   service.name | count()                  (a table: columns, then rows;
//   shop-api | 2                             NULL where a row has no value)
//
//   query a | stats total(x)
//   ----
//   error query_syntax: expected an aggregation ... at position 10
//
//   range 2026-11-24T10:00:00Z 2026-11-24T10:04:59Z   (the time range of the
//                                           queries after it; default: all time)
//   timezone Europe/Moscow                  (the `timezone` of the queries
//                                           after it; default: none, UTC)
//
// The records go in through POST /api/v1/logs and each query through
// GET /api/v1/query, as a client sends them; every query runs twice, on the
// records in memory and again once they are flushed to segments (small row
// groups), and must give the same result both times.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "api/routes.h"
#include "common/strings.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "storage/embedded_log_store.h"
#include "support/route_call.h"
#include "support/temp_dir.h"

namespace mayak {
namespace {

struct QueryCase {
  int line = 0;
  std::string query;
  std::string from = "0";
  std::string to = "2100-01-01T00:00:00Z";
  std::string timezone;
  std::string expected;  // lines joined with '\n'
};

struct QueryFile {
  std::string records;  // NDJSON
  std::vector<QueryCase> cases;
};

// Reads a .test file; a malformed one fails the test with its line.
QueryFile ReadQueryFile(const std::string& path) {
  std::ifstream in(path);
  QueryFile file;
  std::string line;
  int number = 0;
  enum class State { kTop, kRecords, kQuery, kExpected } state = State::kTop;
  QueryCase current;
  QueryCase range;  // the time range of the next queries
  std::vector<std::string> expected;
  const auto finish_case = [&] {
    current.expected = Join(expected, "\n");
    file.cases.push_back(current);
    expected.clear();
    state = State::kTop;
  };
  while (std::getline(in, line)) {
    ++number;
    switch (state) {
      case State::kTop:
        if (line.empty() || line[0] == '#') break;
        if (line == "records") {
          state = State::kRecords;
        } else if (line.starts_with("records from ")) {
          // NDJSON shared by several files, beside them.
          const std::filesystem::path shared =
              std::filesystem::path(path).parent_path() / line.substr(13);
          std::ifstream ndjson(shared);
          if (!ndjson) ADD_FAILURE() << path << ":" << number << ": cannot read " << shared;
          std::stringstream text;
          text << ndjson.rdbuf();
          file.records += text.str();
        } else if (line.starts_with("range ")) {
          const std::vector<std::string> parts = absl::StrSplit(line.substr(6), ' ');
          if (parts.size() != 2) ADD_FAILURE() << path << ":" << number << ": range FROM TO";
          if (parts.size() == 2) {
            range.from = parts[0];
            range.to = parts[1];
          }
        } else if (line.starts_with("timezone ")) {
          range.timezone = line.substr(9);
        } else if (line.starts_with("query ")) {
          current = range;
          current.line = number;
          current.query = line.substr(6);
          state = State::kQuery;
        } else {
          ADD_FAILURE() << path << ":" << number << ": expected `records` or `query ...`";
        }
        break;
      case State::kRecords:
        if (line.empty()) {
          state = State::kTop;
        } else {
          file.records += line + "\n";
        }
        break;
      case State::kQuery:
        if (line != "----") {
          ADD_FAILURE() << path << ":" << number << ": expected ---- after the query";
        }
        state = State::kExpected;
        break;
      case State::kExpected:
        if (line.empty()) {
          finish_case();
        } else {
          expected.push_back(line);
        }
        break;
    }
  }
  if (state == State::kExpected) finish_case();
  return file;
}

// A JSON scalar as the expected results write it: text bare, null as NULL.
std::string Cell(simdjson::dom::element value) {
  if (value.is_null()) return "NULL";
  if (value.is_string()) return std::string(value.get_string().value_unsafe());
  return simdjson::minify(value);
}

// The reply as the expected results write it.
std::string Render(const HttpResponse& response) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(response.body).get(doc)) return "unparsable reply: " + response.body;
  if (response.status != 200) {
    std::string_view code, message;
    if (doc["error"]["code"].get(code) || doc["error"]["message"].get(message)) {
      return StrCat("error without code and message: ", response.body);
    }
    return StrCat("error ", code, ": ", message);
  }
  std::vector<std::string> lines;
  simdjson::dom::array hits;
  if (!doc["hits"].get(hits)) {
    std::string ids = "ids";
    for (simdjson::dom::element hit : hits) {
      simdjson::dom::element id;
      ids += " " + (hit["id"].get(id) ? std::string("?") : Cell(id));
    }
    return ids;
  }
  simdjson::dom::array columns;
  simdjson::dom::array rows;
  if (doc["columns"].get(columns) || doc["rows"].get(rows))
    return "no hits, no table: " + response.body;
  std::vector<std::string> header;
  for (simdjson::dom::element c : columns) header.push_back(Cell(c));
  lines.push_back(Join(header, " | "));
  for (simdjson::dom::element row : rows) {
    std::vector<std::string> cells;
    simdjson::dom::array values;
    if (row.get(values)) return "a row that is no array: " + response.body;
    for (simdjson::dom::element v : values) cells.push_back(Cell(v));
    lines.push_back(Join(cells, " | "));
  }
  bool truncated = false;
  if (!doc["truncated"].get(truncated) && truncated) lines.emplace_back("(truncated)");
  return Join(lines, "\n");
}

class QueryFileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(QueryFileTest, GivesTheExpectedResults) {
  const std::string path = GetParam();
  const QueryFile file = ReadQueryFile(path);
  ASSERT_FALSE(file.cases.empty()) << path << " has no queries";

  testing::TempDir dir;
  MetricsRegistry metrics;
  EmbeddedLogStoreOptions options;
  options.dir = dir.path();
  options.row_group_rows = 4;  // several row groups, so that pruning and merging of results count
  options.scan_threads = 2;
  auto store = EmbeddedLogStore::Open(options, &metrics);
  ASSERT_TRUE(store.ok()) << store.status();
  ServerState state;
  state.store = store->get();
  state.phase = ServerPhase::kReady;
  Router router;
  ApiLimits limits;
  AddIngestRoutes(&router, &state, limits, &metrics);
  AddSearchRoutes(&router, &state, limits);

  if (!file.records.empty()) {
    const HttpResponse ingested = testing::CallRoute(router, "POST", "/api/v1/logs", file.records);
    ASSERT_EQ(ingested.status, 200) << ingested.body;
    ASSERT_NE(ingested.body.find("\"rejected\":0"), std::string::npos) << ingested.body;
  }
  const auto run = [&router](const QueryCase& c) {
    HttpRequest request;
    request.method = "GET";
    request.path = "/api/v1/query";
    request.params = {{"q", c.query}, {"from", c.from}, {"to", c.to}, {"limit", "1000"}};
    if (!c.timezone.empty()) request.params.emplace("timezone", c.timezone);
    return Render(testing::CallRoute(router, std::move(request)));
  };
  for (const char* where : {"in memory", "in segments"}) {
    if (std::string_view(where) == "in segments") {
      ASSERT_TRUE((*store)->Flush().ok());
    }
    for (const QueryCase& c : file.cases) {
      EXPECT_EQ(run(c), c.expected) << std::filesystem::path(path).filename().string() << ":"
                                    << c.line << ": " << c.query << " (records " << where << ")";
    }
  }
  (*store)->Close();
}

std::vector<std::string> QueryFiles() {
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(MAYAK_SOURCE_DIR) + "/test/queries")) {
    if (entry.path().extension() == ".test") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

INSTANTIATE_TEST_SUITE_P(Files, QueryFileTest, ::testing::ValuesIn(QueryFiles()),
                         [](const ::testing::TestParamInfo<std::string>& file) {
                           std::string name = std::filesystem::path(file.param).stem().string();
                           for (char& c : name) {
                             if (!IsAsciiAlnum(c)) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace mayak
