// Terminal helpers for the client commands: colours only on a TTY (and never
// with NO_COLOR set), and a one-line progress display on stderr.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mayak {

bool StdoutWantsColor();
bool StderrIsTerminal();

// ANSI colour for a log level name, "" for none.
std::string_view LevelColor(std::string_view level);
inline constexpr std::string_view kColorReset = "\x1b[0m";
inline constexpr std::string_view kColorDim = "\x1b[2m";

// Redraws "[#####.....]  42%  1.2 MB/12.0 MB  52,000 records/s" in place.
void DrawProgress(uint64_t done_bytes, uint64_t total_bytes, uint64_t records, double seconds);
void EndProgress();

}  // namespace mayak
