#include "storage/segment_reader.h"

#include <zstd.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "common/status_macros.h"
#include "common/strings.h"
#include "storage/bloom_filter.h"
#include "storage/coding.h"
#include "storage/column_encoding.h"

namespace mayak {

using segment::ColumnType;

absl::Status SegmentReader::Damaged(std::string_view what) const {
  return absl::DataLossError(StrCat("segment ", path_, " is damaged: ", what));
}

absl::StatusOr<std::unique_ptr<SegmentReader>> SegmentReader::Open(Env* env,
                                                                   const std::string& path) {
  auto file = env->NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  std::unique_ptr<SegmentReader> reader(new SegmentReader(path, *std::move(file)));
  RETURN_IF_ERROR(reader->ReadFooter());
  RETURN_IF_ERROR(reader->LoadBlooms());
  return reader;
}

absl::Status SegmentReader::ReadFooter() {
  const uint64_t size = file_->Size();
  std::string header;
  if (size < segment::kHeaderSize + segment::kTailSize ||
      !file_->Read(0, segment::kHeaderSize, &header).ok() ||
      std::string_view(header).substr(0, segment::kMagic.size()) != segment::kMagic) {
    return Damaged("not a segment file (bad header)");
  }
  std::memcpy(&version_, header.data() + 8, 4);
  if (version_ < 1 || version_ > segment::kVersion) {
    return absl::FailedPreconditionError(StrCat("segment ", path_, " has format version ", version_,
                                                ", which this mayak does not read"));
  }
  std::string tail;
  RETURN_IF_ERROR(file_->Read(size - segment::kTailSize, segment::kTailSize, &tail));
  if (std::string_view(tail).substr(16) != segment::kTailMagic) {
    return Damaged("bad tail (truncated?)");
  }
  ByteReader in(tail);
  uint64_t offset = 0;
  uint32_t footer_size = 0;
  uint32_t crc = 0;
  if (!in.Fixed64(&offset) || !in.Fixed32(&footer_size) || !in.Fixed32(&crc) ||
      offset < segment::kHeaderSize || offset + footer_size != size - segment::kTailSize) {
    return Damaged("bad footer position");
  }
  std::string footer;
  RETURN_IF_ERROR(file_->Read(offset, footer_size, &footer));
  if (segment::BlockCrc(footer) != crc) return Damaged("footer checksum mismatch");
  if (!segment::DecodeFooter(footer, version_, &footer_)) return Damaged("bad footer");
  footer_offset_ = offset;
  return absl::OkStatus();
}

absl::Status SegmentReader::LoadBlooms() {
  blooms_.resize(footer_.row_groups.size());
  for (size_t g = 0; g < footer_.row_groups.size(); ++g) {
    const auto& chunks = footer_.row_groups[g].chunks;
    blooms_[g].resize(chunks.size());
    for (size_t c = 0; c < chunks.size(); ++c) {
      const segment::ChunkMeta& chunk = chunks[c];
      if (chunk.bloom_size == 0) continue;
      const std::string where =
          StrCat("row group ", g, ", column ", footer_.columns[chunk.column].name, " filter");
      auto bloom = ReadBlock(chunk.bloom_offset, chunk.bloom_size, chunk.bloom_crc, where);
      if (!bloom.ok()) return bloom.status();
      if (bloom->size() % bloom::kBlockBytes != 0) return Damaged(StrCat(where, ": bad size"));
      blooms_[g][c] = *std::move(bloom);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> SegmentReader::ReadBlock(uint64_t offset, uint64_t size, uint32_t crc,
                                                     const std::string& where) const {
  if (offset < segment::kHeaderSize || offset > footer_offset_ || size > footer_offset_ - offset) {
    return Damaged(StrCat(where, ": block outside the data"));
  }
  std::string stored;
  if (absl::Status s = file_->Read(offset, size, &stored); !s.ok()) {
    return Damaged(StrCat(where, ": ", StatusMessage(s)));
  }
  if (segment::BlockCrc(stored) != crc) return Damaged(StrCat(where, ": checksum mismatch"));
  return stored;
}

absl::StatusOr<std::string> SegmentReader::ReadChunk(const segment::ChunkMeta& chunk,
                                                     size_t group) const {
  const std::string where =
      StrCat("row group ", group, ", column ", footer_.columns[chunk.column].name);
  auto stored = ReadBlock(chunk.offset, chunk.stored_size, chunk.crc, where);
  if (!stored.ok()) return stored.status();
  if (chunk.codec == segment::Codec::kNone) return stored;
  if (chunk.raw_size > (1ull << 32)) return Damaged(StrCat(where, ": implausible size"));
  std::string raw(chunk.raw_size, '\0');
  const size_t n = ZSTD_decompress(raw.data(), raw.size(), stored->data(), stored->size());
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
    size_t index, const std::vector<std::string>* columns,
    const std::vector<uint32_t>* selected) const {
  if (index >= footer_.row_groups.size()) {
    return absl::OutOfRangeError(StrCat("row group ", index, " of ", footer_.row_groups.size()));
  }
  const segment::RowGroupMeta& group = footer_.row_groups[index];
  const size_t rows = group.rows;
  // Where each row of the group goes in the result (kSkip: not wanted).
  constexpr uint32_t kSkip = UINT32_MAX;
  std::vector<uint32_t> slot;
  if (selected != nullptr) {
    slot.assign(rows, kSkip);
    for (size_t k = 0; k < selected->size(); ++k) {
      if ((*selected)[k] >= rows) return absl::OutOfRangeError("row outside the row group");
      slot[(*selected)[k]] = static_cast<uint32_t>(k);
    }
  }
  const auto out = [&slot, selected](size_t row) -> int64_t {
    if (selected == nullptr) return static_cast<int64_t>(row);
    return slot[row] == kSkip ? -1 : static_cast<int64_t>(slot[row]);
  };
  std::vector<LogRecord> records(selected != nullptr ? selected->size() : rows);
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
          const int64_t o = out(r);
          if (o < 0) continue;
          (column.type == ColumnType::kTimestamp ? records[o].timestamp_ns
                                                 : records[o].observed_timestamp_ns) = (*ts)[r];
        }
        break;
      }
      case ColumnType::kLevel:
        if (values.size() != rows || count != rows) return bad();
        for (size_t r = 0; r < rows; ++r) {
          const auto level = static_cast<uint8_t>(values[r]);
          if (level > static_cast<uint8_t>(Level::kFatal)) return bad();
          const int64_t o = out(r);
          if (o >= 0) records[o].level = static_cast<Level>(level);
        }
        break;
      case ColumnType::kString: {
        auto strings = DecodeStrings(values, count);
        if (!strings.ok()) return bad();
        for (size_t k = 0; k < count; ++k) {
          const int64_t o = out(present_rows[k]);
          if (o < 0) continue;
          LogRecord& r = records[o];
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
          const int64_t o = out(present_rows[k]);
          if (o >= 0) records[o].attributes.push_back({column.name, (*ints)[k]});
        }
        break;
      }
      case ColumnType::kDouble: {
        if (values.size() != count * 8) return bad();
        for (size_t k = 0; k < count; ++k) {
          uint64_t bits = 0;
          std::memcpy(&bits, values.data() + k * 8, 8);
          const int64_t o = out(present_rows[k]);
          if (o >= 0) records[o].attributes.push_back({column.name, std::bit_cast<double>(bits)});
        }
        break;
      }
      case ColumnType::kBool: {
        if (values.size() != count) return bad();
        for (size_t k = 0; k < count; ++k) {
          const int64_t o = out(present_rows[k]);
          if (o >= 0) records[o].attributes.push_back({column.name, values[k] != 0});
        }
        break;
      }
    }
  }
  return records;
}

}  // namespace mayak
