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
#include "storage/env.h"
#include "storage/segment_format.h"

namespace mayak {

class SegmentReader {
 public:
  static absl::StatusOr<std::unique_ptr<SegmentReader>> Open(Env* env, const std::string& path);

  const segment::Footer& footer() const { return footer_; }
  const std::string& path() const { return path_; }
  uint64_t file_size() const { return data_.size(); }

  // The records of one row group, in stored order (service, then time).
  // With `columns`, only those columns (and @timestamp) are decoded: a
  // search reads what its filter needs first and whole rows only for hits.
  absl::StatusOr<std::vector<LogRecord>> ReadRowGroup(
      size_t index, const std::vector<std::string>* columns = nullptr) const;
  // Checks every chunk's checksum without decoding.
  absl::Status Verify() const;

 private:
  SegmentReader(std::string path, std::string data)
      : path_(std::move(path)), data_(std::move(data)) {}
  absl::StatusOr<std::string> ReadChunk(const segment::ChunkMeta& chunk, size_t group) const;
  absl::Status Damaged(std::string_view what) const;

  std::string path_;
  std::string data_;  // the whole file; segments are read into memory for now
  uint64_t footer_offset_ = 0;
  segment::Footer footer_;
};

}  // namespace mayak
