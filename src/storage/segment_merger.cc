#include "storage/segment_merger.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string_view>
#include <thread>
#include <utility>

#include "common/status_macros.h"
#include "model/log_record.h"
#include "storage/row_order.h"

namespace mayak {
namespace {

// Small row groups waiting to be written as one or more full ones.
class SmallGroups {
 public:
  absl::Status Add(const SegmentReader& input, size_t group) {
    auto batch = input.ReadColumns(group, nullptr);
    if (!batch.ok()) return batch.status();
    rows_ += batch->rows;
    batches_.push_back(std::make_unique<const ColumnBatch>(*std::move(batch)));
    return absl::OkStatus();
  }
  size_t rows() const { return rows_; }

  // Writes the gathered rows in segment order as row groups of equal size
  // (none larger than `group_rows`), and forgets them.
  absl::Status WriteTo(SegmentWriter* writer, size_t group_rows, RowOrder order) {
    std::vector<BatchRow> rows;
    rows.reserve(rows_);
    for (const auto& batch : batches_) {
      for (uint32_t r = 0; r < batch->rows; ++r) rows.push_back({batch.get(), r});
    }
    // The column rows are grouped by: service.name, or trace.id for spans.
    const DecodedColumn* group_column = nullptr;
    const ColumnBatch* group_batch = nullptr;
    const auto group_of = [&](size_t i) -> std::string_view {
      const BatchRow& row = rows[i];
      if (row.batch != group_batch) {
        group_batch = row.batch;
        group_column = nullptr;
        if (order == RowOrder::kServiceTime) {
          group_column = row.batch->Column(segment::kServiceColumn);
        } else {
          for (const DecodedColumn* c : row.batch->Find(field::kTraceId)) {
            if (c->type == segment::ColumnType::kString) group_column = c;
          }
        }
      }
      const uint32_t v =
          group_column == nullptr ? DecodedColumn::kNull : group_column->ValueIndex(row.row);
      return v == DecodedColumn::kNull ? std::string_view() : group_column->strings.Get(v);
    };
    const std::vector<uint32_t> positions =
        OrderRows(order, rows.size(), group_of,
                  [&rows](size_t i) { return rows[i].batch->timestamps[rows[i].row]; });
    const size_t groups = (rows.size() + group_rows - 1) / group_rows;
    std::vector<BatchRow> group;
    for (size_t g = 0, begin = 0; g < groups; ++g) {
      const size_t end = rows.size() * (g + 1) / groups;
      group.clear();
      for (size_t i = begin; i < end; ++i) group.push_back(rows[positions[i]]);
      RETURN_IF_ERROR(writer->AddBatchRows(group));
      begin = end;
    }
    batches_.clear();
    rows_ = 0;
    return absl::OkStatus();
  }

 private:
  std::vector<std::unique_ptr<const ColumnBatch>> batches_;
  size_t rows_ = 0;
};

}  // namespace

absl::StatusOr<MergeResult> MergeSegments(Env* env, const std::vector<const SegmentReader*>& inputs,
                                          const std::string& path, const MergeOptions& options) {
  auto writer = SegmentWriter::Create(env, path, options.writer);
  if (!writer.ok()) return writer.status();
  const size_t group_rows = std::max<size_t>(1, options.writer.row_group_rows);
  const size_t copy_min_rows = std::max<size_t>(1, group_rows / 2);
  MergeResult result;
  SmallGroups small;
  const auto start = std::chrono::steady_clock::now();
  // Between row groups: stop when cancelled, and keep to the write rate.
  const auto pause = [&]() -> absl::Status {
    if (options.cancel != nullptr && options.cancel->load()) {
      return absl::CancelledError("merge cancelled (shutting down)");
    }
    if (options.write_bytes_per_second > 0) {
      const auto due = start + std::chrono::microseconds((*writer)->bytes_written() * 1'000'000 /
                                                         options.write_bytes_per_second);
      std::this_thread::sleep_until(due);
    }
    return absl::OkStatus();
  };
  for (const SegmentReader* input : inputs) {
    const auto& groups = input->footer().row_groups;
    for (size_t g = 0; g < groups.size(); ++g) {
      if (groups[g].rows == 0) continue;
      if (groups[g].rows >= copy_min_rows && groups[g].rows <= group_rows &&
          input->version() == options.writer.format_version) {
        RETURN_IF_ERROR((*writer)->CopyRowGroup(*input, g));
        result.rows_copied += groups[g].rows;
      } else {
        RETURN_IF_ERROR(small.Add(*input, g));
        if (small.rows() < group_rows) continue;
        result.rows_rewritten += small.rows();
        RETURN_IF_ERROR(small.WriteTo(writer->get(), group_rows, options.writer.row_order));
      }
      RETURN_IF_ERROR(pause());
    }
  }
  if (small.rows() > 0) {
    result.rows_rewritten += small.rows();
    RETURN_IF_ERROR(small.WriteTo(writer->get(), group_rows, options.writer.row_order));
  }
  auto footer = (*writer)->Finish();
  if (!footer.ok()) return footer.status();
  result.footer = *std::move(footer);
  return result;
}

}  // namespace mayak
