#include "storage/row_references.h"

#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "storage/column_encoding.h"

namespace mayak {
namespace {

constexpr uint32_t kSpanIdColumn = 7;
constexpr uint32_t kParentIdColumn = 8;

absl::StatusOr<const RowTexts*> Unresolved(uint32_t column) {
  return absl::DataLossError("column " + std::to_string(column) + " cannot be resolved");
}

// Decodes a row-reference chunk written by EncodeRowReferences (without
// its encoding byte) of column `own`; `texts` counts the texts written.
bool Decode(std::string_view encoded, size_t count, uint32_t own, const std::vector<uint32_t>& rows,
            ReferenceResolver resolve, std::vector<std::string>* out, size_t* texts = nullptr) {
  ByteReader in(encoded);
  std::string text;
  std::vector<std::string_view> values;
  std::vector<uint32_t> codes;
  if (!ExpandRowReferences(&in, count, own, rows, resolve, kRowReferencesVersion, &text, &values,
                           &codes)) {
    return false;
  }
  EXPECT_TRUE(codes.empty() ? values.size() == count : codes.size() == count);
  out->clear();
  for (size_t k = 0; k < count; ++k) {
    const size_t v = codes.empty() ? k : codes[k];
    EXPECT_LT(v, values.size());
    out->emplace_back(values[v]);
  }
  if (texts != nullptr) *texts = values.size();
  return true;
}

TEST(RowReferencesTest, RepeatedValuesReferToAnEarlierRow) {
  const std::vector<std::string_view> values = {"aa", "aa", "bb", "aa", "bb", "bb", "cc"};
  const ColumnValues column{values, {}};
  std::vector<uint32_t> sources;
  EXPECT_EQ(FindSourceRows(column, nullptr, &sources), 4u);
  // The last earlier row holding the value, or in a run the row before.
  EXPECT_EQ(sources, (std::vector<uint32_t>{kNoSourceRow, 0, kNoSourceRow, 0, 2, 4, kNoSourceRow}));
  std::string encoded;
  EncodeRowReferences(column, kParentIdColumn, sources, kRowReferencesVersion, &encoded);
  std::vector<std::string> decoded;
  size_t texts = 0;
  ASSERT_TRUE(Decode(encoded, values.size(), kParentIdColumn, {}, Unresolved, &decoded, &texts));
  EXPECT_EQ(decoded, std::vector<std::string>(values.begin(), values.end()));
  EXPECT_EQ(texts, 3u) << "a repeated value shares its text (and code) with the row it repeats";
}

TEST(RowReferencesTest, ValuesOfSomeRowsReferToRowsNotToValues) {
  // Values at rows 1, 3, 4 and 8 of a group: distances count rows.
  const std::vector<std::string_view> values = {"x", "y", "x", "x"};
  const std::vector<uint32_t> rows = {1, 3, 4, 8};
  const ColumnValues column{values, rows};
  std::vector<uint32_t> sources;
  EXPECT_EQ(FindSourceRows(column, nullptr, &sources), 2u);
  EXPECT_EQ(sources, (std::vector<uint32_t>{kNoSourceRow, kNoSourceRow, 1, 4}));
  std::string encoded;
  EncodeRowReferences(column, kParentIdColumn, sources, kRowReferencesVersion, &encoded);
  std::vector<std::string> decoded;
  ASSERT_TRUE(Decode(encoded, values.size(), kParentIdColumn, rows, Unresolved, &decoded));
  EXPECT_EQ(decoded, std::vector<std::string>(values.begin(), values.end()));
  // Read as if its values were at other rows, the references miss.
  EXPECT_FALSE(Decode(encoded, values.size(), kParentIdColumn, {0, 1, 2, 3}, Unresolved, &decoded));
}

TEST(RowReferencesTest, ParentIdsReferToTheSpanIdsOfTheirParentsRows) {
  const std::vector<std::string_view> span_ids = {"a1", "b2", "c3", "d4", "e5"};
  // Rows 1-4 have parents: three in the group (before and after their own
  // row), one outside it.
  const std::vector<std::string_view> parents = {"a1", "d4", "a1", "ff"};
  const std::vector<uint32_t> parent_rows = {1, 2, 3, 4};
  const RowsByValue by_span_id(ColumnValues{span_ids, {}});
  std::vector<uint32_t> sources;
  const ColumnValues column{parents, parent_rows};
  EXPECT_EQ(FindSourceRows(column, &by_span_id, &sources), 3u);
  EXPECT_EQ(sources, (std::vector<uint32_t>{0, 3, 0, kNoSourceRow}));
  std::string encoded;
  EncodeRowReferences(column, kSpanIdColumn, sources, kRowReferencesVersion, &encoded);
  const RowTexts texts = RowTexts::Strings(kSpanIdColumn, span_ids.size(), span_ids, {}, {});
  std::vector<uint32_t> asked;
  const auto resolve = [&](uint32_t c) -> absl::StatusOr<const RowTexts*> {
    asked.push_back(c);
    if (c != kSpanIdColumn) return Unresolved(c);
    return &texts;
  };
  std::vector<std::string> decoded;
  ASSERT_TRUE(Decode(encoded, parents.size(), kParentIdColumn, parent_rows, resolve, &decoded));
  EXPECT_EQ(decoded, std::vector<std::string>(parents.begin(), parents.end()));
  EXPECT_EQ(asked, std::vector<uint32_t>{kSpanIdColumn});
  // Without the span ids the chunk cannot be read, and says so.
  EXPECT_FALSE(Decode(encoded, parents.size(), kParentIdColumn, parent_rows, Unresolved, &decoded));
  // Renumbered (a merge whose segment numbers the span ids 12), it asks
  // for column 12.
  std::string renumbered;
  ASSERT_TRUE(RenumberRowReferences(
      encoded, [](uint32_t c) -> std::optional<uint32_t> { return c == kSpanIdColumn ? 12 : c; },
      &renumbered));
  asked.clear();
  EXPECT_FALSE(Decode(renumbered, parents.size(), kParentIdColumn, parent_rows, resolve, &decoded));
  EXPECT_EQ(asked, std::vector<uint32_t>{12});
  EXPECT_FALSE(RenumberRowReferences(
      encoded, [](uint32_t) -> std::optional<uint32_t> { return std::nullopt; }, &renumbered));
}

TEST(RowReferencesTest, CandidatesArePairsWhereAQuarterOfTheValuesAreFound) {
  // 2,000 spans of 500 traces, four spans each, a chain: span 4t+k+1's
  // parent is span 4t+k. And a column of unique ids, as log records have.
  std::vector<std::string> storage;
  for (int i = 0; i < 2000; ++i) storage.push_back("s" + std::to_string(i));
  for (int i = 0; i < 2000; ++i) storage.push_back("t" + std::to_string(i / 4));
  for (int i = 0; i < 2000; ++i) storage.push_back("u" + std::to_string(i));
  std::vector<std::string_view> span_ids(storage.begin(), storage.begin() + 2000);
  std::vector<std::string_view> trace_ids(storage.begin() + 2000, storage.begin() + 4000);
  std::vector<std::string_view> unique(storage.begin() + 4000, storage.end());
  std::vector<std::string_view> parents;
  std::vector<uint32_t> parent_rows;
  for (uint32_t r = 0; r < 2000; ++r) {
    if (r % 4 == 0) continue;
    parents.push_back(span_ids[r - 1]);
    parent_rows.push_back(r);
  }
  const std::vector<ColumnValues> columns = {
      {span_ids, {}}, {trace_ids, {}}, {parents, parent_rows}, {unique, {}}};
  const std::vector<RowReferenceCandidate> candidates = FindRowReferenceCandidates(columns);
  std::vector<std::tuple<size_t, size_t, size_t>> found;
  for (const RowReferenceCandidate& c : candidates) {
    found.emplace_back(c.target, c.source, c.found);
    ASSERT_EQ(c.source_rows.size(), columns[c.target].values.size());
  }
  // Three span ids in four are parent ids, trace ids repeat three times in
  // four rows, and every parent id is a span id; ties keep the columns'
  // order. No id is in the unique column, nor a unique id anywhere.
  EXPECT_EQ(found, (std::vector<std::tuple<size_t, size_t, size_t>>{
                       {0, 2, 1500}, {1, 1, 1500}, {2, 0, 1500}}));
  EXPECT_EQ(candidates[2].source_rows[0], 0u);  // row 1's parent is row 0
}

TEST(RowReferencesTest, DamageIsAnErrorNeverAnOverRead) {
  const auto chunk = [](uint32_t column, std::vector<uint64_t> codes, std::string literals) {
    std::string out;
    PutVarint(&out, column);
    for (uint64_t c : codes) PutVarint(&out, c);
    return out + literals;
  };
  std::string one_literal;
  EncodeStrings({"ab"}, &one_literal);
  std::vector<std::string> decoded;
  // A reference of a column to its own row, or to a row before the group.
  EXPECT_FALSE(Decode(chunk(8, {0, ZigZag(0) + 1}, one_literal), 2, 8, {}, Unresolved, &decoded));
  EXPECT_FALSE(Decode(chunk(8, {ZigZag(1) + 1, 0}, one_literal), 2, 8, {}, Unresolved, &decoded));
  // To a later row of its own column (not decoded yet).
  EXPECT_FALSE(Decode(chunk(8, {ZigZag(-1) + 1, 0}, one_literal), 2, 8, {}, Unresolved, &decoded));
  // More literals counted than stored, or fewer.
  EXPECT_FALSE(Decode(chunk(8, {0, 0}, one_literal), 2, 8, {}, Unresolved, &decoded));
  std::string two_literals;
  EncodeStrings({"ab", "cd"}, &two_literals);
  EXPECT_FALSE(Decode(chunk(8, {0, ZigZag(1) + 1}, two_literals), 2, 8, {}, Unresolved, &decoded));
  // Literals that are templates or row references themselves.
  EXPECT_FALSE(Decode(chunk(8, {0}, std::string(1, 5) + one_literal.substr(1)), 1, 8, {},
                      Unresolved, &decoded));
  EXPECT_FALSE(Decode(chunk(8, {0}, std::string(1, 6) + one_literal.substr(1)), 1, 8, {},
                      Unresolved, &decoded));
  // To another column's row that has no value.
  const std::vector<std::string_view> span_ids = {"a1"};
  const std::vector<uint32_t> span_value_of_row = {RowTexts::kNoValue, 0};
  const RowTexts texts = RowTexts::Strings(7, 2, span_ids, {}, span_value_of_row);
  const auto resolve = [&](uint32_t) -> absl::StatusOr<const RowTexts*> { return &texts; };
  std::string empty_literals;
  EncodeStrings({}, &empty_literals);
  EXPECT_TRUE(Decode(chunk(7, {ZigZag(-1) + 1}, empty_literals), 1, 8, {}, resolve, &decoded));
  EXPECT_EQ(decoded, std::vector<std::string>{"a1"});
  EXPECT_FALSE(Decode(chunk(7, {ZigZag(0) + 1}, empty_literals), 1, 8, {}, resolve, &decoded));
  // Every truncation of a good chunk is refused.
  const std::string good = chunk(8, {0, ZigZag(1) + 1}, one_literal);
  ASSERT_TRUE(Decode(good, 2, 8, {}, Unresolved, &decoded));
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(Decode(good.substr(0, n), 2, 8, {}, Unresolved, &decoded)) << n;
  }
}

}  // namespace
}  // namespace mayak
