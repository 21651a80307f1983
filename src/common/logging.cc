#include "common/logging.h"

#include <unistd.h>

#include <atomic>
#include <mutex>

#include "absl/time/clock.h"
#include "common/json_writer.h"
#include "common/timestamps.h"

namespace mayak {
namespace {

std::atomic<LogSeverity> g_min_severity{LogSeverity::kInfo};
std::mutex g_write_mutex;

std::string_view SeverityName(LogSeverity severity) {
  switch (severity) {
    case LogSeverity::kDebug:
      return "debug";
    case LogSeverity::kInfo:
      return "info";
    case LogSeverity::kWarn:
      return "warn";
    case LogSeverity::kError:
      return "error";
  }
  return "info";
}

}  // namespace

LogField::LogField(std::string_view key, std::string_view value) : key_(key) {
  AppendJsonString(&json_, value);
}

LogField::LogField(std::string_view key, bool value) : key_(key), json_(value ? "true" : "false") {}

LogField::LogField(std::string_view key, double value) : key_(key) {
  JsonWriter(&json_).Double(value);
}

void SetMinLogSeverity(LogSeverity severity) { g_min_severity.store(severity); }

bool ParseLogSeverity(std::string_view text, LogSeverity* severity) {
  for (auto s :
       {LogSeverity::kDebug, LogSeverity::kInfo, LogSeverity::kWarn, LogSeverity::kError}) {
    if (text == SeverityName(s)) {
      *severity = s;
      return true;
    }
  }
  return false;
}

void LogEvent(LogSeverity severity, std::string_view msg, std::initializer_list<LogField> fields) {
  if (severity < g_min_severity.load(std::memory_order_relaxed)) return;
  std::string line;
  line.reserve(128);
  JsonWriter json(&line);
  json.BeginObject();
  json.Key("ts").String(FormatRfc3339Millis(absl::GetCurrentTimeNanos()));
  json.Key("level").String(SeverityName(severity));
  json.Key("msg").String(msg);
  for (const LogField& field : fields) json.Key(field.key()).Raw(field.json());
  json.EndObject();
  line.push_back('\n');
  std::lock_guard<std::mutex> lock(g_write_mutex);
  // One write() per line keeps lines whole even when stderr is shared.
  size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(STDERR_FILENO, line.data() + written, line.size() - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
}

}  // namespace mayak
