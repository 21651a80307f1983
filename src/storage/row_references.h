// The row-reference encoding of a string chunk (segment format 6,
// docs/format/segment.md): each value is either a literal or the value of a
// column at another row of the same row group. Spans lie by trace
// (row_order.h), so a span's trace id is the one of the row before it, and
// its parent id is the span id of its parent's row a few rows away: stored
// as those rows' distances, a trace id costs its 16 bytes once a trace
// instead of once a span, and a parent id about a byte instead of eight.
// zstd finds neither: the repeats are too short and too many for it to
// code cheaply, and a parent id repeats another column.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "common/string_hash.h"
#include "storage/coding.h"
#include "storage/string_templates.h"

namespace mayak {

// One string column of a row group, or its first values: value k belongs
// to row rows[k] (rows empty: to row k).
struct ColumnValues {
  std::span<const std::string_view> values;
  std::span<const uint32_t> rows;
  uint32_t RowOf(size_t k) const { return rows.empty() ? static_cast<uint32_t>(k) : rows[k]; }
  ColumnValues First(size_t n) const {
    n = std::min(n, values.size());
    return {values.first(n), rows.empty() ? rows : rows.first(n)};
  }
};

inline constexpr uint32_t kNoSourceRow = UINT32_MAX;

// A column's values and a row holding each, for references into it.
class RowsByValue {
 public:
  explicit RowsByValue(const ColumnValues& column);
  // A row holding `value`, or kNoSourceRow.
  uint32_t Find(std::string_view value) const {
    const auto it = rows_.find(value);
    return it == rows_.end() ? kNoSourceRow : it->second;
  }

 private:
  absl::flat_hash_map<std::string_view, uint32_t, StringHash, StringEq> rows_;
};

// For each value of `target`, the row it can refer to: a row of `source`
// holding the same value, or (without `source`) an earlier row of `target`
// itself that does (the last one, or the row before in a run of one value:
// a run costs no hash); kNoSourceRow where there is none. Returns how
// many values have one.
size_t FindSourceRows(const ColumnValues& target, const RowsByValue* source,
                      std::vector<uint32_t>* source_rows);

// A column that could be stored as references to `source` (indexes into
// the columns searched; source == target: to earlier rows of itself), how
// many of its values were found there and where each was.
struct RowReferenceCandidate {
  size_t target = 0;
  size_t source = 0;
  size_t found = 0;
  std::vector<uint32_t> source_rows;
};

// Every pair of a column and a source (itself, or another of `columns`)
// where at least a quarter of the column's values are found, those that
// find the most first. A probe of each column's first values rules out
// most pairs that would not pay (log records' unique ids) before any index
// of all values is built.
std::vector<RowReferenceCandidate> FindRowReferenceCandidates(
    const std::vector<ColumnValues>& columns);

// Appends the chunk's bytes after its encoding byte: the referenced column
// (`source_column`; the target's own for references to earlier rows), a
// code per value, then the values without a source row as a string chunk of
// their own (EncodeStrings, format `version`).
void EncodeRowReferences(const ColumnValues& target, uint32_t source_column,
                         const std::vector<uint32_t>& source_rows, uint32_t version,
                         std::string* out);

// Decodes the `count` values of a row-reference chunk of column
// `own_column` (`in` after its encoding byte); value k belongs to row
// rows[k] (rows empty: row k). The texts are written to `text` once each:
// `values` are views into it, and value k is values[codes[k]], or values[k]
// when `codes` is left empty (no value repeats an earlier row's). `resolve` gives the texts of
// another column referred to. False on damage: a code naming a row outside
// the group, a row without a value, a reference to the column itself that
// is not to an earlier row, literals that do not decode or do not match
// their count, or bytes left over.
bool ExpandRowReferences(ByteReader* in, size_t count, uint32_t own_column,
                         const std::vector<uint32_t>& rows, ReferenceResolver resolve,
                         uint32_t version, std::string* text, std::vector<std::string_view>* values,
                         std::vector<uint32_t>* codes);

// Copies a row-reference chunk (`in`, after its encoding byte) to `out` with
// the column it refers to, c, numbered renumber(c) instead. False on damage.
bool RenumberRowReferences(std::string_view in,
                           absl::FunctionRef<std::optional<uint32_t>(uint32_t)> renumber,
                           std::string* out);

}  // namespace mayak
