// The server's own events, written as one JSON object per line to stderr:
//   {"ts":"2026-11-24T21:30:00.123Z","level":"info","msg":"listening","address":"127.0.0.1:7011"}
// Operators feed these lines to any log shipper, Mayak included.
#pragma once

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace mayak {

enum class LogSeverity { kDebug, kInfo, kWarn, kError };

// One key/value of an event. The value is kept already encoded as JSON.
class LogField {
 public:
  LogField(std::string_view key, std::string_view value);
  LogField(std::string_view key, const char* value) : LogField(key, std::string_view(value)) {}
  LogField(std::string_view key, const std::string& value)
      : LogField(key, std::string_view(value)) {}
  template <std::integral T>
  LogField(std::string_view key, T value) : key_(key), json_(IntegerJson(value)) {}
  LogField(std::string_view key, bool value);
  LogField(std::string_view key, double value);

  std::string_view key() const { return key_; }
  const std::string& json() const { return json_; }

 private:
  template <std::integral T>
  static std::string IntegerJson(T value) {
    return std::to_string(value);
  }

  std::string_view key_;
  std::string json_;
};

// Events below this severity are dropped. Thread-safe.
void SetMinLogSeverity(LogSeverity severity);
// Parses "debug", "info", "warn" or "error".
bool ParseLogSeverity(std::string_view text, LogSeverity* severity);

// Writes one event line. Thread-safe: lines never interleave.
void LogEvent(LogSeverity severity, std::string_view msg,
              std::initializer_list<LogField> fields = {});

inline void LogDebug(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  LogEvent(LogSeverity::kDebug, msg, fields);
}
inline void LogInfo(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  LogEvent(LogSeverity::kInfo, msg, fields);
}
inline void LogWarn(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  LogEvent(LogSeverity::kWarn, msg, fields);
}
inline void LogError(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  LogEvent(LogSeverity::kError, msg, fields);
}

}  // namespace mayak
