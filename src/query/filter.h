// The search filter of the foundation's query syntax: terms joined by `and`.
//   service.name:shop and http.response.status_code:500 timeout
//   message:"connection refused" and order.id:10442
// A `field:value` term matches a field exactly (log.level case-insensitively,
// message by words); a bare word or "quoted phrase" matches words of
// `message`. The full KQL language replaces this parser (docs/http-api.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/log_record.h"

namespace mayak {

struct FilterTerm {
  std::string field;                // empty: a bare word or phrase in message
  std::string value;                // as written, unquoted
  std::vector<std::string> tokens;  // value's words, for message matching
  bool exists = false;              // field:* matches any record that has the field
};

class Filter {
 public:
  // An empty query matches everything. Errors name the position (0-based) of
  // the problem.
  static absl::StatusOr<Filter> Parse(std::string_view query);

  bool Matches(const LogRecord& record) const;
  const std::vector<FilterTerm>& terms() const { return terms_; }

 private:
  std::vector<FilterTerm> terms_;
};

}  // namespace mayak
