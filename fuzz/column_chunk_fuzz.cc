// A segment's column chunk decoders on arbitrary bytes, past the checksum and
// zstd layers (which a random mutation never gets through): a damaged chunk
// must be refused, never read out of bounds. What decodes must be consistent
// and, for numbers, survive encoding again.
//
// Input: type u8 | version u8 | rows u16 LE | present u16 LE | chunk bytes.
// Templated and row-reference string chunks resolve two made-up columns
// (below).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "storage/column_batch.h"
#include "storage/column_encoding.h"

namespace {

using mayak::DecodedColumn;
using mayak::segment::ColumnType;

// Decoded numbers encode and decode again to the same values.
template <typename Encode, typename Decode>
void CheckNumbersReencode(const std::vector<int64_t>& values, uint32_t version, Encode encode,
                          Decode decode) {
  std::string encoded;
  encode(values, &encoded, version);
  auto again = decode(encoded, values.size(), version);
  FUZZ_CHECK(again.ok() && *again == values, "numbers change when encoded again");
}

void CheckDecoded(const DecodedColumn& column, size_t rows, uint64_t present, uint32_t version,
                  bool templated) {
  const size_t values = present < rows ? present : rows;
  if (present < rows) {
    FUZZ_CHECK(column.value_of_row.size() == rows, "a null bitmap of the wrong size");
    for (uint32_t index : column.value_of_row) {
      FUZZ_CHECK(index == DecodedColumn::kNull || index < values, "a row points past the values");
    }
  }
  switch (column.type) {
    case ColumnType::kString:
      for (size_t i = 0; i < values; ++i) {
        FUZZ_CHECK(
            column.strings.codes.empty() || column.strings.codes[i] < column.strings.values.size(),
            "a dictionary code past the dictionary");
      }
      // Templates and row references are decoded to text without lengths,
      // not to the plain layout.
      if (present >= rows && !templated) {
        auto copies = mayak::DecodeStrings(*column.raw, rows);
        FUZZ_CHECK(copies.ok(), "strings decode as views but not as copies");
        for (size_t i = 0; i < rows; ++i) {
          FUZZ_CHECK((*copies)[i] == column.strings.Get(i), "views and copies disagree");
        }
      }
      break;
    case ColumnType::kInt:
      CheckNumbersReencode(column.ints, version, mayak::EncodeIntegers, mayak::DecodeIntegers);
      break;
    case ColumnType::kTimestamp:
    case ColumnType::kObserved:
      CheckNumbersReencode(column.ints, version, mayak::EncodeTimestamps, mayak::DecodeTimestamps);
      break;
    default:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 6) return 0;
  const auto type = static_cast<ColumnType>(1 + data[0] % 7);
  const uint32_t version = 1 + data[1] % mayak::segment::kVersion;
  const size_t rows = (data[2] | (data[3] << 8)) % 2048;
  uint64_t present = data[4] | (data[5] << 8);
  if (present > rows) present = rows;

  DecodedColumn column;
  column.type = type;
  column.name = "fuzz";
  auto raw = std::make_unique<std::string>(reinterpret_cast<const char*>(data) + 6, size - 6);
  // Templated chunks may refer to column 1 (a method by row) and column 2
  // (a number by row, missing in every fifth row); any other is missing.
  std::vector<std::string_view> method_values;
  std::vector<int64_t> number_values;
  std::vector<uint32_t> number_of_row;
  for (size_t r = 0; r < rows; ++r) {
    method_values.emplace_back(r % 2 == 0 ? "GET" : "POST");
    number_of_row.push_back(r % 5 == 4 ? mayak::RowTexts::kNoValue
                                       : static_cast<uint32_t>(number_values.size()));
    if (r % 5 != 4) number_values.push_back(static_cast<int64_t>(r * 37));
  }
  const auto methods = mayak::RowTexts::Strings(1, rows, method_values, {}, {});
  const auto numbers = mayak::RowTexts::Integers(2, rows, number_values, number_of_row);
  const auto resolve = [&](uint32_t c) -> absl::StatusOr<const mayak::RowTexts*> {
    if (c == 1) return &methods;
    if (c == 2) return &numbers;
    return absl::NotFoundError("no such column");
  };
  const mayak::ReferenceResolver resolver(resolve);
  const size_t bitmap_size = present < rows ? (rows + 7) / 8 : 0;
  const bool templated =
      raw->size() > bitmap_size &&
      ((*raw)[bitmap_size] == static_cast<char>(mayak::StringEncoding::kTemplate) ||
       (*raw)[bitmap_size] == static_cast<char>(mayak::StringEncoding::kRowReferences));
  if (mayak::DecodeChunk(std::move(raw), rows, present, version, &column, &resolver)) {
    CheckDecoded(column, rows, present, version, templated);
  }
  return 0;
}
