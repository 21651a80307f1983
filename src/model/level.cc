#include "model/level.h"

#include "common/strings.h"

namespace mayak {

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kUnset:
      return "";
    case Level::kTrace:
      return "TRACE";
    case Level::kDebug:
      return "DEBUG";
    case Level::kInfo:
      return "INFO";
    case Level::kWarn:
      return "WARN";
    case Level::kError:
      return "ERROR";
    case Level::kFatal:
      return "FATAL";
  }
  return "";
}

std::optional<Level> ParseLevel(std::string_view text) {
  struct Alias {
    std::string_view name;
    Level level;
  };
  static constexpr Alias kAliases[] = {
      {"trace", Level::kTrace},      {"finest", Level::kTrace},       {"debug", Level::kDebug},
      {"fine", Level::kDebug},       {"verbose", Level::kDebug},      {"info", Level::kInfo},
      {"information", Level::kInfo}, {"informational", Level::kInfo}, {"notice", Level::kInfo},
      {"warn", Level::kWarn},        {"warning", Level::kWarn},       {"error", Level::kError},
      {"err", Level::kError},        {"severe", Level::kError},       {"fatal", Level::kFatal},
      {"critical", Level::kFatal},   {"crit", Level::kFatal},         {"alert", Level::kFatal},
      {"emerg", Level::kFatal},      {"emergency", Level::kFatal},    {"panic", Level::kFatal},
  };
  const std::string_view trimmed = StripWhitespace(text);
  for (const Alias& alias : kAliases) {
    if (EqualsIgnoreCase(trimmed, alias.name)) return alias.level;
  }
  return std::nullopt;
}

}  // namespace mayak
