// One row group's columns, decoded but not assembled into records. Searches
// evaluate filters and aggregations group rows on these; only the rows a
// search returns become LogRecords.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/log_record.h"
#include "storage/column_encoding.h"
#include "storage/segment_format.h"

namespace mayak {

struct DecodedColumn {
  static constexpr uint32_t kNull = UINT32_MAX;

  uint32_t column = 0;  // index into the footer's columns
  std::string_view name;
  segment::ColumnType type = segment::ColumnType::kString;
  // The decompressed chunk: `strings` point into it (held by pointer so the
  // views survive moves).
  std::unique_ptr<std::string> raw;
  // Row -> index of its value, or kNull; empty when every row has a value.
  std::vector<uint32_t> value_of_row;
  StringViews strings;          // kString
  std::vector<int64_t> ints;    // kInt, kTimestamp, kObserved, kLevel
  std::vector<double> doubles;  // kDouble
  std::vector<uint8_t> bools;   // kBool
  bool templated = false;       // kString stored as templates (format 5)
  // kInt stored as a dictionary and decoded for a filter alone
  // (DecodeChunk's `integer_codes`): `ints` stays empty and value k is
  // integer_codes.dictionary[integer_codes.codes[k]] until WriteOutIntegers.
  bool has_integer_codes = false;
  IntegerCodes integer_codes;

  // Fills `ints` from the codes, which are then gone (a no-op without them):
  // what records, groups and templates read.
  void WriteOutIntegers();
  // Value `v` of a kInt column, written out or not.
  int64_t IntAt(uint32_t v) const {
    return has_integer_codes
               ? integer_codes.dictionary[static_cast<uint8_t>(integer_codes.codes[v])]
               : ints[v];
  }

  uint32_t ValueIndex(size_t row) const {
    return value_of_row.empty() ? static_cast<uint32_t>(row) : value_of_row[row];
  }
};

// Decodes a chunk of `rows` rows (docs/format/segment.md) into `out`, whose
// `column`, `name` and `type` are set. False when the bytes are damaged.
// `version` is the segment's format version.
// A templated string chunk (format 5) refers to other columns of its row
// group: `resolve` gives their texts, and without it such a chunk is damage.
// With `wanted_rows`, a templated chunk writes out only those rows' values
// (the others are empty). With `integer_codes`, an integer chunk stored as
// a dictionary keeps its codes (DecodedColumn::integer_codes).
bool DecodeChunk(std::unique_ptr<std::string> raw, size_t rows, uint64_t present, uint32_t version,
                 DecodedColumn* out, const ReferenceResolver* resolve = nullptr,
                 const std::vector<uint8_t>* wanted_rows = nullptr, bool integer_codes = false);

// A string or integer column as the templated chunks that refer to it read
// it (a view: `column` must outlive it); nullopt for other types.
std::optional<RowTexts> TextsOf(const DecodedColumn& column, size_t rows);

struct ColumnBatch {
  size_t rows = 0;
  std::vector<int64_t> timestamps;  // @timestamp of every row
  std::vector<DecodedColumn> columns;

  // The columns named `name`: a field has one per type it was stored with.
  std::vector<const DecodedColumn*> Find(std::string_view name) const;
  // The decoded column of the segment's column `column`, or null.
  const DecodedColumn* Column(uint32_t column) const;
  // The record of `row`, from the columns decoded.
  LogRecord Materialize(size_t row) const;
};

}  // namespace mayak
