// Constants and metadata of the segment format (docs/format/segment.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mayak::segment {

inline constexpr std::string_view kMagic = "MAYAKSEG";
inline constexpr std::string_view kTailMagic = "MAYAKEND";
// Version 2 added per-chunk statistics (number ranges, Bloom filters);
// version 3 an encoding byte on timestamp and integer chunks (values with a
// common step are divided by it); version 4 dictionaries for integer chunks
// of few distinct values; version 5 string chunks stored as templates with
// numbers and references to other columns of the same row; version 6 string
// chunks stored as references to other rows (a span's trace id once a
// trace, its parent id as its parent's row) and timestamps as plain deltas
// where smaller. Versions 1 to 5 are still read.
inline constexpr uint32_t kVersion = 6;
inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kTailSize = 8 + 4 + 4 + 8;

enum class ColumnType : uint8_t {
  kTimestamp = 1,  // @timestamp
  kObserved = 2,   // observed_timestamp
  kLevel = 3,
  kString = 4,
  kInt = 5,
  kDouble = 6,
  kBool = 7,
};

// The fixed columns every segment starts with, by index: @timestamp,
// observed_timestamp, log.level, then these three strings. An empty
// service.name means the record has none.
inline constexpr uint32_t kMessageColumn = 3;
inline constexpr uint32_t kSystemColumn = 4;
inline constexpr uint32_t kServiceColumn = 5;

enum class Codec : uint8_t { kNone = 0, kZstd = 1 };

struct Column {
  std::string name;
  ColumnType type;
};

// Where one column's values of one row group are, and how to read them.
struct ChunkMeta {
  uint32_t column = 0;  // index into the footer's columns
  uint64_t offset = 0;
  uint64_t stored_size = 0;
  uint64_t raw_size = 0;
  uint32_t crc = 0;
  Codec codec = Codec::kNone;
  uint64_t present = 0;  // rows that have a value; the rest are null
  // Version 2 statistics, for skipping row groups a filter cannot match.
  bool has_int_range = false;  // integer columns
  int64_t min_int = 0;
  int64_t max_int = 0;
  bool has_double_range = false;  // double columns without NaN
  double min_double = 0;
  double max_double = 0;
  // A Bloom filter block of the chunk's words and values (string columns);
  // bloom_size 0 means none.
  uint64_t bloom_offset = 0;
  uint64_t bloom_size = 0;
  uint32_t bloom_crc = 0;
};

struct RowGroupMeta {
  uint64_t rows = 0;
  int64_t min_ts = 0;
  int64_t max_ts = 0;
  std::vector<ChunkMeta> chunks;
};

// The bytes of the presence bitmap a chunk of `present` values among `rows`
// starts with: none when every row has a value.
inline size_t PresenceBitmapSize(uint64_t rows, uint64_t present) {
  return present < rows ? static_cast<size_t>((rows + 7) / 8) : 0;
}

struct Footer {
  uint64_t rows = 0;
  int64_t min_ts = 0;
  int64_t max_ts = 0;
  std::vector<Column> columns;
  std::vector<RowGroupMeta> row_groups;
};

// Encodes in `version` (1 or 2; the current one unless a test writes old files).
void EncodeFooter(const Footer& footer, std::string* out, uint32_t version = kVersion);
// Decodes a footer of `version` (1 or 2); fails on damaged or truncated input.
bool DecodeFooter(std::string_view data, uint32_t version, Footer* footer);

// CRC-32 (zlib's) of a block.
uint32_t BlockCrc(std::string_view data);

}  // namespace mayak::segment
