#include "storage/segment_reader.h"

#include <zstd.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "storage/bloom_filter.h"
#include "storage/coding.h"
#include "storage/column_encoding.h"
#include "storage/zstd_context.h"

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

absl::Status SegmentReader::ReadError(const absl::Status& read, std::string_view where) const {
  if (read.ok()) return read;
  // A file shorter than its metadata says is damage; an I/O error is not the
  // bytes' fault and may pass: the caller may try again.
  if (absl::IsDataLoss(read)) return Damaged(StrCat(where, ": ", StatusMessage(read)));
  return {read.code(), StrCat("segment ", path_, ", ", where, ": ", StatusMessage(read))};
}

absl::Status SegmentReader::ReadFooter() {
  const uint64_t size = file_->Size();
  std::string header;
  if (size < segment::kHeaderSize + segment::kTailSize) {
    return Damaged("not a segment file (bad header)");
  }
  RETURN_IF_ERROR(ReadError(file_->Read(0, segment::kHeaderSize, &header), "header"));
  if (std::string_view(header).substr(0, segment::kMagic.size()) != segment::kMagic) {
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
  RETURN_IF_ERROR(ReadError(file_->Read(offset, size, &stored), where));
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
  const size_t n = ZstdDecompress(*stored, raw.data(), raw.size());
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

absl::StatusOr<std::string> SegmentReader::ReadStoredRowGroup(size_t index, uint64_t* start) const {
  if (index >= footer_.row_groups.size()) {
    return absl::OutOfRangeError(StrCat("row group ", index, " of ", footer_.row_groups.size()));
  }
  const auto& chunks = footer_.row_groups[index].chunks;
  // The blocks of a group lie together (chunk, filter, next chunk, ...);
  // one read takes them all.
  uint64_t begin = UINT64_MAX;
  uint64_t end = 0;
  const auto span = [&](uint64_t offset, uint64_t size) {
    begin = std::min(begin, offset);
    end = std::max(end, offset + size);
  };
  for (const segment::ChunkMeta& chunk : chunks) {
    if (chunk.offset < segment::kHeaderSize || chunk.offset > footer_offset_ ||
        chunk.stored_size > footer_offset_ - chunk.offset ||
        (chunk.bloom_size > 0 &&
         (chunk.bloom_offset < segment::kHeaderSize || chunk.bloom_offset > footer_offset_ ||
          chunk.bloom_size > footer_offset_ - chunk.bloom_offset))) {
      return Damaged(StrCat("row group ", index, ": block outside the data"));
    }
    span(chunk.offset, chunk.stored_size);
    if (chunk.bloom_size > 0) span(chunk.bloom_offset, chunk.bloom_size);
  }
  std::string stored;
  if (begin < end) {
    RETURN_IF_ERROR(
        ReadError(file_->Read(begin, end - begin, &stored), StrCat("row group ", index)));
    if (stored.size() != end - begin) return Damaged(StrCat("row group ", index, ": short read"));
  }
  const std::string_view bytes(stored);
  for (const segment::ChunkMeta& chunk : chunks) {
    const bool bad =
        segment::BlockCrc(bytes.substr(chunk.offset - begin, chunk.stored_size)) != chunk.crc ||
        (chunk.bloom_size > 0 &&
         segment::BlockCrc(bytes.substr(chunk.bloom_offset - begin, chunk.bloom_size)) !=
             chunk.bloom_crc);
    if (bad) {
      return Damaged(StrCat("row group ", index, ", column ", footer_.columns[chunk.column].name,
                            ": checksum mismatch"));
    }
  }
  *start = begin == UINT64_MAX ? 0 : begin;
  return stored;
}

absl::StatusOr<ColumnBatch> SegmentReader::ReadColumns(
    size_t index, const std::vector<std::string>* columns) const {
  ColumnBatch batch;
  RETURN_IF_ERROR(AddColumns(index, columns, &batch));
  return batch;
}

struct SegmentReader::ReferencedColumns {
  absl::flat_hash_map<uint32_t, std::unique_ptr<DecodedColumn>> decoded;
  absl::flat_hash_map<uint32_t, std::unique_ptr<RowTexts>> texts;
};

absl::Status SegmentReader::DecodeColumn(size_t group, const segment::ChunkMeta& chunk,
                                         const ColumnBatch& batch, ReferencedColumns* referenced,
                                         DecodedColumn* out,
                                         const std::vector<uint8_t>* wanted_rows,
                                         bool integer_codes) const {
  const segment::Column& column = footer_.columns[chunk.column];
  auto raw = ReadChunk(chunk, group);
  if (!raw.ok()) return raw.status();
  out->column = chunk.column;
  out->name = column.name;
  out->type = column.type;
  absl::Status reference_status;
  const auto resolve = [&](uint32_t other) -> absl::StatusOr<const RowTexts*> {
    auto texts = ReferenceTexts(group, other, batch, referenced);
    if (!texts.ok()) reference_status = texts.status();
    return texts;
  };
  const ReferenceResolver resolver(resolve);
  const size_t rows = footer_.row_groups[group].rows;
  // A column a template refers to is decoded without references of its
  // own: a template of templates is damage (docs/format/segment.md).
  if (!DecodeChunk(std::make_unique<std::string>(*std::move(raw)), rows, chunk.present, version_,
                   out, referenced != nullptr ? &resolver : nullptr, wanted_rows, integer_codes)) {
    if (!reference_status.ok()) return reference_status;
    return Damaged(StrCat("row group ", group, ", column ", column.name));
  }
  return absl::OkStatus();
}

absl::StatusOr<const RowTexts*> SegmentReader::ReferenceTexts(size_t group, uint32_t column,
                                                              const ColumnBatch& batch,
                                                              ReferencedColumns* referenced) const {
  if (auto it = referenced->texts.find(column); it != referenced->texts.end()) {
    return it->second.get();
  }
  const DecodedColumn* source = batch.Column(column);
  // A column holding a filter's codes has no values for texts: decoded anew.
  if (source != nullptr && source->has_integer_codes) source = nullptr;
  if (source == nullptr) {
    if (auto it = referenced->decoded.find(column); it != referenced->decoded.end()) {
      source = it->second.get();
    }
  }
  const auto damaged = [&](std::string_view what) {
    return Damaged(
        StrCat("row group ", group, ": a template refers to column ", column, ", ", what));
  };
  if (source == nullptr) {
    const segment::RowGroupMeta& meta = footer_.row_groups[group];
    const auto chunk =
        std::find_if(meta.chunks.begin(), meta.chunks.end(),
                     [column](const segment::ChunkMeta& c) { return c.column == column; });
    if (chunk == meta.chunks.end() || column == 0) return damaged("which the row group lacks");
    auto decoded = std::make_unique<DecodedColumn>();
    RETURN_IF_ERROR(DecodeColumn(group, *chunk, batch, nullptr, decoded.get()));
    source = decoded.get();
    referenced->decoded[column] = std::move(decoded);
  }
  if (source->templated) return damaged("which is stored as templates itself");
  std::optional<RowTexts> texts = TextsOf(*source, footer_.row_groups[group].rows);
  if (!texts) return damaged("which is neither text nor integers");
  return (referenced->texts[column] = std::make_unique<RowTexts>(*texts)).get();
}

absl::Status SegmentReader::AddColumns(size_t index, const std::vector<std::string>* columns,
                                       ColumnBatch* batch, bool timestamps,
                                       const std::vector<uint8_t>* wanted_rows,
                                       bool integer_codes) const {
  if (index >= footer_.row_groups.size()) {
    return absl::OutOfRangeError(StrCat("row group ", index, " of ", footer_.row_groups.size()));
  }
  const segment::RowGroupMeta& group = footer_.row_groups[index];
  const bool need_timestamps = timestamps && batch->timestamps.empty();
  batch->rows = group.rows;
  const auto decoded_already = [batch](uint32_t column) -> DecodedColumn* {
    for (DecodedColumn& c : batch->columns) {
      if (c.column == column) return &c;
    }
    return nullptr;
  };
  ReferencedColumns referenced;
  for (const segment::ChunkMeta& chunk : group.chunks) {
    const segment::Column& column = footer_.columns[chunk.column];
    const bool wanted = chunk.column == 0    ? need_timestamps
                        : columns == nullptr ? true
                                             : std::find(columns->begin(), columns->end(),
                                                         column.name) != columns->end();
    if (!wanted) continue;
    if (DecodedColumn* decoded = chunk.column != 0 ? decoded_already(chunk.column) : nullptr) {
      // Asked for again after a filter kept its codes: records and groups
      // read values.
      decoded->WriteOutIntegers();
      continue;
    }
    // A column a template referred to is decoded already.
    if (auto it = referenced.decoded.find(chunk.column); it != referenced.decoded.end()) {
      batch->columns.push_back(std::move(*it->second));
      referenced.decoded.erase(it);
      continue;
    }
    DecodedColumn decoded;
    RETURN_IF_ERROR(
        DecodeColumn(index, chunk, *batch, &referenced, &decoded, wanted_rows, integer_codes));
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
