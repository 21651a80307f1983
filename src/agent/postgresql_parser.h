// PostgreSQL's server log, as `mayak agent` reads it (input type
// postgresql): the stderr format with the server's log_line_prefix, or
// csvlog. One event a log entry with its DETAIL, HINT, CONTEXT, QUERY and
// STATEMENT lines:
//   LOG: duration: N ms  statement: ...   at or above slow_query_ms: WARN,
//                                         event.action db.slow_query
//   ERROR, FATAL, PANIC                   ERROR, event.action db.error,
//                                         error.message, db.statement, db.sqlstate
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "agent/agent_config.h"
#include "agent/line_parser.h"

namespace mayak::agent {

absl::StatusOr<std::unique_ptr<LineParser>> MakePostgresqlParser(const PostgresqlConfig& config);

// The multiline rule that groups a log entry with its DETAIL/HINT/...
// lines and its statement's continuation lines.
absl::StatusOr<MultilineConfig> PostgresqlMultiline(const PostgresqlConfig& config);

// log_line_prefix as a regular expression with named groups (time, pid,
// user, db, host, app, sqlstate, ...), not anchored.
absl::StatusOr<std::string> LogLinePrefixRegex(std::string_view prefix);

}  // namespace mayak::agent
