#include "storage/column_batch.h"

#include <bit>
#include <cstring>

#include "common/strings.h"
#include "model/level.h"

namespace mayak {

using segment::ColumnType;

namespace {

absl::StatusOr<const RowTexts*> NoReferences(uint32_t column) {
  return absl::DataLossError(StrCat("reference to column ", column, " outside a row group"));
}

}  // namespace

void DecodedColumn::WriteOutIntegers() {
  if (!has_integer_codes) return;
  const std::string_view codes = integer_codes.codes;
  ints.resize(codes.size());
  for (size_t k = 0; k < codes.size(); ++k) {
    ints[k] = integer_codes.dictionary[static_cast<uint8_t>(codes[k])];
  }
  has_integer_codes = false;
  integer_codes = {};
}

bool DecodeChunk(std::unique_ptr<std::string> raw, size_t rows, uint64_t present, uint32_t version,
                 DecodedColumn* out, const ReferenceResolver* resolve,
                 const std::vector<uint8_t>* wanted_rows, bool integer_codes) {
  std::string_view values = *raw;
  out->raw = std::move(raw);
  size_t count = rows;
  if (const size_t bitmap_size = segment::PresenceBitmapSize(rows, present); bitmap_size > 0) {
    // A bitmap of the rows that have a value comes first.
    if (values.size() < bitmap_size) return false;
    out->value_of_row.assign(rows, DecodedColumn::kNull);
    uint32_t next = 0;
    for (size_t r = 0; r < rows; ++r) {
      if ((static_cast<uint8_t>(values[r / 8]) >> (r % 8)) & 1) out->value_of_row[r] = next++;
    }
    if (next != present) return false;
    values.remove_prefix(bitmap_size);
    count = next;
  }
  switch (out->type) {
    case ColumnType::kTimestamp:
    case ColumnType::kObserved: {
      auto ts = DecodeTimestamps(values, count, version);
      if (!ts.ok() || count != rows) return false;
      out->ints = *std::move(ts);
      return true;
    }
    case ColumnType::kLevel:
      if (values.size() != rows || count != rows) return false;
      out->ints.resize(rows);
      for (size_t r = 0; r < rows; ++r) {
        const auto level = static_cast<uint8_t>(values[r]);
        if (level > static_cast<uint8_t>(Level::kFatal)) return false;
        out->ints[r] = level;
      }
      return true;
    case ColumnType::kString: {
      // Hexadecimal ids, IPv4 addresses and prefixed numbers are stored as
      // bytes or numbers; their text is made in a buffer of its own that
      // then replaces the raw chunk (held by pointer, so the views into it
      // stay valid).
      auto expanded = std::make_unique<std::string>();
      // Templates and row references need each value's row, for the rows
      // and columns they refer to.
      std::vector<uint32_t> value_rows;
      const bool templated =
          !values.empty() && values[0] == static_cast<char>(StringEncoding::kTemplate);
      const bool row_references =
          !values.empty() && values[0] == static_cast<char>(StringEncoding::kRowReferences);
      if (templated || row_references) {
        if (templated && resolve == nullptr) return false;
        if (!out->value_of_row.empty()) {
          value_rows.reserve(count);
          for (size_t r = 0; r < rows; ++r) {
            if (out->value_of_row[r] != DecodedColumn::kNull) {
              value_rows.push_back(static_cast<uint32_t>(r));
            }
          }
        }
      }
      const TemplateContext templates{
          .rows = value_rows,
          .resolve = resolve != nullptr ? *resolve : ReferenceResolver(NoReferences),
          .column = out->column,
          .wanted = wanted_rows};
      auto strings = DecodeStringViews(values, count, expanded.get(), version, &templates);
      if (!strings.ok()) return false;
      out->strings = *std::move(strings);
      if (!expanded->empty() || templated || row_references) out->raw = std::move(expanded);
      out->templated = templated;
      return true;
    }
    case ColumnType::kInt: {
      if (integer_codes && IsIntegerDictionary(values, version)) {
        auto codes = DecodeIntegerCodes(values, count);
        if (!codes.ok()) return false;
        out->integer_codes = *std::move(codes);
        out->has_integer_codes = true;
        return true;
      }
      auto ints = DecodeIntegers(values, count, version);
      if (!ints.ok()) return false;
      out->ints = *std::move(ints);
      return true;
    }
    case ColumnType::kDouble:
      if (values.size() != count * 8) return false;
      out->doubles.resize(count);
      for (size_t k = 0; k < count; ++k) {
        uint64_t bits = 0;
        std::memcpy(&bits, values.data() + k * 8, 8);
        out->doubles[k] = std::bit_cast<double>(bits);
      }
      return true;
    case ColumnType::kBool:
      if (values.size() != count) return false;
      out->bools.assign(values.begin(), values.end());
      for (uint8_t& b : out->bools) b = b != 0;
      return true;
  }
  return false;
}

std::optional<RowTexts> TextsOf(const DecodedColumn& column, size_t rows) {
  if (column.type == ColumnType::kInt) {
    return RowTexts::Integers(column.column, rows, column.ints, column.value_of_row);
  }
  if (column.type == ColumnType::kString) {
    return RowTexts::Strings(column.column, rows, column.strings.values, column.strings.codes,
                             column.value_of_row);
  }
  return std::nullopt;
}

std::vector<const DecodedColumn*> ColumnBatch::Find(std::string_view name) const {
  std::vector<const DecodedColumn*> found;
  for (const DecodedColumn& c : columns) {
    if (c.name == name) found.push_back(&c);
  }
  return found;
}

const DecodedColumn* ColumnBatch::Column(uint32_t column) const {
  for (const DecodedColumn& c : columns) {
    if (c.column == column) return &c;
  }
  return nullptr;
}

LogRecord ColumnBatch::Materialize(size_t row) const {
  LogRecord r;
  r.timestamp_ns = timestamps[row];
  for (const DecodedColumn& c : columns) {
    const uint32_t v = c.ValueIndex(row);
    if (v == DecodedColumn::kNull) continue;
    switch (c.type) {
      case ColumnType::kTimestamp:
        break;
      case ColumnType::kObserved:
        r.observed_timestamp_ns = c.ints[v];
        break;
      case ColumnType::kLevel:
        r.level = static_cast<Level>(c.ints[v]);
        break;
      case ColumnType::kString: {
        const std::string_view s = c.strings.Get(v);
        if (c.column == segment::kMessageColumn) {
          r.message.assign(s);
        } else if (c.column == segment::kSystemColumn) {
          r.system.assign(s);
        } else if (c.column == segment::kServiceColumn) {
          r.service.assign(s);
        } else {
          r.attributes.push_back({std::string(c.name), std::string(s)});
        }
        break;
      }
      case ColumnType::kInt:  // a filter's codes, when the hits' fields leave the column out
        r.attributes.push_back({std::string(c.name), c.IntAt(v)});
        break;
      case ColumnType::kDouble:
        r.attributes.push_back({std::string(c.name), c.doubles[v]});
        break;
      case ColumnType::kBool:
        r.attributes.push_back({std::string(c.name), c.bools[v] != 0});
        break;
    }
  }
  return r;
}

}  // namespace mayak
