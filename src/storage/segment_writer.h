// Writes records as one immutable columnar segment (docs/format/segment.md):
// sorted by (service.name, @timestamp), cut into row groups, one encoded and
// zstd-compressed chunk per column and group, a checksum on every block. The
// file is written under a temporary name, fsynced, renamed into place and
// the directory fsynced, so a crash leaves either no segment or a whole one.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "model/log_record.h"
#include "storage/env.h"
#include "storage/segment_format.h"

namespace mayak {

struct SegmentWriterOptions {
  size_t row_group_rows = 16384;
  int zstd_level = 3;
};

// Returns the footer written (row groups, columns, time range).
absl::StatusOr<segment::Footer> WriteSegment(Env* env, const std::string& path,
                                             std::vector<LogRecord> records,
                                             const SegmentWriterOptions& options = {});

}  // namespace mayak
