#include "storage/segment_writer.h"

#include <zstd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "common/status_macros.h"
#include "common/string_hash.h"
#include "common/strings.h"
#include "storage/bloom_filter.h"
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

// Fields that measure (ECS `event.duration`, `*.bytes`, ...) are filtered by
// ranges, which row group min/max answer; a Bloom filter of their values
// would cost about a byte a row for needles nobody looks for.
bool IsMeasurement(std::string_view name) {
  constexpr std::string_view kSuffixes[] = {".duration", ".bytes", ".size"};
  return std::ranges::any_of(kSuffixes,
                             [name](std::string_view suffix) { return name.ends_with(suffix); });
}

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

}  // namespace

// Encodes row groups and the footer into bytes; SegmentWriter writes them.
class SegmentBuilder {
 public:
  explicit SegmentBuilder(const SegmentWriterOptions& options) : options_(options) {
    data_.append(segment::kMagic);
    PutFixed32(&data_, options_.format_version);
    PutFixed32(&data_, 0);
    for (const auto& [name, type] : kFixedColumns) ColumnIndex(name, type);
  }

  void AddRowGroup(const LogRecord* const* rows, size_t n) {
    segment::RowGroupMeta group;
    group.rows = n;
    group.min_ts = rows[0]->timestamp_ns;
    group.max_ts = rows[0]->timestamp_ns;
    std::vector<int64_t> ts;
    std::vector<int64_t> observed;
    std::string levels;
    std::vector<std::string_view> messages;
    std::vector<std::string_view> systems;
    std::vector<std::string_view> services;
    // Attribute values by column, with the rows that have them (kept across
    // row groups so their memory is reused).
    for (auto& values : attributes_) values.clear();
    for (size_t i = 0; i < n; ++i) {
      const LogRecord& r = *rows[i];
      group.min_ts = std::min(group.min_ts, r.timestamp_ns);
      group.max_ts = std::max(group.max_ts, r.timestamp_ns);
      ts.push_back(r.timestamp_ns);
      observed.push_back(r.observed_timestamp_ns);
      levels.push_back(static_cast<char>(r.level));
      messages.push_back(r.message);
      systems.push_back(r.system);
      services.push_back(r.service);
      for (const Attribute& a : r.attributes) {
        const uint32_t column = ColumnIndex(a.key, TypeOf(a.value));
        if (column >= attributes_.size()) attributes_.resize(column + 1);
        attributes_[column].emplace_back(i, &a.value);
      }
    }
    std::string raw;
    EncodeTimestamps(ts, &raw, options_.format_version);
    AddChunk(&group, {.column = 0, .present = n}, raw);
    raw.clear();
    EncodeTimestamps(observed, &raw, options_.format_version);
    AddChunk(&group, {.column = 1, .present = n}, raw);
    AddChunk(&group, {.column = 2, .present = n}, levels);
    const std::vector<std::string_view>* strings[] = {&messages, &systems, &services};
    for (uint32_t k = 0; k < 3; ++k) {
      raw.clear();
      EncodeStrings(*strings[k], &raw, kMaxDictionary, &distinct_, options_.format_version);
      segment::ChunkMeta chunk;
      chunk.column = segment::kMessageColumn + k;
      chunk.present = n;
      // Messages are searched by words, system and service by value.
      for (std::string_view v : distinct_.empty() ? *strings[k] : distinct_) {
        k == 0 ? bloom_.AddWords(v) : bloom_.AddWordsAndValue(v);
      }
      AddChunk(&group, chunk, raw, bloom_.Finish());
    }
    for (uint32_t column = 0; column < attributes_.size(); ++column) {
      const auto& values = attributes_[column];
      if (values.empty()) continue;
      raw.clear();
      if (values.size() < n) {  // a presence bitmap, then the present values
        std::vector<uint8_t> bitmap((n + 7) / 8, 0);
        for (const auto& [row, value] : values) {
          bitmap[row / 8] = static_cast<uint8_t>(bitmap[row / 8] | (1u << (row % 8)));
        }
        raw.append(reinterpret_cast<const char*>(bitmap.data()), bitmap.size());
      }
      segment::ChunkMeta chunk;
      chunk.column = column;
      chunk.present = values.size();
      // Strings and integers (ids: order.id, user.id) get Bloom filters,
      // but not measurements, which are searched by range.
      const ColumnType type = columns_[column].type;
      const bool indexed = (type == ColumnType::kString || type == ColumnType::kInt) &&
                           !IsMeasurement(columns_[column].name);
      EncodeValues(type, values, options_.format_version, &raw, &chunk, indexed ? &bloom_ : nullptr,
                   &distinct_);
      AddChunk(&group, chunk, raw, indexed ? bloom_.Finish() : std::string());
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

  // Appends the footer and tail.
  void Finish() {
    footer_.columns = columns_;
    std::string footer;
    segment::EncodeFooter(footer_, &footer, options_.format_version);
    const uint64_t offset = Offset();
    data_.append(footer);
    PutFixed64(&data_, offset);
    PutFixed32(&data_, static_cast<uint32_t>(footer.size()));
    PutFixed32(&data_, segment::BlockCrc(footer));
    data_.append(segment::kTailMagic);
  }

  // The bytes built since the last call, to be appended to the file.
  std::string TakeBytes() {
    written_ += data_.size();
    return std::exchange(data_, std::string());
  }

  const segment::Footer& footer() const { return footer_; }

 private:
  uint64_t Offset() const { return written_ + data_.size(); }

  uint32_t ColumnIndex(std::string_view name, ColumnType type) {
    // Looked up for every attribute of every record: by name without
    // building a string, then by type.
    auto it = column_index_.find(name);
    if (it == column_index_.end()) {
      it = column_index_.emplace(std::string(name), ColumnsByType{}).first;
      it->second.fill(kNoColumn);
    }
    uint32_t& index = it->second[static_cast<size_t>(type)];
    if (index == kNoColumn) {
      index = static_cast<uint32_t>(columns_.size());
      columns_.push_back({std::string(name), type});
    }
    return index;
  }

  // Encodes an attribute column's values and records its statistics: the
  // range of numbers, the words and values of strings.
  static void EncodeValues(ColumnType type,
                           const std::vector<std::pair<size_t, const AttributeValue*>>& values,
                           uint32_t version, std::string* out, segment::ChunkMeta* chunk,
                           bloom::FilterBuilder* bloom, std::vector<std::string_view>* distinct) {
    switch (type) {
      case ColumnType::kString: {
        std::vector<std::string_view> strings;
        strings.reserve(values.size());
        for (const auto& [row, v] : values) strings.push_back(std::get<std::string>(*v));
        EncodeStrings(strings, out, kMaxDictionary, distinct, version);
        // A dictionary's values once each, or every value.
        for (std::string_view v : distinct->empty() ? strings : *distinct) {
          if (bloom != nullptr) bloom->AddWordsAndValue(v);
        }
        return;
      }
      case ColumnType::kInt: {
        std::vector<int64_t> ints;
        for (const auto& [row, v] : values) {
          ints.push_back(std::get<int64_t>(*v));
          if (bloom != nullptr) bloom->AddInteger(ints.back());
        }
        EncodeIntegers(ints, out, version);
        const auto [min, max] = std::minmax_element(ints.begin(), ints.end());
        chunk->has_int_range = true;
        chunk->min_int = *min;
        chunk->max_int = *max;
        return;
      }
      case ColumnType::kDouble: {
        chunk->has_double_range = true;
        chunk->min_double = std::get<double>(*values.front().second);
        chunk->max_double = chunk->min_double;
        for (const auto& [row, v] : values) {
          const double d = std::get<double>(*v);
          PutFixed64(out, std::bit_cast<uint64_t>(d));
          if (std::isnan(d)) chunk->has_double_range = false;  // NaN has no place in a range
          chunk->min_double = std::min(chunk->min_double, d);
          chunk->max_double = std::max(chunk->max_double, d);
        }
        return;
      }
      default:
        for (const auto& [row, v] : values) out->push_back(std::get<bool>(*v) ? 1 : 0);
        return;
    }
  }

  // Appends a chunk's values (compressed when that helps), then its Bloom
  // filter block if it has one. `chunk` holds the column, present count and
  // statistics; the places and checksums are filled in here.
  void AddChunk(segment::RowGroupMeta* group, segment::ChunkMeta chunk, std::string_view raw,
                const std::string& bloom = {}) {
    chunk.offset = Offset();
    chunk.raw_size = raw.size();
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
    chunk.stored_size = Offset() - chunk.offset;
    if (!bloom.empty()) {
      chunk.bloom_offset = Offset();
      chunk.bloom_size = bloom.size();
      chunk.bloom_crc = segment::BlockCrc(bloom);
      data_.append(bloom);
    }
    group->chunks.push_back(chunk);
  }

  SegmentWriterOptions options_;
  bloom::FilterBuilder bloom_;
  std::string data_;      // built, not yet taken
  uint64_t written_ = 0;  // bytes taken before data_
  segment::Footer footer_;
  std::vector<segment::Column> columns_;
  static constexpr uint32_t kNoColumn = UINT32_MAX;
  using ColumnsByType = std::array<uint32_t, 8>;  // by ColumnType
  absl::flat_hash_map<std::string, ColumnsByType, StringHash, StringEq> column_index_;
  std::vector<std::vector<std::pair<size_t, const AttributeValue*>>> attributes_;
  std::vector<std::string_view> distinct_;  // a string chunk's dictionary
};

bool InSegmentOrder(const LogRecord& a, const LogRecord& b) {
  if (a.service != b.service) return a.service < b.service;
  return a.timestamp_ns < b.timestamp_ns;
}

SegmentWriter::SegmentWriter(Env* env, std::string path, std::unique_ptr<WritableFile> file,
                             const SegmentWriterOptions& options)
    : env_(env),
      path_(std::move(path)),
      file_(std::move(file)),
      options_(options),
      builder_(std::make_unique<SegmentBuilder>(options)) {
  options_.row_group_rows = std::max<size_t>(1, options_.row_group_rows);
}

SegmentWriter::~SegmentWriter() {
  if (file_ != nullptr) {
    file_.reset();
    if (!env_->RemoveFile(path_ + ".tmp").ok()) {
      // Start-up removes leftover temporary files.
    }
  }
}

absl::StatusOr<std::unique_ptr<SegmentWriter>> SegmentWriter::Create(
    Env* env, const std::string& path, const SegmentWriterOptions& options) {
  auto file = env->NewWritableFile(path + ".tmp");
  if (!file.ok()) return file.status();
  return std::unique_ptr<SegmentWriter>(new SegmentWriter(env, path, *std::move(file), options));
}

absl::Status SegmentWriter::Add(LogRecord record) {
  if (rows_ > 0 && (record.service < last_service_ ||
                    (record.service == last_service_ && record.timestamp_ns < last_ts_))) {
    return absl::InvalidArgumentError("segment rows must come in (service.name, @timestamp) order");
  }
  ++rows_;
  if (record.service != last_service_) last_service_ = record.service;
  last_ts_ = record.timestamp_ns;
  pending_.push_back(std::move(record));
  if (pending_.size() >= options_.row_group_rows) return WriteGroup();
  return absl::OkStatus();
}

absl::Status SegmentWriter::WriteGroup() {
  std::vector<const LogRecord*> rows;
  rows.reserve(pending_.size());
  for (const LogRecord& r : pending_) rows.push_back(&r);
  builder_->AddRowGroup(rows.data(), rows.size());
  pending_.clear();
  const std::string bytes = builder_->TakeBytes();
  bytes_written_ += bytes.size();
  return file_->Append(bytes);
}

absl::StatusOr<segment::Footer> SegmentWriter::Finish() {
  if (file_ == nullptr) return absl::FailedPreconditionError("segment already finished");
  if (!pending_.empty()) RETURN_IF_ERROR(WriteGroup());
  if (rows_ == 0) {
    return absl::InvalidArgumentError("a segment needs at least one record");
  }
  builder_->Finish();
  const std::string bytes = builder_->TakeBytes();
  bytes_written_ += bytes.size();
  RETURN_IF_ERROR(file_->Append(bytes));
  RETURN_IF_ERROR(file_->Sync());
  file_.reset();
  const std::string temporary = path_ + ".tmp";
  absl::Status status = env_->RenameFile(temporary, path_);
  const size_t slash = path_.rfind('/');
  if (status.ok()) {
    status = env_->SyncDir(slash == std::string::npos ? "." : path_.substr(0, slash));
  }
  if (!status.ok()) {
    if (!env_->RemoveFile(temporary).ok() && !env_->RemoveFile(path_).ok()) {
      // Start-up removes what no manifest names.
    }
    return status;
  }
  return builder_->footer();
}

absl::Status SegmentWriter::AddSorted(const std::vector<const LogRecord*>& rows) {
  if (!pending_.empty() || rows_ > 0) {
    return absl::FailedPreconditionError("AddSorted must be the only way rows are added");
  }
  for (size_t begin = 0; begin < rows.size(); begin += options_.row_group_rows) {
    builder_->AddRowGroup(&rows[begin], std::min(options_.row_group_rows, rows.size() - begin));
    const std::string bytes = builder_->TakeBytes();
    bytes_written_ += bytes.size();
    RETURN_IF_ERROR(file_->Append(bytes));
  }
  rows_ += rows.size();
  return absl::OkStatus();
}

absl::StatusOr<segment::Footer> WriteSegment(Env* env, const std::string& path,
                                             std::vector<const LogRecord*> rows,
                                             const SegmentWriterOptions& options) {
  if (rows.empty()) return absl::InvalidArgumentError("a segment needs at least one record");
  std::stable_sort(rows.begin(), rows.end(),
                   [](const LogRecord* a, const LogRecord* b) { return InSegmentOrder(*a, *b); });
  auto writer = SegmentWriter::Create(env, path, options);
  if (!writer.ok()) return writer.status();
  RETURN_IF_ERROR((*writer)->AddSorted(rows));
  return (*writer)->Finish();
}

absl::StatusOr<segment::Footer> WriteSegment(Env* env, const std::string& path,
                                             const std::vector<LogRecord>& records,
                                             const SegmentWriterOptions& options) {
  std::vector<const LogRecord*> rows;
  rows.reserve(records.size());
  for (const LogRecord& r : records) rows.push_back(&r);
  return WriteSegment(env, path, std::move(rows), options);
}

}  // namespace mayak
