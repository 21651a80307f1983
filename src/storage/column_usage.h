// What each field costs on disk (`mayak admin columns`): per column, summed
// over every segment of a data directory, the bytes of its values as stored
// and before compression, and of its Bloom filters. Reads only footers,
// unless asked how each row group stores each column (--encodings).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/env.h"
#include "storage/segment_format.h"

namespace mayak {

struct ColumnUsage {
  std::string name;
  segment::ColumnType type = segment::ColumnType::kString;
  uint64_t values = 0;        // rows that have a value
  uint64_t stored_bytes = 0;  // chunks as written (compressed)
  uint64_t raw_bytes = 0;     // chunks before compression
  uint64_t bloom_bytes = 0;
  // Row groups by the encoding of this column (column_encoding.h names),
  // "damaged" for a chunk that cannot be read; filled when asked for.
  std::map<std::string, uint64_t> encodings;
};

struct DataDirUsage {
  uint64_t segments = 0;
  uint64_t rows = 0;
  uint64_t file_bytes = 0;           // segment files, footers included
  std::vector<ColumnUsage> columns;  // largest (stored + bloom) first
};

absl::StatusOr<DataDirUsage> ColumnUsageOf(Env* env, const std::string& data_dir,
                                           bool encodings = false);

// The name of a column type as `mayak admin columns` prints it.
std::string_view ColumnTypeName(segment::ColumnType type);

}  // namespace mayak
