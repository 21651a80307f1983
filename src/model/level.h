// Log levels: every protocol's severities map onto these six.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mayak {

enum class Level : uint8_t {
  kUnset = 0,  // the record carried no level
  kTrace = 1,
  kDebug = 2,
  kInfo = 3,
  kWarn = 4,
  kError = 5,
  kFatal = 6,
};

// "TRACE" .. "FATAL"; "" for kUnset.
std::string_view LevelName(Level level);

// Accepts the canonical names and the common spellings of other loggers,
// case-insensitively: "warning", "err", "critical", "crit", "emerg", "alert",
// "panic", "notice", "informational", "verbose", "fine".
std::optional<Level> ParseLevel(std::string_view text);

}  // namespace mayak
