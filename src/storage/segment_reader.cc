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

absl::StatusOr<ColumnBatch> SegmentReader::ReadColumns(
    size_t index, const std::vector<std::string>* columns) const {
  ColumnBatch batch;
  RETURN_IF_ERROR(AddColumns(index, columns, &batch));
  return batch;
}

absl::Status SegmentReader::AddColumns(size_t index, const std::vector<std::string>* columns,
                                       ColumnBatch* batch, bool timestamps) const {
  if (index >= footer_.row_groups.size()) {
    return absl::OutOfRangeError(StrCat("row group ", index, " of ", footer_.row_groups.size()));
  }
  const segment::RowGroupMeta& group = footer_.row_groups[index];
  const bool need_timestamps = timestamps && batch->timestamps.empty();
  batch->rows = group.rows;
  const auto decoded_already = [batch](uint32_t column) {
    return std::any_of(batch->columns.begin(), batch->columns.end(),
                       [column](const DecodedColumn& c) { return c.column == column; });
  };
  for (const segment::ChunkMeta& chunk : group.chunks) {
    const segment::Column& column = footer_.columns[chunk.column];
    const bool wanted = chunk.column == 0    ? need_timestamps
                        : columns == nullptr ? true
                                             : std::find(columns->begin(), columns->end(),
                                                         column.name) != columns->end();
    if (!wanted || (chunk.column != 0 && decoded_already(chunk.column))) continue;
    auto raw = ReadChunk(chunk, index);
    if (!raw.ok()) return raw.status();
    DecodedColumn decoded;
    decoded.column = chunk.column;
    decoded.name = column.name;
    decoded.type = column.type;
    if (!DecodeChunk(std::make_unique<std::string>(*std::move(raw)), batch->rows, chunk.present,
                     version_, &decoded)) {
      return Damaged(StrCat("row group ", index, ", column ", column.name));
    }
    if (column.type == ColumnType::kTimestamp) {
      batch->timestamps = std::move(decoded.ints);
      continue;
    }
    batch->columns.push_back(std::move(decoded));
  }
  if (timestamps && batch->timestamps.size() != batch->rows) {
    return Damaged(StrCat("row group ", index, " has no @timestamp column"));
  }
  // Records list their attributes in the segment's column order.
  std::sort(batch->columns.begin(), batch->columns.end(),
            [](const DecodedColumn& a, const DecodedColumn& b) { return a.column < b.column; });
  return absl::OkStatus();
}

absl::StatusOr<std::vector<LogRecord>> SegmentReader::ReadRowGroup(
    size_t index, const std::vector<std::string>* columns,
    const std::vector<uint32_t>* rows) const {
  auto batch = ReadColumns(index, columns);
  if (!batch.ok()) return batch.status();
  std::vector<LogRecord> records;
  if (rows == nullptr) {
    records.reserve(batch->rows);
    for (size_t r = 0; r < batch->rows; ++r) records.push_back(batch->Materialize(r));
    return records;
  }
  records.reserve(rows->size());
  for (uint32_t r : *rows) {
    if (r >= batch->rows) return absl::OutOfRangeError("row outside the row group");
    records.push_back(batch->Materialize(r));
  }
  return records;
}

}  // namespace mayak
