#include "storage/segment_reader.h"

#include <zstd.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "common/strings.h"
#include "storage/coding.h"
#include "storage/column_encoding.h"

namespace mayak {

using segment::ColumnType;

absl::Status SegmentReader::Damaged(std::string_view what) const {
  return absl::DataLossError(StrCat("segment ", path_, " is damaged: ", what));
}

absl::StatusOr<std::unique_ptr<SegmentReader>> SegmentReader::Open(Env* env,
                                                                   const std::string& path) {
  auto data = env->ReadFile(path);
  if (!data.ok()) return data.status();
  std::unique_ptr<SegmentReader> reader(new SegmentReader(path, *std::move(data)));
  const std::string& d = reader->data_;
  if (d.size() < segment::kHeaderSize + segment::kTailSize ||
      std::string_view(d).substr(0, segment::kMagic.size()) != segment::kMagic) {
    return reader->Damaged("not a segment file (bad header)");
  }
  uint32_t version = 0;
  std::memcpy(&version, d.data() + 8, 4);
  if (version != segment::kVersion) {
    return absl::FailedPreconditionError(StrCat("segment ", path, " has format version ", version,
                                                ", which this mayak does not read"));
  }
  const std::string_view tail = std::string_view(d).substr(d.size() - segment::kTailSize);
  if (tail.substr(16) != segment::kTailMagic) return reader->Damaged("bad tail (truncated?)");
  ByteReader in(tail);
  uint64_t offset = 0;
  uint32_t size = 0;
  uint32_t crc = 0;
  if (!in.Fixed64(&offset) || !in.Fixed32(&size) || !in.Fixed32(&crc) ||
      offset < segment::kHeaderSize || offset + size != d.size() - segment::kTailSize) {
    return reader->Damaged("bad footer position");
  }
  const std::string_view footer = std::string_view(d).substr(offset, size);
  if (segment::BlockCrc(footer) != crc) return reader->Damaged("footer checksum mismatch");
  if (!segment::DecodeFooter(footer, &reader->footer_)) return reader->Damaged("bad footer");
  reader->footer_offset_ = offset;
  return reader;
}

absl::StatusOr<std::string> SegmentReader::ReadChunk(const segment::ChunkMeta& chunk,
                                                     size_t group) const {
  const std::string where =
      StrCat("row group ", group, ", column ", footer_.columns[chunk.column].name);
  if (chunk.offset < segment::kHeaderSize || chunk.offset > footer_offset_ ||
      chunk.stored_size > footer_offset_ - chunk.offset) {
    return Damaged(StrCat(where, ": chunk outside the data"));
  }
  const std::string_view stored = std::string_view(data_).substr(chunk.offset, chunk.stored_size);
  if (segment::BlockCrc(stored) != chunk.crc) return Damaged(StrCat(where, ": checksum mismatch"));
  if (chunk.codec == segment::Codec::kNone) return std::string(stored);
  if (chunk.raw_size > (1ull << 32)) return Damaged(StrCat(where, ": implausible size"));
  std::string raw(chunk.raw_size, '\0');
  const size_t n = ZSTD_decompress(raw.data(), raw.size(), stored.data(), stored.size());
  if (ZSTD_isError(n) || n != raw.size()) return Damaged(StrCat(where, ": cannot decompress"));
  return raw;
}

absl::Status SegmentReader::Verify() const {
  for (size_t g = 0; g < footer_.row_groups.size(); ++g) {
    for (const segment::ChunkMeta& chunk : footer_.row_groups[g].chunks) {
      auto raw = ReadChunk(chunk, g);
      if (!raw.ok()) return raw.status();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<LogRecord>> SegmentReader::ReadRowGroup(
    size_t index, const std::vector<std::string>* columns) const {
  if (index >= footer_.row_groups.size()) {
    return absl::OutOfRangeError(StrCat("row group ", index, " of ", footer_.row_groups.size()));
  }
  const segment::RowGroupMeta& group = footer_.row_groups[index];
  const size_t rows = group.rows;
  std::vector<LogRecord> records(rows);
  for (const segment::ChunkMeta& chunk : group.chunks) {
    if (columns != nullptr && chunk.column != 0 &&
        std::find(columns->begin(), columns->end(), footer_.columns[chunk.column].name) ==
            columns->end()) {
      continue;
    }
    auto raw = ReadChunk(chunk, index);
    if (!raw.ok()) return raw.status();
    const segment::Column& column = footer_.columns[chunk.column];
    const auto bad = [&] { return Damaged(StrCat("row group ", index, ", column ", column.name)); };
    std::string_view values = *raw;
    // Rows that have a value, in order.
    std::vector<size_t> present_rows;
    if (chunk.present < rows) {
      const size_t bitmap_size = (rows + 7) / 8;
      if (values.size() < bitmap_size) return bad();
      for (size_t r = 0; r < rows; ++r) {
        if ((static_cast<uint8_t>(values[r / 8]) >> (r % 8)) & 1) present_rows.push_back(r);
      }
      if (present_rows.size() != chunk.present) return bad();
      values.remove_prefix(bitmap_size);
    } else {
      for (size_t r = 0; r < rows; ++r) present_rows.push_back(r);
    }
    const size_t count = present_rows.size();
    switch (column.type) {
      case ColumnType::kTimestamp:
      case ColumnType::kObserved: {
        auto ts = DecodeTimestamps(values, count);
        if (!ts.ok() || count != rows) return bad();
        for (size_t r = 0; r < rows; ++r) {
          (column.type == ColumnType::kTimestamp ? records[r].timestamp_ns
                                                 : records[r].observed_timestamp_ns) = (*ts)[r];
        }
        break;
      }
      case ColumnType::kLevel:
        if (values.size() != rows || count != rows) return bad();
        for (size_t r = 0; r < rows; ++r) {
          const auto level = static_cast<uint8_t>(values[r]);
          if (level > static_cast<uint8_t>(Level::kFatal)) return bad();
          records[r].level = static_cast<Level>(level);
        }
        break;
      case ColumnType::kString: {
        auto strings = DecodeStrings(values, count);
        if (!strings.ok()) return bad();
        for (size_t k = 0; k < count; ++k) {
          LogRecord& r = records[present_rows[k]];
          std::string& s = (*strings)[k];
          if (chunk.column == 3) {
            r.message = std::move(s);
          } else if (chunk.column == 4) {
            r.system = std::move(s);
          } else if (chunk.column == 5) {
            r.service = std::move(s);
          } else {
            r.attributes.push_back({column.name, std::move(s)});
          }
        }
        break;
      }
      case ColumnType::kInt: {
        auto ints = DecodeIntegers(values, count);
        if (!ints.ok()) return bad();
        for (size_t k = 0; k < count; ++k) {
          records[present_rows[k]].attributes.push_back({column.name, (*ints)[k]});
        }
        break;
      }
      case ColumnType::kDouble: {
        if (values.size() != count * 8) return bad();
        for (size_t k = 0; k < count; ++k) {
          uint64_t bits = 0;
          std::memcpy(&bits, values.data() + k * 8, 8);
          records[present_rows[k]].attributes.push_back({column.name, std::bit_cast<double>(bits)});
        }
        break;
      }
      case ColumnType::kBool: {
        if (values.size() != count) return bad();
        for (size_t k = 0; k < count; ++k) {
          records[present_rows[k]].attributes.push_back({column.name, values[k] != 0});
        }
        break;
      }
    }
  }
  return records;
}

}  // namespace mayak
