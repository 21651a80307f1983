// Constants and metadata of the segment format (docs/format/segment.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mayak::segment {

inline constexpr std::string_view kMagic = "MAYAKSEG";
inline constexpr std::string_view kTailMagic = "MAYAKEND";
inline constexpr uint32_t kVersion = 1;
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
};

struct RowGroupMeta {
  uint64_t rows = 0;
  int64_t min_ts = 0;
  int64_t max_ts = 0;
  std::vector<ChunkMeta> chunks;
};

struct Footer {
  uint64_t rows = 0;
  int64_t min_ts = 0;
  int64_t max_ts = 0;
  std::vector<Column> columns;
  std::vector<RowGroupMeta> row_groups;
};

void EncodeFooter(const Footer& footer, std::string* out);
// Fails on damaged or truncated input.
bool DecodeFooter(std::string_view data, Footer* footer);

// CRC-32 (zlib's) of a block.
uint32_t BlockCrc(std::string_view data);

}  // namespace mayak::segment
