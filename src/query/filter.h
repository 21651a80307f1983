// The search filter: a KQL query (query/kql.h, docs/query-language.md)
// compiled for evaluation on records, on decoded columns
// (storage/batch_filter.h) and against row group statistics
// (storage/row_group_pruner.h).
//
//   service.name:shop-api and http.response.status_code >= 500
//   "connection refused" or error.type:(TimeoutError or DeadlockDetected)
//
// A `field:value` term matches a field exactly (log.level in any case,
// message by words, `*` as a wildcard in strings); a bare word or "phrase"
// matches words of `message`; `field < value` compares numbers (durations
// such as 2s and sizes such as 10MB are numbers) and timestamps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/log_record.h"
#include "query/kql.h"

namespace mayak {

struct FilterTerm {
  enum class Kind : uint8_t { kMatch, kExists, kRange };
  Kind kind = Kind::kMatch;
  std::string field;                // empty: a bare word or phrase in message
  std::string value;                // as written, unescaped
  std::vector<std::string> tokens;  // value's words, for message matching
  bool exists = false;              // field:* (kind kExists)
  bool wildcard = false;            // value holds `*` wildcards (strings)
  // kRange: the comparison and its bound, as a number when the value reads
  // as one (an integer, a decimal, a duration in nanoseconds, a size in
  // bytes, a time for @timestamp), else compared as text.
  kql::RangeOp op = kql::RangeOp::kLess;
  std::optional<int64_t> int_bound;
  std::optional<double> double_bound;

  // Whether `actual` satisfies a kMatch or kRange term (exists is the
  // caller's business: a value is there).
  bool ValueMatches(const AttributeValue& actual) const;
  // The same for a text value, which need not be made an AttributeValue.
  bool TextMatches(std::string_view actual) const;
  bool Compare(int64_t actual) const;
  bool Compare(double actual) const;
  bool Compare(std::string_view actual) const;
};

// Whether `actual` op `bound` holds (actual < bound, ...).
template <typename T>
bool RangeAccepts(kql::RangeOp op, const T& actual, const T& bound) {
  switch (op) {
    case kql::RangeOp::kLess:
      return actual < bound;
    case kql::RangeOp::kLessEqual:
      return actual <= bound;
    case kql::RangeOp::kGreater:
      return actual > bound;
    case kql::RangeOp::kGreaterEqual:
      return actual >= bound;
  }
  return false;
}

// The filter's tree: terms joined by and, or, not.
struct FilterNode {
  enum class Kind : uint8_t { kAll, kAnd, kOr, kNot, kTerm };
  Kind kind = Kind::kAll;
  std::vector<FilterNode> children;
  size_t term = 0;  // kTerm: index into Filter::terms()
};

class Filter {
 public:
  // An empty query matches everything. Errors name the position (0-based) of
  // the problem: "expected ... at position N" (kql::SyntaxPosition).
  static absl::StatusOr<Filter> Parse(std::string_view query);

  bool Matches(const LogRecord& record) const;
  static bool TermMatches(const FilterTerm& term, const LogRecord& record);

  // Every term of the tree, in the order written.
  const std::vector<FilterTerm>& terms() const { return terms_; }
  const FilterNode& root() const { return root_; }

 private:
  std::vector<FilterTerm> terms_;
  FilterNode root_;
};

}  // namespace mayak
