// Merges segments of one partition into one. Full row groups (at least half
// of `row_group_rows`) are copied as they are stored, without decoding:
// re-sorting them across inputs saved no bytes (0.2-0.5%) and cost a fifth
// of the server's ingest CPU. Smaller row groups (from flushes of few
// records, or of an older format) are decoded, gathered until they fill a
// row group, sorted in the writer's order (row_order.h) and written anew, so
// memory stays at about two row groups whatever the segments' sizes.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/segment_reader.h"
#include "storage/segment_writer.h"

namespace mayak {

struct MergeOptions {
  SegmentWriterOptions writer;
  // Bytes written per second at most (0: no limit), so a merge leaves the
  // disk to ingest and searches.
  uint64_t write_bytes_per_second = 0;
  // Checked between row groups: when set the merge stops with Cancelled and
  // leaves nothing behind.
  const std::atomic<bool>* cancel = nullptr;
};

struct MergeResult {
  segment::Footer footer;
  uint64_t rows_copied = 0;     // in row groups copied as they were
  uint64_t rows_rewritten = 0;  // decoded and encoded again
};

// Writes the rows of `inputs` as one segment at `path`. A damaged input is a
// DataLoss error naming it; no output file is left on any error.
absl::StatusOr<MergeResult> MergeSegments(Env* env, const std::vector<const SegmentReader*>& inputs,
                                          const std::string& path, const MergeOptions& options);

}  // namespace mayak
