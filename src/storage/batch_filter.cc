#include "storage/batch_filter.h"

#include <algorithm>
#include <cstring>

#include "absl/container/flat_hash_set.h"
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
// Whether message text `text` satisfies a message term.
bool MessageMatches(const FilterTerm& term, std::string_view text) {
  switch (term.kind) {
    case FilterTerm::Kind::kExists:
      return !text.empty();
    case FilterTerm::Kind::kRange:
      return term.Compare(text);
    case FilterTerm::Kind::kMatch:
      break;
  }
  if (!term.wildcard) return ContainsTokenSequence(text, term.tokens);
  bool found = false;
  ForEachWord(text, [&](std::string_view word) {
    if (!found) found = WildcardMatch(term.value, ToLower(word));
  });
  return found;
}

std::vector<uint8_t> MatchValues(const FilterTerm& term, bool words, const DecodedColumn& column) {
  std::vector<uint8_t> hit;
  const bool exists = term.kind == FilterTerm::Kind::kExists;
  const bool range = term.kind == FilterTerm::Kind::kRange;
  switch (column.type) {
    case ColumnType::kString: {
      const auto& values = column.strings.values;
      hit.assign(values.size(), 0);
      const bool service = column.column == kServiceColumn;
      if (words && column.strings.codes.empty() && term.kind == FilterTerm::Kind::kMatch &&
          !term.wildcard) {
        FindWordsInPlainValues(values, term.tokens, &hit);
        break;
      }
      for (size_t k = 0; k < values.size(); ++k) {
        if (words) {
          hit[k] = MessageMatches(term, values[k]);
        } else if (service && values[k].empty()) {
          hit[k] = 0;
        } else {
          hit[k] = exists || term.TextMatches(values[k]);
        }
      }
      break;
    }
    case ColumnType::kLevel:
      hit.resize(column.ints.size());
      for (size_t k = 0; k < hit.size(); ++k) {
        const auto level = static_cast<Level>(column.ints[k]);
        const std::string_view name = LevelName(level);
        hit[k] = level != Level::kUnset &&
                 (exists || (range           ? term.Compare(name)
                             : term.wildcard ? WildcardMatch(ToLower(term.value), ToLower(name))
                                             : EqualsIgnoreCase(name, term.value)));
      }
      break;
    case ColumnType::kTimestamp:
    case ColumnType::kObserved:
    case ColumnType::kInt: {
      // Integer equality compares in place (MatchColumn); here `field:*`,
      // ranges and values such as 7.0.
      const auto matches = [&](int64_t v) {
        return exists || (range ? term.Compare(v) : IntEquals(v, term));
      };
      if (column.has_integer_codes) {
        // Each dictionary entry is tested once, then looked up by code.
        const IntegerCodes& codes = column.integer_codes;
        std::vector<uint8_t> entry_hit(codes.dictionary.size());
        for (size_t e = 0; e < entry_hit.size(); ++e) entry_hit[e] = matches(codes.dictionary[e]);
        hit.resize(codes.codes.size());
        for (size_t k = 0; k < hit.size(); ++k) {
          hit[k] = entry_hit[static_cast<uint8_t>(codes.codes[k])];
        }
        break;
      }
      hit.resize(column.ints.size());
      for (size_t k = 0; k < hit.size(); ++k) hit[k] = matches(column.ints[k]);
      break;
    }
    case ColumnType::kDouble: {
      hit.resize(column.doubles.size());
      double wanted = 0;
      const bool parsed = ParseDouble(term.value, &wanted);
      for (size_t k = 0; k < hit.size(); ++k) {
        hit[k] = exists ||
                 (range ? term.Compare(column.doubles[k]) : parsed && column.doubles[k] == wanted);
      }
      break;
    }
    case ColumnType::kBool: {
      hit.resize(column.bools.size());
      bool wanted = false;
      const bool parsed = ParseBool(term.value, &wanted);
      for (size_t k = 0; k < hit.size(); ++k) {
        hit[k] = exists || (!range && parsed && (column.bools[k] != 0) == wanted);
      }
      break;
    }
  }
  return hit;
}

// How MatchColumn combines a row's result into `rows`: kAny sets the rows
// that match (a term's columns, one per type, are alternatives), kAll clears
// the rows that do not (the term's only column, straight into the match).
enum class Combine { kAny, kAll };

template <Combine kMode>
void CombineRow(uint8_t* row, bool hit) {
  if constexpr (kMode == Combine::kAny) {
    *row |= static_cast<uint8_t>(hit);
  } else {
    *row &= static_cast<uint8_t>(hit);
  }
}

// Combines into rows[row] whether the row's value in `column`, an integer
// column holding codes, equals `wanted`: one byte compared a row.
template <Combine kMode>
void MatchIntegerCode(const DecodedColumn& column, int64_t wanted, std::vector<uint8_t>* rows) {
  const std::vector<int64_t>& dictionary = column.integer_codes.dictionary;
  const auto entry = std::lower_bound(dictionary.begin(), dictionary.end(), wanted);
  if (entry == dictionary.end() || *entry != wanted) {
    // No row of this group has the value.
    if constexpr (kMode == Combine::kAll) std::fill(rows->begin(), rows->end(), 0);
    return;
  }
  const auto code = static_cast<uint8_t>(entry - dictionary.begin());
  const auto* codes = reinterpret_cast<const uint8_t*>(column.integer_codes.codes.data());
  uint8_t* hit = rows->data();
  const size_t n = rows->size();
  if (column.value_of_row.empty()) {
    for (size_t r = 0; r < n; ++r) CombineRow<kMode>(&hit[r], codes[r] == code);
    return;
  }
  const uint32_t* value_of_row = column.value_of_row.data();
  for (size_t r = 0; r < n; ++r) {
    const uint32_t v = value_of_row[r];
    CombineRow<kMode>(&hit[r], v != DecodedColumn::kNull && codes[v] == code);
  }
}

// Combines into rows[row] whether the row's value in `column` satisfies
// `term`; a row without a value does not.
template <Combine kMode>
void MatchColumn(const FilterTerm& term, bool words, const DecodedColumn& column,
                 std::vector<uint8_t>* rows) {
  const bool integers = column.type == ColumnType::kInt || column.type == ColumnType::kTimestamp ||
                        column.type == ColumnType::kObserved;
  int64_t wanted = 0;
  uint8_t* hit = rows->data();
  const size_t n = rows->size();
  if (integers && term.kind == FilterTerm::Kind::kMatch && ParseInt(term.value, &wanted)) {
    // The common needle and filter (order.id:10442, status 500): compare in
    // place, row by row.
    if (column.has_integer_codes) return MatchIntegerCode<kMode>(column, wanted, rows);
    const int64_t* ints = column.ints.data();
    if (column.value_of_row.empty()) {
      for (size_t r = 0; r < n; ++r) CombineRow<kMode>(&hit[r], ints[r] == wanted);
    } else {
      const uint32_t* value_of_row = column.value_of_row.data();
      for (size_t r = 0; r < n; ++r) {
        const uint32_t v = value_of_row[r];
        CombineRow<kMode>(&hit[r], v != DecodedColumn::kNull && ints[v] == wanted);
      }
    }
    return;
  }
  const std::vector<uint8_t> value_hit = MatchValues(term, words, column);
  const bool strings = column.type == ColumnType::kString;
  for (size_t r = 0; r < n; ++r) {
    const uint32_t v = column.ValueIndex(r);
    CombineRow<kMode>(
        &hit[r], v != DecodedColumn::kNull && value_hit[strings ? column.strings.Code(v) : v] != 0);
  }
}

// Clears the rows of `*rows` that `term` rejects.
void ApplyTerm(const FilterTerm& term, const ColumnBatch& batch, std::vector<uint8_t>* rows) {
  const bool words = term.field.empty() || term.field == field::kMessage;
  DecodedColumn timestamps;
  std::vector<const DecodedColumn*> columns;
  if (term.field == field::kTimestamp) {
    // @timestamp is kept apart from the other columns.
    timestamps.type = ColumnType::kTimestamp;
    timestamps.ints = batch.timestamps;
    columns.push_back(&timestamps);
  } else {
    for (const DecodedColumn* column : batch.Find(words ? field::kMessage : term.field)) {
      if (!words || column->column == kMessageColumn) columns.push_back(column);
    }
  }
  if (columns.size() == 1) {
    // One column (the common case): rows it rejects are cleared in place.
    MatchColumn<Combine::kAll>(term, words, *columns[0], rows);
    return;
  }
  std::vector<uint8_t> row_hit(batch.rows, 0);
  for (const DecodedColumn* column : columns) {
    MatchColumn<Combine::kAny>(term, words, *column, &row_hit);
  }
  for (size_t r = 0; r < batch.rows; ++r) (*rows)[r] &= row_hit[r];
}

// `f:a or f:b or ...`, a list of values of one field (the trace ids a
// search reads whole, statuses): each column of the field is read once,
// text values looked up in a set, where a term at a time would read it
// once a value. False when `node` is not such a list.
bool ApplyValueList(const Filter& filter, const FilterNode& node, const ColumnBatch& batch,
                    std::vector<uint8_t>* rows) {
  if (node.children.size() < 2) return false;
  std::vector<const FilterTerm*> terms;
  for (const FilterNode& child : node.children) {
    if (child.kind != FilterNode::Kind::kTerm) return false;
    const FilterTerm& term = filter.terms()[child.term];
    if (term.kind != FilterTerm::Kind::kMatch || term.wildcard || term.field.empty() ||
        term.field == field::kMessage || term.field == field::kTimestamp ||
        (!terms.empty() && term.field != terms[0]->field)) {
      return false;
    }
    terms.push_back(&term);
  }
  absl::flat_hash_set<std::string_view> texts;
  for (const FilterTerm* term : terms) texts.insert(term->value);
  std::vector<uint8_t> row_hit(batch.rows, 0);
  std::vector<uint8_t> value_hit;
  for (const DecodedColumn* column : batch.Find(terms[0]->field)) {
    const bool strings = column->type == ColumnType::kString;
    if (strings) {
      // "" in service.name means none.
      const bool service = column->column == kServiceColumn;
      const auto& values = column->strings.values;
      value_hit.assign(values.size(), 0);
      for (size_t k = 0; k < values.size(); ++k) {
        value_hit[k] = !(service && values[k].empty()) && texts.contains(values[k]);
      }
    } else {
      value_hit.clear();
      for (const FilterTerm* term : terms) {
        const std::vector<uint8_t> hit = MatchValues(*term, false, *column);
        if (value_hit.empty()) value_hit.assign(hit.size(), 0);
        for (size_t k = 0; k < hit.size(); ++k) value_hit[k] |= hit[k];
      }
    }
    for (size_t r = 0; r < batch.rows; ++r) {
      const uint32_t v = column->ValueIndex(r);
      if (v != DecodedColumn::kNull && value_hit[strings ? column->strings.Code(v) : v] != 0) {
        row_hit[r] = 1;
      }
    }
  }
  for (size_t r = 0; r < batch.rows; ++r) (*rows)[r] &= row_hit[r];
  return true;
}

// Clears the rows of `*rows` that `node` rejects. Terms under `and` clear
// rows in place; `or` and `not` work on rows of their own.
void ApplyNode(const Filter& filter, const FilterNode& node, const ColumnBatch& batch,
               std::vector<uint8_t>* rows) {
  switch (node.kind) {
    case FilterNode::Kind::kAll:
      return;
    case FilterNode::Kind::kTerm:
      return ApplyTerm(filter.terms()[node.term], batch, rows);
    case FilterNode::Kind::kAnd:
      for (const FilterNode& child : node.children) ApplyNode(filter, child, batch, rows);
      return;
    case FilterNode::Kind::kOr: {
      if (ApplyValueList(filter, node, batch, rows)) return;
      std::vector<uint8_t> any(batch.rows, 0);
      std::vector<uint8_t> child_rows;
      for (const FilterNode& child : node.children) {
        child_rows = *rows;
        ApplyNode(filter, child, batch, &child_rows);
        for (size_t r = 0; r < batch.rows; ++r) any[r] |= child_rows[r];
      }
      for (size_t r = 0; r < batch.rows; ++r) (*rows)[r] &= any[r];
      return;
    }
    case FilterNode::Kind::kNot: {
      std::vector<uint8_t> inner(batch.rows, 1);
      ApplyNode(filter, node.children[0], batch, &inner);
      for (size_t r = 0; r < batch.rows; ++r) (*rows)[r] &= static_cast<uint8_t>(!inner[r]);
      return;
    }
  }
}

}  // namespace

void ApplyFilter(const Filter& filter, const ColumnBatch& batch, std::vector<uint8_t>* match) {
  ApplyNode(filter, filter.root(), batch, match);
}

}  // namespace mayak
