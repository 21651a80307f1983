// Early return on a non-OK absl::Status (or StatusOr), and a std::string_view of a
// status's message.
#pragma once

#include <string_view>
#include <utility>

#include "absl/status/status.h"

// Returns the status from the enclosing function when `expr` is not OK.
#define RETURN_IF_ERROR(expr)                      \
  do {                                             \
    ::absl::Status mayak_status_ = (expr);         \
    if (!mayak_status_.ok()) return mayak_status_; \
  } while (false)

// Declares `lhs` (e.g. `const Foo foo`) from the value of the StatusOr
// `expr`, or returns its status from the enclosing function.
#define MAYAK_CONCAT_INNER_(a, b) a##b
#define MAYAK_CONCAT_(a, b) MAYAK_CONCAT_INNER_(a, b)
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(MAYAK_CONCAT_(mayak_statusor_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                           \
  if (!statusor.ok()) return statusor.status();     \
  lhs = *std::move(statusor)

namespace mayak {

// A status's message as a std::string_view (Debian's Abseil returns its own
// absl::string_view type).
inline std::string_view StatusMessage(const absl::Status& status) {
  const auto m = status.message();
  return {m.data(), m.size()};
}

}  // namespace mayak
