#include "storage/segment_writer.h"

#include <zstd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <utility>
#include <variant>

#include "absl/container/flat_hash_map.h"
#include "common/status_macros.h"
#include "common/string_hash.h"
#include "common/strings.h"
#include "storage/bloom_filter.h"
#include "storage/coding.h"
#include "storage/column_encoding.h"
#include "storage/row_references.h"
#include "storage/segment_reader.h"
#include "storage/string_templates.h"
#include "storage/zstd_context.h"

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

constexpr uint32_t kFixedColumnCount = std::size(kFixedColumns);

// A string dictionary of more values than this is tried as templates too:
// messages in a row group of a few thousand rows are mostly distinct.
constexpr size_t kMinTemplatedDictionary = 256;

// Fields that measure (ECS `event.duration`, `*.bytes`, ...) are filtered by
// ranges, which row group min/max answer; a Bloom filter of their values
// would cost about a byte a row for needles nobody looks for.
bool IsMeasurement(std::string_view name) {
  constexpr std::string_view kSuffixes[] = {".duration", ".bytes", ".size"};
  return std::ranges::any_of(kSuffixes,
                             [name](std::string_view suffix) { return name.ends_with(suffix); });
}

// Fields without a Bloom filter: measurements, and a span's own ids and
// JSON (a trace is found by trace.id; its spans are read whole). Random ids
// are the costliest values to index (a byte a row each, 5% of a span) and
// nobody starts a search from a span id.
bool IsUnindexed(std::string_view name) {
  return IsMeasurement(name) || name == field::kSpanId || name == field::kParentId ||
         name == field::kSpanLinks || name == field::kSpanEvents ||
         name == field::kSpanResourceKeys;
}

// A span's trace id, or empty.
std::string_view TraceIdOf(const LogRecord& record) {
  const AttributeValue* value = record.FindAttribute(field::kTraceId);
  const std::string* text = value == nullptr ? nullptr : std::get_if<std::string>(value);
  return text == nullptr ? std::string_view() : std::string_view(*text);
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

// One column of the row group being built: its values in row order and,
// for attribute columns, the rows that have them (the fixed columns have a
// value in every row).
struct PendingColumn {
  std::vector<uint32_t> rows;
  std::vector<std::string_view> strings;
  std::vector<int64_t> ints;  // also timestamps and levels
  std::vector<double> doubles;
  std::vector<uint8_t> bools;
  // The texts of `strings`, side by side, when gathered from records.
  // A vector, not a string: moving it (pending_ grows) never moves a short
  // text stored inline, which `strings` point into.
  std::vector<char> texts;

  // Copies the values of `strings` side by side into `texts` and points
  // them there. A flush's strings lie all over the heap, a few per record;
  // the encoders, the Bloom filter and the templates then read each value
  // several times, and that cost more in cache misses than this one copy
  // (11% of ingest's CPU, docs/benchmarks.md).
  void CopyStringsTogether() {
    size_t total = 0;
    for (std::string_view v : strings) total += v.size();
    texts.resize(total);
    char* out = texts.data();
    for (std::string_view& v : strings) {
      if (v.empty()) continue;  // (with no text at all, `out` is null)
      std::memcpy(out, v.data(), v.size());
      v = std::string_view(out, v.size());
      out += v.size();
    }
  }

  void Clear() {
    rows.clear();
    strings.clear();
    ints.clear();
    doubles.clear();
    bools.clear();
  }
  size_t Size(ColumnType type) const {
    switch (type) {
      case ColumnType::kString:
        return strings.size();
      case ColumnType::kDouble:
        return doubles.size();
      case ColumnType::kBool:
        return bools.size();
      default:
        return ints.size();
    }
  }
  void Push(const AttributeValue& value) {
    switch (value.index()) {
      case 0:
        strings.push_back(std::get<std::string>(value));
        return;
      case 1:
        ints.push_back(std::get<int64_t>(value));
        return;
      case 2:
        doubles.push_back(std::get<double>(value));
        return;
      default:
        bools.push_back(std::get<bool>(value) ? 1 : 0);
        return;
    }
  }
  // Value `v` of a decoded column of the same type.
  void Push(const DecodedColumn& column, uint32_t v) {
    switch (column.type) {
      case ColumnType::kString:
        strings.push_back(column.strings.Get(v));
        return;
      case ColumnType::kDouble:
        doubles.push_back(column.doubles[v]);
        return;
      case ColumnType::kBool:
        bools.push_back(column.bools[v]);
        return;
      default:
        ints.push_back(column.ints[v]);
        return;
    }
  }
};

// Encodes row groups and the footer into bytes; SegmentWriter writes them.
// A row group is gathered column by column into PendingColumns, from
// records (flushes) or from decoded row groups (merges), then encoded.
class SegmentBuilder {
 public:
  explicit SegmentBuilder(const SegmentWriterOptions& options) : options_(options) {
    data_.append(segment::kMagic);
    PutFixed32(&data_, options_.format_version);
    PutFixed32(&data_, 0);
    for (const auto& [name, type] : kFixedColumns) ColumnIndex(name, type);
  }

  // Records lie apart on the heap, each with its attributes in an array of
  // its own: the array of a record a few rows on, and the record itself
  // twice as far, are fetched while this one is read (those loads were
  // most of this loop's time).
  static constexpr size_t kPrefetchAhead = 4;
  static void PrefetchAttributes(const LogRecord& record) {
    const char* begin = reinterpret_cast<const char*>(record.attributes.data());
    const char* end =
        reinterpret_cast<const char*>(record.attributes.data() + record.attributes.size());
    for (const char* line = begin; line < end; line += 64) __builtin_prefetch(line);
  }

  void AddRowGroup(const LogRecord* const* rows, size_t n) {
    StartGroup();
    for (size_t i = 0; i < n; ++i) {
      const LogRecord& r = *rows[i];
      if (i + 2 * kPrefetchAhead < n) {
        __builtin_prefetch(rows[i + 2 * kPrefetchAhead]);
        __builtin_prefetch(reinterpret_cast<const char*>(rows[i + 2 * kPrefetchAhead]) + 64);
      }
      if (i + kPrefetchAhead < n) PrefetchAttributes(*rows[i + kPrefetchAhead]);
      pending_[0].ints.push_back(r.timestamp_ns);
      pending_[1].ints.push_back(r.observed_timestamp_ns);
      pending_[2].ints.push_back(static_cast<int64_t>(r.level));
      pending_[segment::kMessageColumn].strings.push_back(r.message);
      pending_[segment::kSystemColumn].strings.push_back(r.system);
      pending_[segment::kServiceColumn].strings.push_back(r.service);
      for (size_t k = 0; k < r.attributes.size(); ++k) {
        const Attribute& a = r.attributes[k];
        PendingColumn& column = Pending(AttributeColumn(k, a.key, TypeOf(a.value)));
        // A key given twice in one record keeps its first value.
        if (!column.rows.empty() && column.rows.back() == i) continue;
        column.rows.push_back(static_cast<uint32_t>(i));
        column.Push(a.value);
      }
    }
    for (PendingColumn& column : pending_) column.CopyStringsTogether();
    EncodeGroup(n);
  }

  void AddRowGroup(const BatchRow* rows, size_t n) {
    StartGroup();
    batch_columns_.clear();
    const ColumnBatch* last_batch = nullptr;
    const std::vector<uint32_t>* targets = nullptr;
    for (size_t i = 0; i < n; ++i) {
      const ColumnBatch& batch = *rows[i].batch;
      const uint32_t row = rows[i].row;
      if (&batch != last_batch) {
        targets = &OutputColumnsOf(batch);
        last_batch = &batch;
      }
      pending_[0].ints.push_back(batch.timestamps[row]);
      for (size_t k = 0; k < batch.columns.size(); ++k) {
        const DecodedColumn& column = batch.columns[k];
        const uint32_t v = column.ValueIndex(row);
        if (v == DecodedColumn::kNull) continue;
        const uint32_t target = (*targets)[k];
        PendingColumn& out = pending_[target];
        if (target >= kFixedColumnCount) out.rows.push_back(static_cast<uint32_t>(i));
        out.Push(column, v);
      }
      // The fixed columns have a value in every row, even where an input
      // somehow lacked one.
      for (uint32_t c = 1; c < kFixedColumnCount; ++c) {
        if (pending_[c].Size(kFixedColumns[c].second) > i) continue;
        if (kFixedColumns[c].second == ColumnType::kString) {
          pending_[c].strings.emplace_back(c == segment::kSystemColumn ? kDefaultSystem : "");
        } else {
          pending_[c].ints.push_back(0);
        }
      }
    }
    EncodeGroup(n);
  }

  // Appends a row group stored in a segment of this format version whose
  // columns are `columns`: its chunks and filters as they are (`stored`
  // holds them from file offset `start`), renumbered to this segment's
  // columns. A template or row-reference chunk names the columns it refers
  // to, so where the numbers differ it is decompressed, renumbered and
  // compressed again.
  // False when such a chunk is damaged.
  bool AddStoredGroup(const std::vector<segment::Column>& columns,
                      const segment::RowGroupMeta& group, std::string_view stored, uint64_t start) {
    std::vector<uint32_t> target(columns.size());
    bool renumbered = false;
    for (uint32_t c = 0; c < columns.size(); ++c) {
      target[c] = ColumnIndex(columns[c].name, columns[c].type);
      renumbered |= target[c] != c;
    }
    segment::RowGroupMeta out;
    out.rows = group.rows;
    out.min_ts = group.min_ts;
    out.max_ts = group.max_ts;
    out.chunks.reserve(group.chunks.size());
    std::string raw;
    std::string renumbered_raw;
    for (segment::ChunkMeta chunk : group.chunks) {
      if (chunk.column >= columns.size()) return false;
      const std::string_view block = stored.substr(chunk.offset - start, chunk.stored_size);
      const std::string bloom(chunk.bloom_size > 0
                                  ? stored.substr(chunk.bloom_offset - start, chunk.bloom_size)
                                  : std::string_view());
      const bool is_string = columns[chunk.column].type == ColumnType::kString;
      chunk.column = target[chunk.column];
      if (renumbered && is_string) {
        if (!Decompress(chunk, block, &raw)) return false;
        const size_t at = segment::PresenceBitmapSize(group.rows, chunk.present);
        const bool templated =
            at < raw.size() && raw[at] == static_cast<char>(StringEncoding::kTemplate);
        const bool row_references =
            at < raw.size() && raw[at] == static_cast<char>(StringEncoding::kRowReferences);
        if (templated || row_references) {
          renumbered_raw.assign(raw, 0, at + 1);
          const auto renumber = [&target](uint32_t c) -> std::optional<uint32_t> {
            if (c >= target.size()) return std::nullopt;
            return target[c];
          };
          const std::string_view rest = std::string_view(raw).substr(at + 1);
          if (templated ? !RenumberTemplateReferences(rest, renumber, &renumbered_raw)
                        : !RenumberRowReferences(rest, renumber, &renumbered_raw)) {
            return false;
          }
          if (renumbered_raw != raw) {
            AddChunk(&out, chunk, renumbered_raw, bloom);
            continue;
          }
        }
      }
      chunk.offset = Offset();
      data_.append(block);
      if (chunk.bloom_size > 0) {
        chunk.bloom_offset = Offset();
        data_.append(bloom);
      }
      out.chunks.push_back(chunk);
    }
    AddGroupToFooter(std::move(out));
    return true;
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

  // The column of the attribute at `position` of a record. Records of one
  // service list the same keys in the same order, so the columns found for
  // each position are remembered and keys compared before one is hashed.
  // A few of them: the spans of a trace, side by side, alternate between
  // kinds of keys (HTTP, database, messaging).
  uint32_t AttributeColumn(size_t position, std::string_view key, ColumnType type) {
    constexpr size_t kRemembered = 64;
    if (position >= kRemembered) return ColumnIndex(key, type);
    if (position >= by_position_.size()) by_position_.resize(position + 1);
    KnownColumns& known = by_position_[position];
    for (const KnownColumn& k : known.columns) {
      if (k.type == type && k.key == key) return k.index;
    }
    KnownColumn& replaced = known.columns[known.next];
    known.next = (known.next + 1) % known.columns.size();
    replaced.key.assign(key);
    replaced.type = type;
    replaced.index = ColumnIndex(key, type);
    return replaced.index;
  }

  void StartGroup() {
    for (PendingColumn& column : pending_) column.Clear();
    if (pending_.size() < columns_.size()) pending_.resize(columns_.size());
  }

  PendingColumn& Pending(uint32_t column) {
    if (column >= pending_.size()) pending_.resize(column + 1);
    return pending_[column];
  }

  // The column of this segment for each column of `batch`, found once per
  // batch and row group.
  const std::vector<uint32_t>& OutputColumnsOf(const ColumnBatch& batch) {
    auto [it, added] = batch_columns_.try_emplace(&batch);
    if (added) {
      for (const DecodedColumn& column : batch.columns) {
        const uint32_t target = ColumnIndex(column.name, column.type);
        Pending(target);
        it->second.push_back(target);
      }
    }
    return it->second;
  }

  // Encodes the gathered columns of a row group of `n` rows.
  void EncodeGroup(size_t n) {
    segment::RowGroupMeta group;
    group.rows = n;
    const std::vector<int64_t>& ts = pending_[0].ints;
    const auto [min_ts, max_ts] = std::minmax_element(ts.begin(), ts.end());
    group.min_ts = *min_ts;
    group.max_ts = *max_ts;
    std::string raw;
    EncodeTimestamps(ts, &raw, options_.format_version);
    AddChunk(&group, {.column = 0, .present = n}, raw);
    raw.clear();
    EncodeTimestamps(pending_[1].ints, &raw, options_.format_version);
    AddChunk(&group, {.column = 1, .present = n}, raw);
    raw.clear();
    for (int64_t level : pending_[2].ints) raw.push_back(static_cast<char>(level));
    AddChunk(&group, {.column = 2, .present = n}, raw);
    // Strings first, as they may be stored as templates referring to
    // each other; chunks are then added in column order.
    EncodeStringColumns(n);
    for (uint32_t column = segment::kMessageColumn; column <= segment::kServiceColumn; ++column) {
      AddChunk(&group, {.column = column, .present = n}, encoded_[column], blooms_[column]);
    }
    for (uint32_t column = kFixedColumnCount; column < pending_.size(); ++column) {
      const PendingColumn& values = pending_[column];
      if (values.rows.empty()) continue;
      const ColumnType type = columns_[column].type;
      if (type == ColumnType::kString) {
        AddChunk(&group, {.column = column, .present = values.rows.size()}, encoded_[column],
                 blooms_[column]);
        continue;
      }
      raw.clear();
      AppendPresence(values, n, &raw);
      segment::ChunkMeta chunk;
      chunk.column = column;
      chunk.present = values.rows.size();
      // Integers (ids: order.id) get Bloom filters, but not measurements,
      // which are searched by range.
      const bool indexed = type == ColumnType::kInt && !IsUnindexed(columns_[column].name);
      EncodeValues(type, values, options_.format_version, &raw, &chunk,
                   indexed ? &bloom_ : nullptr);
      AddChunk(&group, chunk, raw, indexed ? bloom_.Finish() : std::string());
    }
    AddGroupToFooter(std::move(group));
  }

  void AddGroupToFooter(segment::RowGroupMeta group) {
    footer_.rows += group.rows;
    if (footer_.row_groups.empty()) {
      footer_.min_ts = group.min_ts;
      footer_.max_ts = group.max_ts;
    }
    footer_.min_ts = std::min(footer_.min_ts, group.min_ts);
    footer_.max_ts = std::max(footer_.max_ts, group.max_ts);
    footer_.row_groups.push_back(std::move(group));
  }

  // The raw values of a stored chunk.
  static bool Decompress(const segment::ChunkMeta& chunk, std::string_view block,
                         std::string* raw) {
    if (chunk.codec == Codec::kNone) {
      raw->assign(block);
      return true;
    }
    if (chunk.codec != Codec::kZstd || chunk.raw_size > (1ull << 32)) return false;
    raw->resize(chunk.raw_size);
    const size_t n = ZstdDecompress(block, raw->data(), raw->size());
    return !ZSTD_isError(n) && n == raw->size();
  }

  // A presence bitmap of the rows that have a value, unless all do.
  static void AppendPresence(const PendingColumn& values, size_t n, std::string* out) {
    if (values.rows.empty() || values.rows.size() == n) return;
    std::vector<uint8_t> bitmap((n + 7) / 8, 0);
    for (uint32_t row : values.rows) {
      bitmap[row / 8] = static_cast<uint8_t>(bitmap[row / 8] | (1u << (row % 8)));
    }
    out->append(reinterpret_cast<const char*>(bitmap.data()), bitmap.size());
  }

  // Encodes every string column of the row group into encoded_ (presence
  // bitmap included) with its Bloom filter in blooms_. A column that would
  // be stored plain (or as a dictionary of many values) is then tried as
  // templates (string_templates.h), shortest values first; a column refers
  // to integers and to strings not stored as templates, so references
  // never loop and reading a column expands no other's templates.
  void EncodeStringColumns(size_t n) {
    encoded_.resize(pending_.size());
    blooms_.resize(pending_.size());
    std::vector<uint32_t> tried;  // columns to try as templates
    // Hexadecimal ids (a few odd values aside), to try as row references.
    std::vector<uint32_t> ids;
    for (uint32_t column = segment::kMessageColumn; column < pending_.size(); ++column) {
      const PendingColumn& values = pending_[column];
      const bool fixed = column < kFixedColumnCount;
      if (columns_[column].type != ColumnType::kString || (!fixed && values.rows.empty())) continue;
      std::string& raw = encoded_[column];
      raw.clear();
      AppendPresence(values, n, &raw);
      const size_t start = raw.size();
      EncodeStrings(values.strings, &raw, kMaxDictionary, &distinct_, options_.format_version);
      // Messages are searched by words, other strings by words and value
      // (a dictionary's values once each, or every value); measurements
      // by range only; span ids not by index (IsUnindexed).
      blooms_[column].clear();
      if (fixed || !IsUnindexed(columns_[column].name)) {
        for (std::string_view v : distinct_.empty() ? values.strings : distinct_) {
          column == segment::kMessageColumn ? bloom_.AddWords(v) : bloom_.AddWordsAndValue(v);
        }
        blooms_[column] = bloom_.Finish();
      }
      const auto encoding = static_cast<StringEncoding>(raw[start]);
      if (!fixed && (encoding == StringEncoding::kHex ||
                     (encoding == StringEncoding::kDictionary && HexLength(distinct_) > 0) ||
                     (encoding == StringEncoding::kPlain && MostlyHexIds(values.strings)))) {
        ids.push_back(column);
      }
      // Plain chunks, and dictionaries of many values (row groups of few
      // rows), are tried as templates.
      if (raw[start] == static_cast<char>(StringEncoding::kPlain) ||
          (raw[start] == static_cast<char>(StringEncoding::kDictionary) &&
           distinct_.size() > kMinTemplatedDictionary)) {
        tried.push_back(column);
      }
    }
    as_row_references_.clear();
    if (options_.format_version >= kRowReferencesVersion) ChooseRowReferences(n, ids);
    // A column that others refer to is read alone (row_references.h), so
    // it is no template either.
    std::erase_if(tried, [this](uint32_t c) { return IsRowReferences(c) || IsReferredTo(c); });
    if (options_.format_version < kTemplateVersion || tried.empty()) return;
    PrepareRowTexts(n, tried);
    std::vector<std::pair<double, uint32_t>> by_length;  // mean length, column
    for (uint32_t c : tried) {
      size_t bytes = 0;
      for (std::string_view v : pending_[c].strings) bytes += v.size();
      by_length.emplace_back(
          static_cast<double>(bytes) / static_cast<double>(pending_[c].strings.size()), c);
    }
    std::ranges::sort(by_length);
    for (size_t k = 0; k < tried.size(); ++k) tried[k] = by_length[k].second;
    std::string templated;
    std::vector<uint32_t> as_templates;
    for (size_t k = 0; k < tried.size(); ++k) {
      const uint32_t column = tried[k];
      // Not to columns stored as templates themselves: reading a message
      // would expand its path first (a message refers to the order id
      // instead, as the path does).
      std::vector<const RowTexts*> fields;
      for (const RowTexts& texts : row_texts_) {
        const uint32_t c = texts.column();
        const bool later = std::find(tried.begin() + static_cast<std::ptrdiff_t>(k), tried.end(),
                                     c) != tried.end();
        if (!later &&
            std::find(as_templates.begin(), as_templates.end(), c) == as_templates.end()) {
          fields.push_back(&texts);
        }
      }
      const PendingColumn& values = pending_[column];
      templated.clear();
      AppendPresence(values, n, &templated);
      templated.push_back(static_cast<char>(StringEncoding::kTemplate));
      if (EncodeTemplatedStrings(values.strings, values.rows, fields, options_.format_version,
                                 &templated) &&
          templated.size() < encoded_[column].size()) {
        std::swap(encoded_[column], templated);
        as_templates.push_back(column);
      }
    }
  }

  bool IsRowReferences(uint32_t column) const {
    return std::ranges::any_of(as_row_references_,
                               [column](const auto& c) { return c.first == column; });
  }
  // Another column is stored as references to this one's rows.
  bool IsReferredTo(uint32_t column) const {
    return std::ranges::any_of(as_row_references_, [column](const auto& c) {
      return c.second == column && c.first != column;
    });
  }
  // Stored as references to another column's rows: such a column is read
  // with that column, so no other refers to it (references are one deep).
  bool RefersToAnother(uint32_t column) const {
    return std::ranges::any_of(as_row_references_, [column](const auto& c) {
      return c.first == column && c.second != column;
    });
  }

  // Stores id columns as references to other rows where that is smaller
  // (row_references.h), the candidates that find the most values first. A
  // column that refers to another is never referred to, so reading a
  // column needs at most one other, itself read alone.
  void ChooseRowReferences(size_t n, const std::vector<uint32_t>& ids) {
    if (ids.empty()) return;
    std::vector<ColumnValues> columns;
    columns.reserve(ids.size());
    for (uint32_t c : ids) columns.push_back({pending_[c].strings, pending_[c].rows});
    std::string encoded;
    for (const RowReferenceCandidate& candidate : FindRowReferenceCandidates(columns)) {
      const uint32_t target = ids[candidate.target];
      const uint32_t source = ids[candidate.source];
      const bool other = source != target;
      if (IsRowReferences(target) || (other && (RefersToAnother(source) || IsReferredTo(target)))) {
        continue;
      }
      const PendingColumn& values = pending_[target];
      encoded.clear();
      AppendPresence(values, n, &encoded);
      encoded.push_back(static_cast<char>(StringEncoding::kRowReferences));
      EncodeRowReferences(columns[candidate.target], source, candidate.source_rows,
                          options_.format_version, &encoded);
      if (encoded.size() < encoded_[target].size()) {
        std::swap(encoded_[target], encoded);
        as_row_references_.emplace_back(target, source);
      }
    }
  }

  // The text by row of every string and integer column, for templates.
  void PrepareRowTexts(size_t n, const std::vector<uint32_t>& tried) {
    row_texts_.clear();
    value_of_row_.resize(pending_.size());
    for (uint32_t column = segment::kMessageColumn; column < pending_.size(); ++column) {
      const PendingColumn& values = pending_[column];
      const ColumnType type = columns_[column].type;
      const bool fixed = column < kFixedColumnCount;
      if ((type != ColumnType::kString && type != ColumnType::kInt) ||
          (!fixed && values.rows.empty()) || RefersToAnother(column)) {
        continue;
      }
      // A column of one repeated value (system, service) is as cheap as
      // a template's literal: leave it out, and the templates the same
      // across groups.
      if (type == ColumnType::kString &&
          std::find(tried.begin(), tried.end(), column) == tried.end() &&
          std::adjacent_find(values.strings.begin(), values.strings.end(), std::not_equal_to<>()) ==
              values.strings.end()) {
        continue;
      }
      // Rows to values, for columns some rows lack.
      std::vector<uint32_t>& value_of_row = value_of_row_[column];
      value_of_row.clear();
      if (!values.rows.empty()) {
        value_of_row.assign(n, RowTexts::kNoValue);
        for (size_t k = 0; k < values.rows.size(); ++k) {
          value_of_row[values.rows[k]] = static_cast<uint32_t>(k);
        }
      }
      row_texts_.push_back(type == ColumnType::kInt
                               ? RowTexts::Integers(column, n, values.ints, value_of_row)
                               : RowTexts::Strings(column, n, values.strings, {}, value_of_row));
    }
  }

  // Encodes a number or boolean attribute column's values and records its
  // statistics: the range of numbers, their Bloom filter.
  static void EncodeValues(ColumnType type, const PendingColumn& values, uint32_t version,
                           std::string* out, segment::ChunkMeta* chunk,
                           bloom::FilterBuilder* bloom) {
    switch (type) {
      case ColumnType::kInt: {
        const std::vector<int64_t>& ints = values.ints;
        if (bloom != nullptr) {
          for (int64_t v : ints) bloom->AddInteger(v);
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
        chunk->min_double = values.doubles.front();
        chunk->max_double = chunk->min_double;
        for (const double d : values.doubles) {
          PutFixed64(out, std::bit_cast<uint64_t>(d));
          if (std::isnan(d)) chunk->has_double_range = false;  // NaN has no place in a range
          chunk->min_double = std::min(chunk->min_double, d);
          chunk->max_double = std::max(chunk->max_double, d);
        }
        return;
      }
      default:
        out->append(values.bools.begin(), values.bools.end());
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
    const size_t n = ZstdCompress(raw, options_.zstd_level, compressed.data(), compressed.size());
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
  std::vector<PendingColumn> pending_;  // by column; reused across row groups
  struct KnownColumn {
    std::string key;
    ColumnType type = ColumnType::kTimestamp;  // no attribute's type: unknown
    uint32_t index = 0;
  };
  struct KnownColumns {
    std::array<KnownColumn, 4> columns;
    size_t next = 0;  // the one to replace next
  };
  std::vector<KnownColumns> by_position_;  // AttributeColumn's memory
  // The target columns of each batch of the row group being merged.
  absl::flat_hash_map<const ColumnBatch*, std::vector<uint32_t>> batch_columns_;
  std::vector<std::string_view> distinct_;  // a string chunk's dictionary
  // The row group's string chunks and their Bloom filters, by column.
  std::vector<std::string> encoded_;
  std::vector<std::string> blooms_;
  std::vector<RowTexts> row_texts_;                  // the columns templates may refer to
  std::vector<std::vector<uint32_t>> value_of_row_;  // by column, for row_texts_
  // The row group's columns stored as row references: (column, source).
  std::vector<std::pair<uint32_t, uint32_t>> as_row_references_;
};

void SortInSegmentOrder(std::vector<const LogRecord*>* rows, RowOrder order) {
  const std::vector<const LogRecord*>& in = *rows;
  const std::vector<uint32_t> positions = OrderRows(
      order, in.size(),
      [&in, order](size_t i) -> std::string_view {
        return order == RowOrder::kTrace ? TraceIdOf(*in[i]) : std::string_view(in[i]->service);
      },
      [&in](size_t i) { return in[i]->timestamp_ns; });
  std::vector<const LogRecord*> sorted(in.size());
  for (size_t i = 0; i < positions.size(); ++i) sorted[i] = in[positions[i]];
  *rows = std::move(sorted);
}

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

absl::Status SegmentWriter::CheckOrder(std::string_view service, int64_t timestamp_ns) {
  if (rows_ > 0 && options_.row_order == RowOrder::kServiceTime &&
      (service < last_service_ || (service == last_service_ && timestamp_ns < last_ts_))) {
    return absl::InvalidArgumentError("segment rows must come in (service.name, @timestamp) order");
  }
  ++rows_;
  if (service != last_service_) last_service_.assign(service);
  last_ts_ = timestamp_ns;
  return absl::OkStatus();
}

absl::Status SegmentWriter::AppendBuilt() {
  const std::string bytes = builder_->TakeBytes();
  bytes_written_ += bytes.size();
  return file_->Append(bytes);
}

absl::Status SegmentWriter::Add(LogRecord record) {
  RETURN_IF_ERROR(CheckOrder(record.service, record.timestamp_ns));
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
  return AppendBuilt();
}

absl::Status SegmentWriter::AddBatchRows(const std::vector<BatchRow>& rows) {
  if (file_ == nullptr) return absl::FailedPreconditionError("segment already finished");
  if (!pending_.empty()) {
    return absl::FailedPreconditionError("AddBatchRows cannot follow Add in one segment");
  }
  const ColumnBatch* batch = nullptr;
  const DecodedColumn* service = nullptr;
  std::string_view last_service;
  // Rows by trace (spans) are not checked: their order needs every row's
  // trace to tell.
  const bool check = options_.row_order == RowOrder::kServiceTime;
  for (size_t i = 0; check && i < rows.size(); ++i) {
    const BatchRow& r = rows[i];
    if (r.batch != batch) {
      batch = r.batch;
      service = batch->Column(segment::kServiceColumn);
    }
    const uint32_t v = service == nullptr ? DecodedColumn::kNull : service->ValueIndex(r.row);
    const std::string_view name = v == DecodedColumn::kNull ? "" : service->strings.Get(v);
    const int64_t ts = r.batch->timestamps[r.row];
    if (i > 0 && (name < last_service || (name == last_service && ts < last_ts_))) {
      return absl::InvalidArgumentError(
          "segment rows must come in (service.name, @timestamp) order");
    }
    last_service = name;
    last_ts_ = ts;
  }
  rows_ += rows.size();
  for (size_t begin = 0; begin < rows.size(); begin += options_.row_group_rows) {
    builder_->AddRowGroup(&rows[begin], std::min(options_.row_group_rows, rows.size() - begin));
    RETURN_IF_ERROR(AppendBuilt());
  }
  return absl::OkStatus();
}

absl::Status SegmentWriter::CopyRowGroup(const SegmentReader& input, size_t group) {
  if (file_ == nullptr) return absl::FailedPreconditionError("segment already finished");
  if (!pending_.empty()) {
    return absl::FailedPreconditionError("CopyRowGroup cannot follow Add in one segment");
  }
  if (input.version() != options_.format_version) {
    return absl::InvalidArgumentError(StrCat("segment ", input.path(), " has format version ",
                                             input.version(), "; its row groups are rewritten, ",
                                             "not copied, into version ", options_.format_version));
  }
  uint64_t start = 0;
  auto stored = input.ReadStoredRowGroup(group, &start);
  if (!stored.ok()) return stored.status();
  const segment::RowGroupMeta& meta = input.footer().row_groups[group];
  if (!builder_->AddStoredGroup(input.footer().columns, meta, *stored, start)) {
    return absl::DataLossError(StrCat("segment ", input.path(), " is damaged: row group ", group,
                                      ", a chunk of templates or row references"));
  }
  rows_ += meta.rows;
  return AppendBuilt();
}

absl::StatusOr<segment::Footer> SegmentWriter::Finish() {
  if (file_ == nullptr) return absl::FailedPreconditionError("segment already finished");
  if (!pending_.empty()) RETURN_IF_ERROR(WriteGroup());
  if (rows_ == 0) {
    return absl::InvalidArgumentError("a segment needs at least one record");
  }
  builder_->Finish();
  RETURN_IF_ERROR(AppendBuilt());
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
    RETURN_IF_ERROR(AppendBuilt());
  }
  rows_ += rows.size();
  return absl::OkStatus();
}

absl::StatusOr<segment::Footer> WriteSegment(Env* env, const std::string& path,
                                             std::vector<const LogRecord*> rows,
                                             const SegmentWriterOptions& options) {
  if (rows.empty()) return absl::InvalidArgumentError("a segment needs at least one record");
  SortInSegmentOrder(&rows, options.row_order);
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
