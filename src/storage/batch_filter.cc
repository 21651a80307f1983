#include "storage/batch_filter.h"

#include <algorithm>
#include <cstring>

#include "common/strings.h"
#include "model/level.h"
#include "model/tokenizer.h"

namespace mayak {
namespace {

using segment::ColumnType;
using segment::kMessageColumn;
using segment::kServiceColumn;

char FoldAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

// Marks in `value_hit` the plain values that contain the token sequence.
// Rather than walking every message's words, it looks for the longest token
// in the whole lower-cased chunk at once (memmem) and checks only the values
// where it occurs.
void FindWordsInPlainValues(const std::vector<std::string_view>& values,
                            const std::vector<std::string>& tokens,
                            std::vector<uint8_t>* value_hit) {
  if (values.empty()) return;
  const std::string& needle = *std::max_element(
      tokens.begin(), tokens.end(),
      [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
  // Plain values are views of one chunk, one after another in order
  // (DecodeStringViews), so [first, end of last) covers them all.
  const char* base = values.front().data();
  const char* end = values.back().data() + values.back().size();
  std::string folded(base, end);
  for (char& c : folded) c = FoldAscii(c);
  // Offsets of the values in `folded`, for finding which one a hit is in.
  std::vector<size_t> starts(values.size());
  for (size_t k = 0; k < values.size(); ++k) starts[k] = values[k].data() - base;
  size_t from = 0;
  while (from + needle.size() <= folded.size()) {
    const void* found =
        memmem(folded.data() + from, folded.size() - from, needle.data(), needle.size());
    if (found == nullptr) break;
    const size_t at = static_cast<const char*>(found) - folded.data();
    const size_t k = std::upper_bound(starts.begin(), starts.end(), at) - starts.begin() - 1;
    if (at + needle.size() > starts[k] + values[k].size()) {
      from = at + 1;  // across the end of a value: not in it
      continue;
    }
    if (ContainsTokenSequence(values[k], tokens)) (*value_hit)[k] = 1;
    if (k + 1 >= values.size()) break;
    from = starts[k + 1];
  }
}

bool IntEquals(int64_t actual, const FilterTerm& term) {
  int64_t v = 0;
  if (ParseInt(term.value, &v)) return v == actual;
  double d = 0;
  return ParseDouble(term.value, &d) && d == static_cast<double>(actual);
}

// Per value of `column` (dictionary entries for dictionary columns) whether
// it satisfies `term`.
std::vector<uint8_t> MatchValues(const FilterTerm& term, bool words, const DecodedColumn& column) {
  std::vector<uint8_t> hit;
  switch (column.type) {
    case ColumnType::kString: {
      const auto& values = column.strings.values;
      hit.assign(values.size(), 0);
      const bool service = column.column == kServiceColumn;
      if (words && column.strings.codes.empty()) {
        FindWordsInPlainValues(values, term.tokens, &hit);
        break;
      }
      for (size_t k = 0; k < values.size(); ++k) {
        if (words) {
          hit[k] = ContainsTokenSequence(values[k], term.tokens);
        } else if (service && values[k].empty()) {
          hit[k] = 0;
        } else {
          hit[k] = term.exists || values[k] == term.value;
        }
      }
      break;
    }
    case ColumnType::kLevel:
      hit.resize(column.ints.size());
      for (size_t k = 0; k < hit.size(); ++k) {
        const auto level = static_cast<Level>(column.ints[k]);
        hit[k] = level != Level::kUnset &&
                 (term.exists || EqualsIgnoreCase(LevelName(level), term.value));
      }
      break;
    case ColumnType::kTimestamp:
    case ColumnType::kObserved:
    case ColumnType::kInt: {
      // Integer terms compare in place (MatchColumn); here `field:*` and
      // values such as 7.0.
      hit.resize(column.ints.size());
      for (size_t k = 0; k < hit.size(); ++k) {
        hit[k] = term.exists || IntEquals(column.ints[k], term);
      }
      break;
    }
    case ColumnType::kDouble: {
      hit.resize(column.doubles.size());
      double wanted = 0;
      const bool parsed = ParseDouble(term.value, &wanted);
      for (size_t k = 0; k < hit.size(); ++k) {
        hit[k] = term.exists || (parsed && column.doubles[k] == wanted);
      }
      break;
    }
    case ColumnType::kBool: {
      hit.resize(column.bools.size());
      bool wanted = false;
      const bool parsed = ParseBool(term.value, &wanted);
      for (size_t k = 0; k < hit.size(); ++k) {
        hit[k] = term.exists || (parsed && (column.bools[k] != 0) == wanted);
      }
      break;
    }
  }
  return hit;
}

// Sets row_hit[row] for the rows whose value in `column` satisfies `term`.
void MatchColumn(const FilterTerm& term, bool words, const DecodedColumn& column,
                 std::vector<uint8_t>* row_hit) {
  const bool integers = column.type == ColumnType::kInt || column.type == ColumnType::kTimestamp ||
                        column.type == ColumnType::kObserved;
  int64_t wanted = 0;
  if (integers && !term.exists && ParseInt(term.value, &wanted)) {
    // The common needle and filter (order.id:10442, status 500): compare in
    // place, row by row.
    const std::vector<int64_t>& ints = column.ints;
    uint8_t* hit = row_hit->data();
    if (column.value_of_row.empty()) {
      for (size_t r = 0; r < row_hit->size(); ++r) hit[r] |= ints[r] == wanted;
    } else {
      for (size_t r = 0; r < row_hit->size(); ++r) {
        const uint32_t v = column.value_of_row[r];
        if (v != DecodedColumn::kNull) hit[r] |= ints[v] == wanted;
      }
    }
    return;
  }
  const std::vector<uint8_t> value_hit = MatchValues(term, words, column);
  const bool strings = column.type == ColumnType::kString;
  for (size_t r = 0; r < row_hit->size(); ++r) {
    const uint32_t v = column.ValueIndex(r);
    if (v == DecodedColumn::kNull) continue;
    if (value_hit[strings ? column.strings.Code(v) : v]) (*row_hit)[r] = 1;
  }
}

}  // namespace

void ApplyFilter(const Filter& filter, const ColumnBatch& batch, std::vector<uint8_t>* match) {
  std::vector<uint8_t> row_hit;
  for (const FilterTerm& term : filter.terms()) {
    const bool words = term.field.empty() || term.field == field::kMessage;
    if (words && term.tokens.empty()) continue;  // matches every record
    row_hit.assign(batch.rows, 0);
    if (term.field == field::kTimestamp) {
      // @timestamp is kept apart from the other columns.
      DecodedColumn timestamps;
      timestamps.type = ColumnType::kTimestamp;
      timestamps.ints = batch.timestamps;
      MatchColumn(term, false, timestamps, &row_hit);
    } else {
      for (const DecodedColumn* column : batch.Find(words ? field::kMessage : term.field)) {
        if (words && column->column != kMessageColumn) continue;
        MatchColumn(term, words, *column, &row_hit);
      }
    }
    for (size_t r = 0; r < batch.rows; ++r) (*match)[r] &= row_hit[r];
  }
}

}  // namespace mayak
