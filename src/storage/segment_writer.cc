#include "storage/segment_writer.h"

#include <zstd.h>

#include <algorithm>
#include <bit>
#include <map>
#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"
#include "storage/coding.h"
#include "storage/column_encoding.h"

namespace mayak {
namespace {

using segment::Codec;
using segment::ColumnType;

// Columns of every segment, in this order; attribute columns follow.
constexpr std::pair<std::string_view, ColumnType> kFixedColumns[] = {
    {field::kTimestamp, ColumnType::kTimestamp}, {field::kObservedTimestamp, ColumnType::kObserved},
    {field::kLevel, ColumnType::kLevel},         {field::kMessage, ColumnType::kString},
    {field::kSystem, ColumnType::kString},       {field::kServiceName, ColumnType::kString},
};

ColumnType TypeOf(const AttributeValue& value) {
  switch (value.index()) {
    case 0:
      return ColumnType::kString;
    case 1:
      return ColumnType::kInt;
    case 2:
      return ColumnType::kDouble;
    default:
      return ColumnType::kBool;
  }
}

class SegmentBuilder {
 public:
  explicit SegmentBuilder(const SegmentWriterOptions& options) : options_(options) {
    data_.append(segment::kMagic);
    PutFixed32(&data_, segment::kVersion);
    PutFixed32(&data_, 0);
    for (const auto& [name, type] : kFixedColumns) ColumnIndex(name, type);
  }

  void AddRowGroup(const LogRecord* rows, size_t n) {
    segment::RowGroupMeta group;
    group.rows = n;
    group.min_ts = rows[0].timestamp_ns;
    group.max_ts = rows[0].timestamp_ns;
    std::vector<int64_t> ts;
    std::vector<int64_t> observed;
    std::string levels;
    std::vector<std::string_view> messages;
    std::vector<std::string_view> systems;
    std::vector<std::string_view> services;
    // Attribute values by column, with the rows that have them.
    std::map<uint32_t, std::vector<std::pair<size_t, const AttributeValue*>>> attributes;
    for (size_t i = 0; i < n; ++i) {
      const LogRecord& r = rows[i];
      group.min_ts = std::min(group.min_ts, r.timestamp_ns);
      group.max_ts = std::max(group.max_ts, r.timestamp_ns);
      ts.push_back(r.timestamp_ns);
      observed.push_back(r.observed_timestamp_ns);
      levels.push_back(static_cast<char>(r.level));
      messages.push_back(r.message);
      systems.push_back(r.system);
      services.push_back(r.service);
      for (const Attribute& a : r.attributes) {
        attributes[ColumnIndex(a.key, TypeOf(a.value))].emplace_back(i, &a.value);
      }
    }
    std::string raw;
    EncodeTimestamps(ts, &raw);
    AddChunk(&group, 0, raw, n);
    raw.clear();
    EncodeTimestamps(observed, &raw);
    AddChunk(&group, 1, raw, n);
    AddChunk(&group, 2, levels, n);
    const std::vector<std::string_view>* strings[] = {&messages, &systems, &services};
    for (uint32_t k = 0; k < 3; ++k) {
      raw.clear();
      EncodeStrings(*strings[k], &raw);
      AddChunk(&group, 3 + k, raw, n);
    }
    for (const auto& [column, values] : attributes) {
      raw.clear();
      if (values.size() < n) {  // a presence bitmap, then the present values
        std::vector<uint8_t> bitmap((n + 7) / 8, 0);
        for (const auto& [row, value] : values) {
          bitmap[row / 8] = static_cast<uint8_t>(bitmap[row / 8] | (1u << (row % 8)));
        }
        raw.append(reinterpret_cast<const char*>(bitmap.data()), bitmap.size());
      }
      EncodeValues(columns_[column].type, values, &raw);
      AddChunk(&group, column, raw, values.size());
    }
    footer_.rows += n;
    if (footer_.row_groups.empty()) {
      footer_.min_ts = group.min_ts;
      footer_.max_ts = group.max_ts;
    }
    footer_.min_ts = std::min(footer_.min_ts, group.min_ts);
    footer_.max_ts = std::max(footer_.max_ts, group.max_ts);
    footer_.row_groups.push_back(std::move(group));
  }

  // Appends the footer and tail; returns the whole file.
  std::string Finish() {
    footer_.columns = columns_;
    std::string footer;
    segment::EncodeFooter(footer_, &footer);
    const uint64_t offset = data_.size();
    data_.append(footer);
    PutFixed64(&data_, offset);
    PutFixed32(&data_, static_cast<uint32_t>(footer.size()));
    PutFixed32(&data_, segment::BlockCrc(footer));
    data_.append(segment::kTailMagic);
    return std::move(data_);
  }

  const segment::Footer& footer() const { return footer_; }

 private:
  uint32_t ColumnIndex(std::string_view name, ColumnType type) {
    auto key = std::pair{std::string(name), type};
    auto it = column_index_.find(key);
    if (it != column_index_.end()) return it->second;
    const auto index = static_cast<uint32_t>(columns_.size());
    columns_.push_back({std::string(name), type});
    column_index_.emplace(std::move(key), index);
    return index;
  }

  static void EncodeValues(ColumnType type,
                           const std::vector<std::pair<size_t, const AttributeValue*>>& values,
                           std::string* out) {
    switch (type) {
      case ColumnType::kString: {
        std::vector<std::string_view> strings;
        for (const auto& [row, v] : values) strings.push_back(std::get<std::string>(*v));
        EncodeStrings(strings, out);
        return;
      }
      case ColumnType::kInt: {
        std::vector<int64_t> ints;
        for (const auto& [row, v] : values) ints.push_back(std::get<int64_t>(*v));
        EncodeIntegers(ints, out);
        return;
      }
      case ColumnType::kDouble:
        for (const auto& [row, v] : values) {
          PutFixed64(out, std::bit_cast<uint64_t>(std::get<double>(*v)));
        }
        return;
      default:
        for (const auto& [row, v] : values) out->push_back(std::get<bool>(*v) ? 1 : 0);
        return;
    }
  }

  void AddChunk(segment::RowGroupMeta* group, uint32_t column, std::string_view raw,
                uint64_t present) {
    segment::ChunkMeta chunk;
    chunk.column = column;
    chunk.offset = data_.size();
    chunk.raw_size = raw.size();
    chunk.present = present;
    std::string compressed(ZSTD_compressBound(raw.size()), '\0');
    const size_t n = ZSTD_compress(compressed.data(), compressed.size(), raw.data(), raw.size(),
                                   options_.zstd_level);
    if (!ZSTD_isError(n) && n < raw.size()) {
      compressed.resize(n);
      chunk.codec = Codec::kZstd;
      data_.append(compressed);
      chunk.crc = segment::BlockCrc(compressed);
    } else {
      chunk.codec = Codec::kNone;
      data_.append(raw);
      chunk.crc = segment::BlockCrc(raw);
    }
    chunk.stored_size = data_.size() - chunk.offset;
    group->chunks.push_back(chunk);
  }

  SegmentWriterOptions options_;
  std::string data_;
  segment::Footer footer_;
  std::vector<segment::Column> columns_;
  std::map<std::pair<std::string, ColumnType>, uint32_t> column_index_;
};

}  // namespace

absl::StatusOr<segment::Footer> WriteSegment(Env* env, const std::string& path,
                                             std::vector<LogRecord> records,
                                             const SegmentWriterOptions& options) {
  if (records.empty()) return absl::InvalidArgumentError("a segment needs at least one record");
  std::stable_sort(records.begin(), records.end(), [](const LogRecord& a, const LogRecord& b) {
    if (a.service != b.service) return a.service < b.service;
    return a.timestamp_ns < b.timestamp_ns;
  });
  SegmentBuilder builder(options);
  const size_t group_rows = std::max<size_t>(1, options.row_group_rows);
  for (size_t begin = 0; begin < records.size(); begin += group_rows) {
    builder.AddRowGroup(&records[begin], std::min(group_rows, records.size() - begin));
  }
  const std::string bytes = builder.Finish();

  RETURN_IF_ERROR(WriteFileAtomically(env, path, bytes));
  return builder.footer();
}

}  // namespace mayak
