// Replays the write-ahead log at start-up.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "storage/env.h"
#include "storage/wal_format.h"

namespace mayak {

struct WalReplayStats {
  uint64_t files = 0;
  uint64_t entries = 0;
  uint64_t bytes = 0;
  uint64_t last_file_number = 0;
  // Bytes cut from the end of the last file: a write torn by a crash.
  uint64_t truncated_tail_bytes = 0;
  // Bytes skipped in earlier files after damage (their entries are lost).
  uint64_t damaged_bytes = 0;
};

// Calls `on_entry` for every intact entry of every WAL file in `dir`, oldest
// first. A damaged or incomplete tail of the newest file is a write torn by a
// crash (never acknowledged): it is truncated with a warning. Damage inside an
// older file is reported, its remainder skipped, and replay goes on. An error
// from `on_entry` stops the replay and is returned. With `read_only` (for
// `mayak admin verify`) nothing is truncated; the torn tail is only counted.
absl::Status ReplayWal(
    Env* env, const std::string& dir,
    const std::function<absl::Status(wal::EntryType, std::string_view)>& on_entry,
    WalReplayStats* stats, bool read_only = false);

// The WAL file numbers in `dir`, ascending.
std::vector<uint64_t> ListWalFiles(Env* env, const std::string& dir);

}  // namespace mayak
