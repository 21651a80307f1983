// Merges segments of one partition into one: a k-way merge of their rows,
// which each segment already holds in (service.name, @timestamp) order,
// streamed a row group at a time into a SegmentWriter. Memory stays at about
// one decoded row group per input whatever the segments' sizes.
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

// Writes the rows of `inputs` as one segment at `path`. A damaged input is a
// DataLoss error naming it; no output file is left on any error.
absl::StatusOr<segment::Footer> MergeSegments(Env* env,
                                              const std::vector<const SegmentReader*>& inputs,
                                              const std::string& path, const MergeOptions& options);

}  // namespace mayak
