// Offline verification of a data directory (`mayak admin verify`): every
// segment the manifest names, every block checksum, and every WAL entry. It
// reads only; nothing is repaired or removed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/env.h"

namespace mayak {

struct VerifyReport {
  uint64_t segments = 0;
  uint64_t rows = 0;
  uint64_t wal_files = 0;
  uint64_t wal_entries = 0;
  uint64_t wal_torn_tail_bytes = 0;   // a crash's unacknowledged write: not damage
  std::vector<std::string> problems;  // one line each: what is damaged and where
};

VerifyReport VerifyDataDir(Env* env, const std::string& data_dir);

}  // namespace mayak
