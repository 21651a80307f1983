// The filter part of Mayak's query language: Kibana's KQL
// (docs/query-language.md), parsed into a tree.
//
//   http.response.status_code >= 500 and not service.name:(crm-api or mes-api)
//   url.path:/api/orders/* and event.duration > 2s
//   error.stack_trace:* or "connection refused"
//
// Precedence, highest first: `not`, `and`, `or` (keywords in any case);
// parentheses group. As in KQL, words of one unquoted value are
// alternatives (`status:400 404` is `status:400 or status:404`), a quoted
// value is a phrase, and `\` escapes the next character. Errors name the
// position (0-based, in bytes) and what was expected there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace mayak::kql {

enum class NodeKind : uint8_t {
  kAll,     // the empty query: every record
  kAnd,     // every child
  kOr,      // any child
  kNot,     // not its one child
  kMatch,   // field:value (no field: the default fields, `message`)
  kRange,   // field < value, <=, >, >=
  kExists,  // field:*
};

enum class RangeOp : uint8_t { kLess, kLessEqual, kGreater, kGreaterEqual };

// A value as written, unescaped.
struct Value {
  std::string text;
  bool quoted = false;  // a phrase: never a wildcard
  // Offsets in `text` of the `*` that are wildcards (unquoted, unescaped).
  std::vector<size_t> wildcards;

  bool operator==(const Value&) const = default;
};

struct Node {
  NodeKind kind = NodeKind::kAll;
  std::vector<Node> children;   // kAnd and kOr (two or more), kNot (one)
  std::string field;            // kMatch (empty: the default fields), kRange, kExists
  Value value;                  // kMatch, kRange
  RangeOp op = RangeOp::kLess;  // kRange
  size_t position = 0;          // where the node starts in the query

  bool operator==(const Node&) const = default;
};

// Parses a filter. A syntax error is InvalidArgument with a message of the
// form "expected ... at position N" (see SyntaxPosition).
absl::StatusOr<Node> Parse(std::string_view query);

// The position a syntax error from Parse names, or -1.
int64_t SyntaxPosition(const absl::Status& status);

// The query and, below it, a caret under `position`, for terminals:
//   service.name:(shop or
//                        ^
std::string Caret(std::string_view query, size_t position);

// A canonical text of the tree, fully parenthesized: for tests and the
// plan `--explain` prints, e.g. (status:500 AND NOT service.name:"crm api").
std::string ToString(const Node& node);

// `text` as a quoted KQL value that matches it exactly: "a \"b\"" (for
// filters a program writes, such as the context of a record).
std::string Quoted(std::string_view text);

}  // namespace mayak::kql
