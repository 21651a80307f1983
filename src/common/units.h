// Human-written quantities in configuration, flags and queries.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mayak {

// "100MB", "2.5GiB", "10 kb", "512" (bytes). KB/MB/GB/TB are powers of 1000,
// KiB/MiB/GiB/TiB powers of 1024; case does not matter.
absl::StatusOr<int64_t> ParseByteSize(std::string_view text);
// The largest unit that keeps the value exact: 104857600 -> "100MiB".
std::string FormatByteSize(int64_t bytes);

// "10s", "1m", "500ms", "1h30m", "7d", "2w"; units ns, us, ms, s, m, h, d, w.
absl::StatusOr<int64_t> ParseDurationNanos(std::string_view text);
// The shortest exact form: 90'000'000'000 -> "1m30s".
std::string FormatDuration(int64_t nanos);

}  // namespace mayak
