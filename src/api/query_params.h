// The parameters the query endpoints share (/api/v1/query, /fields,
// /histogram): the query, the time range and named numbers, from the query
// string, a form body or a JSON body, checked as one place so that every
// endpoint refuses bad input alike.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "api/http_message.h"
#include "api/routes.h"
#include "query/filter.h"
#include "storage/log_store.h"

namespace mayak {

struct QueryParams {
  std::string q;  // `q` or `query`
  int64_t from_ns = 0;
  int64_t to_ns = 0;
  std::map<std::string, std::string> values;  // every parameter, as text
  // limits.query_timeout and limits.query_memory from now; stops when the
  // client hangs up.
  QueryBudget budget;
  // `timezone` (default UTC): times without an offset in `from` and `to`
  // are read in it, and time buckets align to its midnights.
  absl::TimeZone time_zone = absl::UTCTimeZone();

  // `name` as a whole number from `min` to `max`, `fallback` when absent; on
  // bad input sets `error` (400 naming the parameter and the range).
  std::optional<uint64_t> Count(const std::string& name, uint64_t fallback, uint64_t min,
                                uint64_t max, const std::string& limit_name,
                                HttpResponse* error) const;
};

// Reads the parameters; the time range defaults to the last 15 minutes. On
// bad input returns false with the 400 response to send in `error`.
bool ReadQueryParams(const HttpRequest& request, const ApiLimits& limits, QueryParams* params,
                     HttpResponse* error);

// The filter of an endpoint that takes no pipes (`endpoint` names it in
// the error); on bad input nullopt with the 400 to send in `error`.
std::optional<Filter> ParseFilterOnly(const QueryParams& params, std::string_view endpoint,
                                      HttpResponse* error);

// A store's answer to a query that did not work out: 504 `query_timeout`
// past its deadline, 422 `query_too_large` over its memory, 499
// `client_closed_request` when the client left, else 500 `search_failed`.
HttpResponse QueryFailed(const absl::Status& status);

// A query the filter or pipe parser refused: 400 `query_syntax` with the
// position it names, so that clients can point at it (the CLI prints a
// caret there).
HttpResponse QuerySyntaxError(const absl::Status& status);

}  // namespace mayak
