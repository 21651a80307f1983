// Early-return helpers for absl::Status and absl::StatusOr, so that error
// paths read as one line each.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define MAYAK_CONCAT_INNER(a, b) a##b
#define MAYAK_CONCAT(a, b) MAYAK_CONCAT_INNER(a, b)

// Returns the status from the enclosing function when `expr` is not OK.
#define RETURN_IF_ERROR(expr)                      \
  do {                                             \
    ::absl::Status mayak_status_ = (expr);         \
    if (!mayak_status_.ok()) return mayak_status_; \
  } while (false)

// `ASSIGN_OR_RETURN(auto x, Foo());` declares x from an OK StatusOr, or returns
// its status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  MAYAK_ASSIGN_OR_RETURN_IMPL(MAYAK_CONCAT(mayak_statusor_, __LINE__), lhs, expr)
#define MAYAK_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(*tmp)

#include <string_view>

namespace mayak {

// A status's message as a std::string_view (Debian's Abseil returns its own
// absl::string_view type).
inline std::string_view StatusMessage(const absl::Status& status) {
  const auto m = status.message();
  return {m.data(), m.size()};
}

}  // namespace mayak
