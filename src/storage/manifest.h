// The manifest names every live segment and how far the write-ahead log has
// been turned into segments (the checkpoint). It is replaced atomically
// (write MANIFEST.tmp, fsync, rename, fsync the directory), so after a crash
// it is either the old or the new one, never a mix:
//   - segments written but not yet in the manifest are orphans, deleted at
//     start-up; their records are still in the WAL and replayed;
//   - WAL files at or below the checkpoint are already in segments and are
//     skipped (and deleted), so nothing is stored twice.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/env.h"

namespace mayak {

struct SegmentEntry {
  std::string path;  // relative to the data directory: "logs/shop/2026-11-24/00000012.seg"
  std::string system;
  int64_t day = 0;  // UTC days since the epoch
  uint64_t rows = 0;
  int64_t min_ts = 0;
  int64_t max_ts = 0;
  uint64_t bytes = 0;
  // When the segment was restored from the archive (0: written here). A
  // restored partition is never archived again and leaves after
  // retention.restored_days.
  int64_t restored_at_ns = 0;

  bool operator==(const SegmentEntry&) const = default;
};

struct Manifest {
  uint64_t next_segment_number = 1;
  uint64_t wal_checkpoint = 0;  // WAL files numbered <= this are in segments
  std::vector<SegmentEntry> segments;

  bool operator==(const Manifest&) const = default;
};

// An empty manifest when the file does not exist (a new data directory).
absl::StatusOr<Manifest> ReadManifest(Env* env, const std::string& data_dir);
// `renamed` as for WriteFileAtomically.
absl::Status WriteManifest(Env* env, const std::string& data_dir, const Manifest& manifest,
                           bool* renamed = nullptr);

}  // namespace mayak
