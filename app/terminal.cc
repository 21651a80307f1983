#include "terminal.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_format.h"

namespace mayak {

bool StdoutWantsColor() { return ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr; }
bool StderrIsTerminal() { return ::isatty(STDERR_FILENO); }

std::string_view LevelColor(std::string_view level) {
  if (level == "FATAL" || level == "ERROR") return "\x1b[31m";
  if (level == "WARN") return "\x1b[33m";
  if (level == "INFO") return "\x1b[32m";
  if (level == "DEBUG" || level == "TRACE") return "\x1b[2m";
  return "";
}

void DrawProgress(uint64_t done_bytes, uint64_t total_bytes, uint64_t records, double seconds) {
  constexpr int kWidth = 30;
  const double rate = seconds > 0 ? static_cast<double>(records) / seconds : 0;
  std::string line;
  if (total_bytes > 0) {
    const double fraction =
        std::min(1.0, static_cast<double>(done_bytes) / static_cast<double>(total_bytes));
    const int filled = static_cast<int>(fraction * kWidth);
    line = absl::StrFormat("\r[%s%s] %3.0f%%  %.1f/%.1f MB  %d records  %.0f records/s ",
                           std::string(static_cast<size_t>(filled), '#'),
                           std::string(static_cast<size_t>(kWidth - filled), '.'), fraction * 100,
                           static_cast<double>(done_bytes) / 1e6,
                           static_cast<double>(total_bytes) / 1e6, records, rate);
  } else {
    line = absl::StrFormat("\r%.1f MB  %d records  %.0f records/s ",
                           static_cast<double>(done_bytes) / 1e6, records, rate);
  }
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

void EndProgress() { std::fputs("\n", stderr); }

}  // namespace mayak
