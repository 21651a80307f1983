// Reads a segment written by WriteSegment. Opening checks the tail and the
// footer's checksum; reading a row group checks each chunk's checksum before
// decoding it. Damage is a DataLoss status naming the file and the place,
// never a crash or a wrong answer.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "model/log_record.h"
#include "storage/column_batch.h"
#include "storage/env.h"
#include "storage/segment_format.h"

namespace mayak {

class SegmentReader {
 public:
  static absl::StatusOr<std::unique_ptr<SegmentReader>> Open(Env* env, const std::string& path);

  const segment::Footer& footer() const { return footer_; }
  const std::string& path() const { return path_; }
  uint64_t file_size() const { return file_->Size(); }
  uint32_t version() const { return version_; }
  // The Bloom filter of a chunk (index into the group's chunks); empty when
  // the chunk has none. Filters are loaded and checked when the file opens.
  std::string_view bloom(size_t group, size_t chunk) const { return blooms_[group][chunk]; }

  // The records of one row group, in stored order (service, then time).
  // With `columns`, only those columns (and @timestamp) are decoded: a
  // search reads what its filter needs first and whole rows only for hits.
  // With `rows` (ascending row numbers within the group), only those rows
  // are returned, in that order: a search materializes its hits alone.
  // One row group's columns decoded (all, or `columns` and @timestamp),
  // without assembling records.
  absl::StatusOr<ColumnBatch> ReadColumns(size_t index,
                                          const std::vector<std::string>* columns) const;
  // Adds to `batch` (of this row group) the columns it lacks among all, or
  // among `columns`: a search decodes its filter's columns, then the rest
  // only where there are hits. Without `timestamps`, @timestamp is left out
  // unless the batch has it already. With `wanted_rows`, templated string
  // columns get text for those rows only (empty for the rest): for counts,
  // whose rows outside their filter's matches are never looked at. With
  // `integer_codes`, integer columns stored as dictionaries keep their codes
  // (DecodedColumn::integer_codes), for columns a filter alone reads; the
  // next AddColumns on the batch writes their values out.
  absl::Status AddColumns(size_t index, const std::vector<std::string>* columns, ColumnBatch* batch,
                          bool timestamps = true, const std::vector<uint8_t>* wanted_rows = nullptr,
                          bool integer_codes = false) const;
  absl::StatusOr<std::vector<LogRecord>> ReadRowGroup(
      size_t index, const std::vector<std::string>* columns = nullptr,
      const std::vector<uint32_t>* rows = nullptr) const;
  // Checks every chunk's checksum without decoding.
  absl::Status Verify() const;
  // The stored bytes of row group `index` (its chunks and their filters) as
  // they lie in the file from `*start`, every block's checksum checked: a
  // merge copies full row groups into its segment without decoding them.
  absl::StatusOr<std::string> ReadStoredRowGroup(size_t index, uint64_t* start) const;
  // A chunk of row group `group` as it was before compression (a presence
  // bitmap first when some rows lack a value), its checksum checked.
  absl::StatusOr<std::string> ReadChunk(const segment::ChunkMeta& chunk, size_t group) const;

 private:
  SegmentReader(std::string path, std::unique_ptr<RandomAccessFile> file)
      : path_(std::move(path)), file_(std::move(file)) {}
  absl::Status ReadFooter();
  absl::Status LoadBlooms();
  // Reads a block the footer places at [offset, offset + size), checking
  // that it lies in the data area and that its checksum matches.
  absl::StatusOr<std::string> ReadBlock(uint64_t offset, uint64_t size, uint32_t crc,
                                        const std::string& where) const;
  // Columns decoded only because a templated chunk refers to them.
  struct ReferencedColumns;
  // Reads and decodes one chunk of row group `group`. The columns its
  // templates refer to come from `batch` or are decoded into `referenced`;
  // without `referenced` (a column referred to), templates are damage.
  absl::Status DecodeColumn(size_t group, const segment::ChunkMeta& chunk, const ColumnBatch& batch,
                            ReferencedColumns* referenced, DecodedColumn* out,
                            const std::vector<uint8_t>* wanted_rows = nullptr,
                            bool integer_codes = false) const;
  absl::StatusOr<const RowTexts*> ReferenceTexts(size_t group, uint32_t column,
                                                 const ColumnBatch& batch,
                                                 ReferencedColumns* referenced) const;
  absl::Status Damaged(std::string_view what) const;
  // A read's error as Damaged when it is DataLoss (a short file), else as it
  // is (an I/O error), named by segment and `where`.
  absl::Status ReadError(const absl::Status& read, std::string_view where) const;

  std::string path_;
  std::unique_ptr<RandomAccessFile> file_;  // chunks are read with pread on demand
  uint32_t version_ = 0;
  uint64_t footer_offset_ = 0;
  segment::Footer footer_;
  std::vector<std::vector<std::string>> blooms_;  // [group][chunk]
};

}  // namespace mayak
