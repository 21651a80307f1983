// Writes records as immutable columnar segments (docs/format/segment.md):
// sorted by (service.name, @timestamp), or spans by trace (row_order.h), cut
// into row groups, one encoded and zstd-compressed chunk per column and
// group, a checksum on every block. The
// file is written under a temporary name, fsynced, renamed into place and
// the directory fsynced, so a crash leaves either no segment or a whole one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "model/log_record.h"
#include "storage/column_batch.h"
#include "storage/env.h"
#include "storage/row_order.h"
#include "storage/segment_format.h"

namespace mayak {

struct SegmentWriterOptions {
  size_t row_group_rows = 16384;
  int zstd_level = 3;
  // The format version written: the current one, or an older one for tests
  // that check old files are still read.
  uint32_t format_version = segment::kVersion;
  RowOrder row_order = RowOrder::kServiceTime;
};

// The order of log rows in a segment: by service.name, then @timestamp.
bool InSegmentOrder(const LogRecord& a, const LogRecord& b);
// Sorts `rows` stably into `order`.
void SortInSegmentOrder(std::vector<const LogRecord*>* rows,
                        RowOrder order = RowOrder::kServiceTime);

class SegmentBuilder;
class SegmentReader;

// A row of a decoded row group. Merges copy rows column by column from the
// row groups they read into the segment they write, never building records.
struct BatchRow {
  const ColumnBatch* batch;
  uint32_t row;
};

// Writes one segment row by row, a row group at a time, so a merge of
// large segments needs memory for a few row groups, not for the segments.
class SegmentWriter {
 public:
  // Starts PATH.tmp; the segment appears at PATH only when Finish succeeds.
  static absl::StatusOr<std::unique_ptr<SegmentWriter>> Create(
      Env* env, const std::string& path, const SegmentWriterOptions& options = {});
  // An unfinished segment's temporary file is removed.
  ~SegmentWriter();
  SegmentWriter(const SegmentWriter&) = delete;
  SegmentWriter& operator=(const SegmentWriter&) = delete;

  // Rows must come in InSegmentOrder (kServiceTime; anything else is an
  // error) or by trace (kTrace, not checked).
  absl::Status Add(LogRecord record);
  // All the rows of the segment at once, already in InSegmentOrder, written
  // without copying them.
  absl::Status AddSorted(const std::vector<const LogRecord*>& rows);
  // Rows of decoded row groups, in the writer's order, written as row groups of
  // `row_group_rows` (the last one may be short, so pass that many at a
  // time). Each call's rows are in order; calls need not follow each other
  // in order. The batches need only live during the call. Not to be mixed
  // with Add.
  absl::Status AddBatchRows(const std::vector<BatchRow>& rows);
  // Appends row group `group` of `input` as it is stored, without decoding
  // it (a merge keeps full row groups): its blocks' checksums are checked,
  // its columns renumbered to this segment's. The input must be of this
  // writer's format version. Not to be mixed with Add.
  absl::Status CopyRowGroup(const SegmentReader& input, size_t group);
  // Writes the rest, the footer and tail, fsyncs, renames into place and
  // fsyncs the directory. Returns the footer written.
  absl::StatusOr<segment::Footer> Finish();
  uint64_t bytes_written() const { return bytes_written_; }

 private:
  SegmentWriter(Env* env, std::string path, std::unique_ptr<WritableFile> file,
                const SegmentWriterOptions& options);
  absl::Status WriteGroup();
  // Checks that a row follows the last one added in segment order.
  absl::Status CheckOrder(std::string_view service, int64_t timestamp_ns);
  absl::Status AppendBuilt();

  Env* env_;
  std::string path_;
  std::unique_ptr<WritableFile> file_;  // null once finished
  SegmentWriterOptions options_;
  std::unique_ptr<SegmentBuilder> builder_;
  std::vector<LogRecord> pending_;  // the row group being filled
  uint64_t rows_ = 0;
  std::string last_service_;  // of the last row added, for the order check
  int64_t last_ts_ = 0;
  uint64_t bytes_written_ = 0;
};

// Sorts `rows` into segment order and writes them as one segment.
absl::StatusOr<segment::Footer> WriteSegment(Env* env, const std::string& path,
                                             std::vector<const LogRecord*> rows,
                                             const SegmentWriterOptions& options = {});
absl::StatusOr<segment::Footer> WriteSegment(Env* env, const std::string& path,
                                             const std::vector<LogRecord>& records,
                                             const SegmentWriterOptions& options = {});

}  // namespace mayak
