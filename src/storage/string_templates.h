// The template encoding of a string chunk (segment format 5,
// docs/format/segment.md): each value as a template, its numbers and its
// references to other columns of the same row. A log message such as
// "GET /api/orders/83057 200 32ms" is mostly other fields of its own record
// (the method, the order id, the status) and numbers: stored as the template
// "{http.request.method} /api/orders/{order.id} {http.response.status_code}
// #ms" and the number 32, it costs about two bytes instead of six, and zstd
// never could find that repetition because it lies across columns.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "storage/coding.h"

namespace mayak {

// One column of a row group as templates read it, by row: strings, or
// integers in decimal. A view of the column's arrays, which must outlive it.
class RowTexts {
 public:
  static constexpr uint32_t kNoValue = UINT32_MAX;

  RowTexts() = default;
  // Value v is values[codes[v]], or values[v] without codes.
  static RowTexts Strings(uint32_t column, size_t rows, std::span<const std::string_view> values,
                          std::span<const uint32_t> codes, std::span<const uint32_t> value_of_row);
  static RowTexts Integers(uint32_t column, size_t rows, std::span<const int64_t> values,
                           std::span<const uint32_t> value_of_row);

  uint32_t column() const { return column_; }
  bool integers() const { return integers_; }
  // The value of `row`, or kNoValue. `value_of_row` maps rows to values;
  // empty, row r has value r.
  uint32_t ValueOf(size_t row) const {
    if (row >= rows_) return kNoValue;
    const size_t v = value_of_row_.empty() ? row : value_of_row_[row];
    return v < count_ ? static_cast<uint32_t>(v) : kNoValue;
  }
  std::string_view String(uint32_t v) const { return strings_[codes_.empty() ? v : codes_[v]]; }
  int64_t Integer(uint32_t v) const { return integers_values_[v]; }
  // The text of `row` (integers printed into `digits`), or nullopt.
  std::optional<std::string_view> Text(size_t row, std::array<char, 20>& digits) const;

 private:
  uint32_t column_ = 0;  // the segment's column index
  size_t rows_ = 0;
  size_t count_ = 0;  // values
  bool integers_ = false;
  std::span<const std::string_view> strings_;
  std::span<const uint32_t> codes_;
  std::span<const int64_t> integers_values_;
  std::span<const uint32_t> value_of_row_;
};

// At most this many columns are referred to by one chunk.
inline constexpr size_t kMaxTemplateReferences = 64;

// Appends to `out` the template encoding of `values` (after the chunk's
// encoding byte, which the caller writes), where value k belongs to row
// `rows[k]` (or row k when `rows` is empty), referring to `fields` where a
// value contains one of them whole. Returns false, having written nothing,
// when templates would not pay: too many distinct templates (each should
// serve several values) or a value holding the bytes 0x01-0x03 that mark
// template slots.
bool EncodeTemplatedStrings(const std::vector<std::string_view>& values,
                            const std::vector<uint32_t>& rows,
                            const std::vector<const RowTexts*>& fields, uint32_t version,
                            std::string* out);

// The texts of a column a chunk refers to; an error when it has none or
// cannot be read.
using ReferenceResolver = absl::FunctionRef<absl::StatusOr<const RowTexts*>(uint32_t column)>;

// Decodes the `count` values of a template chunk (read from `in`, after its
// encoding byte): their text is written one after another to `text`, and
// `values` are views into it. `rows` as for the encoder. False on damage: a
// template, number or reference out of range, a referenced row without a
// value, or bytes left over. With `wanted` (by row), the values of rows it
// leaves out are made empty: a count reads one column for the few rows its
// filter matched, and writing out the others' text is most of the cost.
bool ExpandTemplatedStrings(ByteReader* in, size_t count, const std::vector<uint32_t>& rows,
                            ReferenceResolver resolve, uint32_t version, std::string* text,
                            std::vector<std::string_view>* values,
                            const std::vector<uint8_t>* wanted = nullptr);

// Copies `count` column numbers (varints) from `in` to `out`, each c as
// renumber(c). False on damage: a number that is no column, or one
// renumber cannot place.
bool CopyRenumberedColumns(ByteReader* in, uint64_t count,
                           absl::FunctionRef<std::optional<uint32_t>(uint32_t)> renumber,
                           std::string* out);

// Copies a template chunk (`in`, after its encoding byte) to `out` with
// each column it refers to, c, numbered renumber(c) instead: a merge copies
// row groups into a segment that may number its columns differently. False
// on damage: a bad list of references, or one renumber cannot place.
bool RenumberTemplateReferences(std::string_view in,
                                absl::FunctionRef<std::optional<uint32_t>(uint32_t)> renumber,
                                std::string* out);

}  // namespace mayak
