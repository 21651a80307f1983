#include "storage/segment_merger.h"

#include <chrono>
#include <memory>
#include <queue>
#include <string_view>
#include <thread>
#include <utility>

#include "common/status_macros.h"

namespace mayak {
namespace {

// The rows of one input, a decoded row group at a time. Rows are never
// assembled into records: the writer copies them column by column.
class Cursor {
 public:
  explicit Cursor(const SegmentReader* reader) : reader_(reader) {}

  // Moves to the next row, loading the next non-empty row group when this
  // one is done; the batch left behind goes to `retired` (rows taken from it
  // may not be written yet). False at the end.
  absl::StatusOr<bool> Advance(std::vector<std::shared_ptr<const ColumnBatch>>* retired) {
    if (batch_ != nullptr && ++row_ < batch_->rows) {
      Load();
      return true;
    }
    while (next_group_ < reader_->footer().row_groups.size()) {
      auto batch = reader_->ReadColumns(next_group_++, nullptr);
      if (!batch.ok()) return batch.status();
      if (batch->rows == 0) continue;
      if (batch_ != nullptr) retired->push_back(std::move(batch_));
      batch_ = std::make_shared<const ColumnBatch>(*std::move(batch));
      service_column_ = batch_->Column(segment::kServiceColumn);
      row_ = 0;
      Load();
      return true;
    }
    if (batch_ != nullptr) retired->push_back(std::move(batch_));
    return false;
  }

  BatchRow row() const { return {batch_.get(), row_}; }
  std::string_view service() const { return service_; }
  int64_t timestamp() const { return timestamp_; }

 private:
  void Load() {
    timestamp_ = batch_->timestamps[row_];
    const uint32_t v =
        service_column_ == nullptr ? DecodedColumn::kNull : service_column_->ValueIndex(row_);
    service_ = v == DecodedColumn::kNull ? std::string_view() : service_column_->strings.Get(v);
  }

  const SegmentReader* reader_;
  size_t next_group_ = 0;
  std::shared_ptr<const ColumnBatch> batch_;
  const DecodedColumn* service_column_ = nullptr;
  uint32_t row_ = 0;
  std::string_view service_;
  int64_t timestamp_ = 0;
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
  // Row groups that cursors have moved past but whose rows are still to be
  // written.
  std::vector<std::shared_ptr<const ColumnBatch>> retired;
  // A min-heap of cursors by their current row, in segment order.
  const auto later = [&cursors](size_t a, size_t b) {
    const Cursor& x = cursors[a];
    const Cursor& y = cursors[b];
    if (x.service() != y.service()) return y.service() < x.service();
    return y.timestamp() < x.timestamp();
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(later)> heap(later);
  for (size_t i = 0; i < cursors.size(); ++i) {
    auto more = cursors[i].Advance(&retired);
    if (!more.ok()) return more.status();
    if (*more) heap.push(i);
  }
  const size_t group_rows = std::max<size_t>(1, options.writer.row_group_rows);
  std::vector<BatchRow> group;
  group.reserve(group_rows);
  const auto start = std::chrono::steady_clock::now();
  while (!heap.empty()) {
    const size_t i = heap.top();
    heap.pop();
    group.push_back(cursors[i].row());
    auto more = cursors[i].Advance(&retired);
    if (!more.ok()) return more.status();
    if (*more) heap.push(i);
    if (group.size() < group_rows && !heap.empty()) continue;
    RETURN_IF_ERROR((*writer)->AddBatchRows(group));
    group.clear();
    retired.clear();
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
