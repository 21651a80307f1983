#include "agent/postgresql_parser.h"

#include <string>
#include <vector>

#include "common/strings.h"
#include "re2/re2.h"

namespace mayak::agent {
namespace {

constexpr std::string_view kSeverities =
    "DEBUG[1-5]?|LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|QUERY|CONTEXT|LOCATION|"
    "STATEMENT";
constexpr std::string_view kEntrySeverities =
    "DEBUG[1-5]?|LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC";
// A csvlog record begins with its log_time.
constexpr std::string_view kCsvStart =
    R"(^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?(?: [^,]*)?,)";
constexpr std::string_view kTimeRegex =
    R"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?(?: [A-Za-z][A-Za-z0-9_/+-]*|[+-]\d{2}(?::?\d{2})?)?)";

std::string_view LevelOf(std::string_view severity) {
  if (severity == "ERROR" || severity == "FATAL" || severity == "PANIC") return "ERROR";
  if (severity == "WARNING") return "WARN";
  if (severity.rfind("DEBUG", 0) == 0) return "DEBUG";
  return "INFO";
}

// "duration: 612.345 ms  statement: SELECT ..." (also "execute <unnamed>: ...",
// "parse ...", "bind ..."): the milliseconds and the statement, if any.
bool ParseDuration(std::string_view message, double* ms, std::string_view* statement) {
  if (message.rfind("duration: ", 0) != 0) return false;
  message.remove_prefix(10);
  const size_t unit = message.find(" ms");
  if (unit == std::string_view::npos || !ParseDouble(message.substr(0, unit), ms)) return false;
  message.remove_prefix(unit + 3);
  *statement = {};
  message = StripWhitespace(message);
  if (message.rfind("statement: ", 0) == 0) {
    *statement = message.substr(11);
  } else if (const size_t colon = message.find(": ");
             colon != std::string_view::npos &&
             (message.rfind("execute ", 0) == 0 || message.rfind("parse ", 0) == 0 ||
              message.rfind("bind ", 0) == 0)) {
    *statement = message.substr(colon + 2);
  }
  return true;
}

// What one log entry says, from either format.
struct Entry {
  std::string_view time, pid, user, db, host, app, sqlstate, severity;
  std::string message;
  std::string detail, hint, context, query, statement, location;
};

void WriteEntry(const Entry& e, int64_t slow_query_ms, std::string_view text, EventFields* fields) {
  fields->String("message", text);
  if (!e.time.empty()) fields->Time("time", e.time);
  fields->String("db.system", "postgresql");
  fields->String("postgresql.severity", e.severity);
  int64_t pid = 0;
  if (ParseInt(e.pid, &pid)) fields->Int("process.pid", pid);
  if (!e.user.empty() && e.user != "[unknown]") fields->String("user.name", e.user);
  if (!e.db.empty() && e.db != "[unknown]") fields->String("db.name", e.db);
  if (!e.host.empty() && e.host != "[local]") fields->String("client.address", e.host);
  if (!e.app.empty() && e.app != "[unknown]") fields->String("process.name", e.app);
  if (!e.sqlstate.empty() && e.sqlstate != "00000") fields->String("db.sqlstate", e.sqlstate);
  if (!e.detail.empty()) fields->String("postgresql.detail", e.detail);
  if (!e.hint.empty()) fields->String("postgresql.hint", e.hint);
  if (!e.context.empty()) fields->String("postgresql.context", e.context);
  if (!e.query.empty()) fields->String("postgresql.query", e.query);
  if (!e.location.empty()) fields->String("postgresql.location", e.location);

  std::string_view level = LevelOf(e.severity);
  std::string_view statement = e.statement;
  double ms = 0;
  std::string_view duration_statement;
  if (e.severity == "LOG" && ParseDuration(e.message, &ms, &duration_statement)) {
    fields->Int("event.duration", static_cast<int64_t>(ms * 1e6));
    if (statement.empty()) statement = duration_statement;
    const bool slow = ms >= static_cast<double>(slow_query_ms);
    if (slow) level = "WARN";
    fields->String("event.action", slow ? "db.slow_query" : "db.query");
  } else if (level == "ERROR") {
    fields->String("event.action", "db.error");
    fields->String("error.message", e.message);
  } else if (e.severity == "LOG" && e.message.rfind("statement: ", 0) == 0) {
    statement = std::string_view(e.message).substr(11);
    fields->String("event.action", "db.statement");
  }
  if (!statement.empty()) fields->String("db.statement", statement);
  fields->String("log.level", level);
}

// Appends a part of an entry (a DETAIL line, a statement's next line).
void AppendPart(std::string* to, std::string_view text) {
  if (!to->empty()) to->push_back('\n');
  to->append(text);
}

class StderrParser : public LineParser {
 public:
  StderrParser(std::unique_ptr<RE2> line, int64_t slow_query_ms)
      : line_(std::move(line)), slow_query_ms_(slow_query_ms) {
    values_.resize(static_cast<size_t>(line_->NumberOfCapturingGroups()) + 1);
    const auto& groups = line_->NamedCapturingGroups();
    const auto index = [&groups](const char* name) {
      auto it = groups.find(name);
      return it == groups.end() ? size_t{0} : static_cast<size_t>(it->second);
    };
    time_ = index("time");
    pid_ = index("pid");
    user_ = index("user");
    db_ = index("db");
    host_ = index("host");
    app_ = index("app");
    sqlstate_ = index("sqlstate");
    severity_ = index("severity");
    message_ = index("message");
  }

  void Parse(std::string_view text, EventFields* fields) override {
    Entry entry;
    std::string* part = nullptr;  // where a line without a prefix continues
    bool first = true;
    for (std::string_view line : Split(text, '\n')) {
      if (!line_->Match(line, 0, line.size(), RE2::UNANCHORED, values_.data(),
                        static_cast<int>(values_.size()))) {
        if (first) {
          fields->String("message", text);
          fields->ParseError("not a PostgreSQL log line with the configured log_line_prefix");
          return;
        }
        std::string_view continued = line;
        if (!continued.empty() && continued[0] == '\t') continued.remove_prefix(1);
        if (part != nullptr) AppendPart(part, continued);
        continue;
      }
      const std::string_view severity = Group(severity_);
      const std::string_view message = Group(message_);
      if (first) {
        first = false;
        entry.time = Group(time_);
        entry.pid = Group(pid_);
        entry.user = Group(user_);
        entry.db = Group(db_);
        entry.host = Group(host_);
        entry.app = Group(app_);
        entry.sqlstate = Group(sqlstate_);
        entry.severity = severity;
        entry.message = std::string(message);
        part = &entry.message;
        continue;
      }
      part = severity == "DETAIL"      ? &entry.detail
             : severity == "HINT"      ? &entry.hint
             : severity == "CONTEXT"   ? &entry.context
             : severity == "QUERY"     ? &entry.query
             : severity == "LOCATION"  ? &entry.location
             : severity == "STATEMENT" ? &entry.statement
                                       : &entry.message;
      AppendPart(part, message);
    }
    WriteEntry(entry, slow_query_ms_, text, fields);
  }

 private:
  // What group `index` captured in the last match; empty for 0 (not in the prefix).
  std::string_view Group(size_t index) const {
    return index == 0 ? std::string_view() : std::string_view(values_[index]);
  }

  std::unique_ptr<RE2> line_;
  int64_t slow_query_ms_;
  std::vector<re2::StringPiece> values_;  // by group index; 0 is the whole match
  // Group indices of the prefix's escapes and the entry's parts (0: absent).
  size_t time_, pid_, user_, db_, host_, app_, sqlstate_, severity_, message_;
};

// Splits one CSV record (RFC 4180 quoting; newlines inside quotes).
std::vector<std::string> SplitCsv(std::string_view text) {
  std::vector<std::string> columns(1);
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        columns.back().push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        columns.back().push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      columns.emplace_back();
    } else {
      columns.back().push_back(c);
    }
  }
  return columns;
}

class CsvlogParser : public LineParser {
 public:
  explicit CsvlogParser(int64_t slow_query_ms) : slow_query_ms_(slow_query_ms) {}

  void Parse(std::string_view text, EventFields* fields) override {
    // log_time, user_name, database_name, process_id, connection_from,
    // session_id, session_line_num, command_tag, session_start_time,
    // virtual_transaction_id, transaction_id, error_severity, sql_state_code,
    // message, detail, hint, internal_query, internal_query_pos, context,
    // query, query_pos, location, application_name, ...
    const std::vector<std::string> c = SplitCsv(text);
    if (c.size() < 23) {
      fields->String("message", text);
      fields->ParseError(StrCat("a csvlog record has 23 or more columns; this one has ", c.size()));
      return;
    }
    Entry entry;
    entry.time = c[0];
    entry.user = c[1];
    entry.db = c[2];
    entry.pid = c[3];
    std::string_view host = c[4];
    if (const size_t colon = host.rfind(':'); colon != std::string_view::npos) {
      host = host.substr(0, colon);  // "10.0.0.1:53412"
    }
    entry.host = host;
    entry.severity = c[11];
    entry.sqlstate = c[12];
    entry.message = c[13];
    entry.detail = c[14];
    entry.hint = c[15];
    entry.query = c[16];
    entry.context = c[18];
    entry.statement = c[19];
    entry.location = c[21];
    entry.app = c[22];
    WriteEntry(entry, slow_query_ms_, entry.message, fields);
  }

 private:
  int64_t slow_query_ms_;
};

}  // namespace

absl::StatusOr<std::string> LogLinePrefixRegex(std::string_view prefix) {
  std::string re;
  size_t optional_groups = 0;
  for (size_t i = 0; i < prefix.size(); ++i) {
    const char c = prefix[i];
    if (c != '%' || i + 1 == prefix.size()) {
      re += RE2::QuoteMeta(std::string_view(&c, 1));
      continue;
    }
    char escape = prefix[++i];
    // %-10u and the like: a padding width, which PostgreSQL fills with spaces.
    std::string pad;
    while ((escape == '-' || IsAsciiDigit(escape)) && i + 1 < prefix.size()) {
      pad = " *";
      escape = prefix[++i];
    }
    switch (escape) {
      case 'm':
      case 't':
      case 's':
        re += escape == 's' ? StrCat("(?:", kTimeRegex, ")") : StrCat("(?P<time>", kTimeRegex, ")");
        break;
      case 'n':
        re += R"((?P<time>\d+(?:\.\d+)?))";
        break;
      case 'p':
        re += R"((?P<pid>\d+))";
        break;
      case 'u':
        re += R"((?P<user>[^\s@\[\]]*|\[unknown\]))";
        break;
      case 'd':
        re += R"((?P<db>[^\s@\[\]]*|\[unknown\]))";
        break;
      case 'a':
        re += R"((?P<app>.*?))";
        break;
      case 'h':
        re += R"((?P<host>\S*?))";
        break;
      case 'r':
        re += R"((?P<host>\S*?)(?:\(\d+\))?)";
        break;
      case 'e':
        re += R"((?P<sqlstate>[0-9A-Z]{5}))";
        break;
      case 'l':
      case 'x':
        re += R"(\d+)";
        break;
      case 'c':
        re += R"([0-9a-f]+\.[0-9a-f]+)";
        break;
      case 'v':
        re += R"(\S*)";
        break;
      case 'i':
      case 'b':
        re += R"(.*?)";
        break;
      case 'Q':
        re += R"(-?\d+)";
        break;
      case 'q':
        // The rest appears only for session processes.
        re += "(?:";
        ++optional_groups;
        break;
      case '%':
        re += "%";
        break;
      default:
        return absl::InvalidArgumentError(StrCat("log_line_prefix: '%",
                                                 std::string_view(&escape, 1),
                                                 "' is not an escape "
                                                 "PostgreSQL knows"));
    }
    re += pad;
  }
  for (size_t i = 0; i < optional_groups; ++i) re += ")?";
  return re;
}

absl::StatusOr<MultilineConfig> PostgresqlMultiline(const PostgresqlConfig& config) {
  MultilineConfig multiline;
  multiline.max_lines = 1000;
  if (config.format == PostgresqlConfig::Format::kCsvlog) {
    multiline.start = std::string(kCsvStart);
    return multiline;
  }
  auto prefix = LogLinePrefixRegex(config.log_line_prefix);
  if (!prefix.ok()) return prefix.status();
  multiline.start = StrCat("^", *prefix, "(?:", kEntrySeverities, "):  ");
  return multiline;
}

absl::StatusOr<std::unique_ptr<LineParser>> MakePostgresqlParser(const PostgresqlConfig& config) {
  if (config.format == PostgresqlConfig::Format::kCsvlog) {
    return std::make_unique<CsvlogParser>(config.slow_query_ms);
  }
  auto prefix = LogLinePrefixRegex(config.log_line_prefix);
  if (!prefix.ok()) return prefix.status();
  RE2::Options options;
  options.set_log_errors(false);
  auto line = std::make_unique<RE2>(
      StrCat("^", *prefix, "(?P<severity>", kSeverities, "):  (?P<message>.*)$"), options);
  if (!line->ok()) {
    return absl::InvalidArgumentError(
        StrCat("log_line_prefix: cannot be matched: ", line->error()));
  }
  return std::make_unique<StderrParser>(std::move(line), config.slow_query_ms);
}

}  // namespace mayak::agent
