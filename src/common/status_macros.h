// Early return on a non-OK absl::Status, and a std::string_view of a
// status's message.
#pragma once

#include <string_view>

#include "absl/status/status.h"

// Returns the status from the enclosing function when `expr` is not OK.
#define RETURN_IF_ERROR(expr)                      \
  do {                                             \
    ::absl::Status mayak_status_ = (expr);         \
    if (!mayak_status_.ok()) return mayak_status_; \
  } while (false)

namespace mayak {

// A status's message as a std::string_view (Debian's Abseil returns its own
// absl::string_view type).
inline std::string_view StatusMessage(const absl::Status& status) {
  const auto m = status.message();
  return {m.data(), m.size()};
}

}  // namespace mayak
