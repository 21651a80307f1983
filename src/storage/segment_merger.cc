#include "storage/segment_merger.h"

#include <algorithm>
#include <chrono>
#include <queue>
#include <thread>

#include "common/status_macros.h"

namespace mayak {
namespace {

// The rows of one input, a decoded row group at a time.
class Cursor {
 public:
  explicit Cursor(const SegmentReader* reader) : reader_(reader) {}

  // Loads the next non-empty row group; false at the end.
  absl::StatusOr<bool> Advance() {
    while (++pos_ >= rows_.size()) {
      if (next_group_ >= reader_->footer().row_groups.size()) return false;
      auto rows = reader_->ReadRowGroup(next_group_++);
      if (!rows.ok()) return rows.status();
      rows_ = *std::move(rows);
      pos_ = 0;
      if (!rows_.empty()) return true;
    }
    return true;
  }
  LogRecord& row() { return rows_[pos_]; }

 private:
  const SegmentReader* reader_;
  size_t next_group_ = 0;
  std::vector<LogRecord> rows_;
  size_t pos_ = static_cast<size_t>(-1);
};

}  // namespace

absl::StatusOr<segment::Footer> MergeSegments(Env* env,
                                              const std::vector<const SegmentReader*>& inputs,
                                              const std::string& path,
                                              const MergeOptions& options) {
  auto writer = SegmentWriter::Create(env, path, options.writer);
  if (!writer.ok()) return writer.status();
  std::vector<Cursor> cursors;
  cursors.reserve(inputs.size());
  for (const SegmentReader* input : inputs) cursors.emplace_back(input);
  // A min-heap of cursors by their current row.
  const auto later = [&cursors](size_t a, size_t b) {
    return InSegmentOrder(cursors[b].row(), cursors[a].row());
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(later)> heap(later);
  for (size_t i = 0; i < cursors.size(); ++i) {
    auto more = cursors[i].Advance();
    if (!more.ok()) return more.status();
    if (*more) heap.push(i);
  }
  const auto start = std::chrono::steady_clock::now();
  uint64_t rows = 0;
  while (!heap.empty()) {
    const size_t i = heap.top();
    heap.pop();
    RETURN_IF_ERROR((*writer)->Add(std::move(cursors[i].row())));
    auto more = cursors[i].Advance();
    if (!more.ok()) return more.status();
    if (*more) heap.push(i);
    if (++rows % options.writer.row_group_rows != 0) continue;
    if (options.cancel != nullptr && options.cancel->load()) {
      return absl::CancelledError("merge cancelled (shutting down)");
    }
    if (options.write_bytes_per_second > 0) {
      // Sleep until the bytes written so far fit the rate.
      const auto due = start + std::chrono::microseconds((*writer)->bytes_written() * 1'000'000 /
                                                         options.write_bytes_per_second);
      std::this_thread::sleep_until(due);
    }
  }
  return (*writer)->Finish();
}

}  // namespace mayak
