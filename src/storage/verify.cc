#include "storage/verify.h"

#include "common/status_macros.h"
#include "common/strings.h"
#include "storage/manifest.h"
#include "storage/segment_reader.h"
#include "storage/wal_reader.h"

namespace mayak {

VerifyReport VerifyDataDir(Env* env, const std::string& data_dir) {
  VerifyReport report;
  auto manifest = ReadManifest(env, data_dir);
  if (!manifest.ok()) {
    report.problems.emplace_back(StatusMessage(manifest.status()));
    return report;
  }
  for (const SegmentEntry& entry : manifest->segments) {
    ++report.segments;
    auto reader = SegmentReader::Open(env, StrCat(data_dir, "/", entry.path));
    absl::Status status = reader.ok() ? (*reader)->Verify() : reader.status();
    if (status.ok() && (*reader)->footer().rows != entry.rows) {
      status = absl::DataLossError(StrCat(entry.path, " holds ", (*reader)->footer().rows,
                                          " rows; the manifest says ", entry.rows));
    }
    if (!status.ok()) {
      report.problems.emplace_back(StatusMessage(status));
      continue;
    }
    report.rows += entry.rows;
  }
  WalReplayStats stats;
  absl::Status replayed = ReplayWal(
      env, StrCat(data_dir, "/wal"),
      [](wal::EntryType, std::string_view) { return absl::OkStatus(); }, &stats,
      /*read_only=*/true);
  if (!replayed.ok()) report.problems.emplace_back(StatusMessage(replayed));
  if (stats.damaged_bytes > 0) {
    report.problems.push_back(
        StrCat("write-ahead log: ", stats.damaged_bytes, " bytes damaged inside older files"));
  }
  report.wal_files = stats.files;
  report.wal_entries = stats.entries;
  report.wal_torn_tail_bytes = stats.truncated_tail_bytes;
  return report;
}

}  // namespace mayak
