#include "storage/string_templates.h"

#include <map>
#include <set>

#include "gtest/gtest.h"
#include "storage/column_encoding.h"

namespace mayak {
namespace {

// Columns of a small row group that templates may refer to.
class StringTemplatesTest : public ::testing::Test {
 protected:
  static constexpr uint32_t kMethodColumn = 7;
  static constexpr uint32_t kPathColumn = 8;
  static constexpr uint32_t kStatusColumn = 9;
  static constexpr uint32_t kOrderColumn = 10;

  // Requests of `rows` rows: every third has an order id, and its path
  // names it.
  void MakeRequests(size_t rows) {
    static constexpr const char* kMethods[] = {"GET", "POST", "DELETE"};
    path_storage_.resize(rows);
    messages_storage_.resize(rows);
    method_values_.clear();
    path_values_.clear();
    status_values_.clear();
    order_values_.clear();
    order_of_row_.assign(rows, RowTexts::kNoValue);
    for (size_t r = 0; r < rows; ++r) {
      const int64_t order = 83000 + static_cast<int64_t>(r) * 37;
      const int64_t status = r % 7 == 0 ? 500 : 200;
      path_storage_[r] = r % 3 == 0 ? "/api/orders/" + std::to_string(order) : "/api/cart";
      if (r % 3 == 0) {
        order_of_row_[r] = static_cast<uint32_t>(order_values_.size());
        order_values_.push_back(order);
      }
      method_values_.emplace_back(kMethods[r % 3]);
      status_values_.push_back(status);
      messages_storage_[r] = std::string(kMethods[r % 3]) + " " + path_storage_[r] + " " +
                             std::to_string(status) + " " + std::to_string(r % 90) + "ms";
    }
    path_values_.assign(path_storage_.begin(), path_storage_.end());
    methods_ = RowTexts::Strings(kMethodColumn, rows, method_values_, {}, {});
    paths_ = RowTexts::Strings(kPathColumn, rows, path_values_, {}, {});
    statuses_ = RowTexts::Integers(kStatusColumn, rows, status_values_, {});
    orders_ = RowTexts::Integers(kOrderColumn, rows, order_values_, order_of_row_);
  }

  std::vector<const RowTexts*> Fields() const { return {&methods_, &paths_, &statuses_, &orders_}; }

  // Decodes what EncodeTemplatedStrings wrote; `referred` collects the
  // columns the chunk asked for.
  absl::StatusOr<std::vector<std::string>> Decode(
      const std::string& encoded, size_t count, const std::vector<uint32_t>& rows,
      std::set<uint32_t>* referred = nullptr, const std::vector<uint8_t>* wanted = nullptr) const {
    const std::map<uint32_t, const RowTexts*> by_column = {{kMethodColumn, &methods_},
                                                           {kPathColumn, &paths_},
                                                           {kStatusColumn, &statuses_},
                                                           {kOrderColumn, &orders_}};
    const auto resolve = [&](uint32_t column) -> absl::StatusOr<const RowTexts*> {
      if (referred != nullptr) referred->insert(column);
      const auto it = by_column.find(column);
      if (it == by_column.end()) return absl::NotFoundError("no such column");
      return it->second;
    };
    ByteReader in(encoded);
    std::string text;
    std::vector<std::string_view> views;
    if (!ExpandTemplatedStrings(&in, count, rows, resolve, kTemplateVersion, &text, &views,
                                wanted)) {
      return absl::DataLossError("damaged");
    }
    if (views.size() != count) return absl::InternalError("wrong count");
    return std::vector<std::string>(views.begin(), views.end());
  }

  std::vector<std::string_view> method_values_;
  std::vector<std::string_view> path_values_;
  std::vector<int64_t> status_values_;
  std::vector<int64_t> order_values_;
  std::vector<uint32_t> order_of_row_;
  RowTexts methods_;
  RowTexts paths_;
  RowTexts statuses_;
  RowTexts orders_;
  std::vector<std::string> path_storage_;
  std::vector<std::string> messages_storage_;
};

TEST_F(StringTemplatesTest, OnlyTheWantedRowsAreWrittenOut) {
  MakeRequests(300);
  const std::vector<std::string_view> values(messages_storage_.begin(), messages_storage_.end());
  std::string encoded;
  ASSERT_TRUE(EncodeTemplatedStrings(values, {}, Fields(), kTemplateVersion, &encoded));
  std::vector<uint8_t> wanted(values.size(), 0);
  for (size_t r = 0; r < wanted.size(); r += 7) wanted[r] = 1;
  auto decoded = Decode(encoded, values.size(), {}, nullptr, &wanted);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  for (size_t r = 0; r < values.size(); ++r) {
    EXPECT_EQ((*decoded)[r], wanted[r] ? messages_storage_[r] : "") << r;
  }
}

TEST_F(StringTemplatesTest, MessagesReferToTheirRowsFieldsAndKeepTheirNumbers) {
  MakeRequests(300);
  const std::vector<std::string_view> values(messages_storage_.begin(), messages_storage_.end());
  std::string encoded;
  ASSERT_TRUE(EncodeTemplatedStrings(values, {}, Fields(), kTemplateVersion, &encoded));
  std::set<uint32_t> referred;
  auto decoded = Decode(encoded, values.size(), {}, &referred);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, messages_storage_);
  // The method, the path and the status come from their columns; the
  // order id is inside the path, so the message does not refer to it.
  EXPECT_EQ(referred, (std::set<uint32_t>{kMethodColumn, kPathColumn, kStatusColumn}));
  size_t plain_size = 0;
  for (std::string_view v : values) plain_size += v.size() + 1;
  EXPECT_LT(encoded.size() * 4, plain_size) << "templates: " << encoded.size();
}

TEST_F(StringTemplatesTest, PathsReferToTheOrderIdOfTheirRow) {
  MakeRequests(300);
  std::vector<std::string_view> values;
  std::vector<uint32_t> rows;
  for (size_t r = 0; r < 300; r += 3) {  // only rows with an order: a sparse column
    values.push_back(path_storage_[r]);
    rows.push_back(static_cast<uint32_t>(r));
  }
  std::string encoded;
  ASSERT_TRUE(
      EncodeTemplatedStrings(values, rows, {&orders_, &statuses_}, kTemplateVersion, &encoded));
  std::set<uint32_t> referred;
  auto decoded = Decode(encoded, values.size(), rows, &referred);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(std::vector<std::string>(values.begin(), values.end()), *decoded);
  EXPECT_EQ(referred, std::set<uint32_t>{kOrderColumn});
}

TEST_F(StringTemplatesTest, EveryKindOfTextComesBackExactly) {
  MakeRequests(64);
  // Numbers of every shape (leading zeros, too long for an int64, signs,
  // decimals, units), words with digits (hex ids, file names), a field's
  // text inside a longer word (not a reference), non-ASCII, empty.
  const std::vector<std::string> kinds = {
      "took 0 ms and 007 retries",
      "id 1234567890123456789012 and 999999999999999999",
      "delta -5 ratio 12.50%",
      "trace 4bf92f3577b34da6a3ce929d0e0e4736 in file12.js:40:7",
      "GETTER /api/cartoon 2000 200",
      "заказ 42 отменён",
      "",
      "32ms10s 5xx x86_64",
  };
  std::vector<std::string_view> values;
  for (size_t r = 0; r < 64; ++r) values.push_back(kinds[r % kinds.size()]);
  std::string encoded;
  ASSERT_TRUE(EncodeTemplatedStrings(values, {}, Fields(), kTemplateVersion, &encoded));
  auto decoded = Decode(encoded, values.size(), {});
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(std::vector<std::string>(values.begin(), values.end()), *decoded);
}

TEST_F(StringTemplatesTest, RefusesWhereTemplatesWouldNotPay) {
  MakeRequests(64);
  std::string encoded;
  // Too few values.
  const std::vector<std::string_view> few(8, "GET /api/cart 200 1ms");
  EXPECT_FALSE(EncodeTemplatedStrings(few, {}, Fields(), kTemplateVersion, &encoded));
  // Every value its own template, as stack traces are.
  std::vector<std::string> distinct;
  distinct.reserve(64);
  for (size_t i = 0; i < 64; ++i) {
    distinct.emplace_back(1 + i, static_cast<char>('a' + i % 26));  // "a", "bb", "ccc", ...
  }
  const std::vector<std::string_view> unique(distinct.begin(), distinct.end());
  EXPECT_FALSE(EncodeTemplatedStrings(unique, {}, Fields(), kTemplateVersion, &encoded));
  // A value holding a byte that marks slots.
  std::vector<std::string_view> marked(64, "GET /api/cart 200 1ms");
  marked[40] = std::string_view("a\x02z", 3);
  EXPECT_FALSE(EncodeTemplatedStrings(marked, {}, Fields(), kTemplateVersion, &encoded));
  EXPECT_TRUE(encoded.empty());
}

TEST_F(StringTemplatesTest, DamageIsAnErrorNeverAnOverRead) {
  MakeRequests(200);
  const std::vector<std::string_view> values(messages_storage_.begin(), messages_storage_.end());
  std::string encoded;
  ASSERT_TRUE(EncodeTemplatedStrings(values, {}, Fields(), kTemplateVersion, &encoded));
  ASSERT_TRUE(Decode(encoded, values.size(), {}).ok());
  // Every truncation, and one byte flipped at every place: refused or
  // decoded within bounds (AddressSanitizer watches), never a crash.
  for (size_t n = 0; n < encoded.size(); ++n) {
    EXPECT_FALSE(Decode(encoded.substr(0, n), values.size(), {}).ok()) << n;
  }
  for (size_t i = 0; i < encoded.size(); ++i) {
    std::string flipped = encoded;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x5A);
    (void)Decode(flipped, values.size(), {});
  }
  // A row the referred column has no value for.
  const std::vector<uint32_t> no_rows(200, RowTexts::kNoValue);
  RowTexts empty_paths = RowTexts::Strings(kPathColumn, 200, path_values_, {}, no_rows);
  std::swap(paths_, empty_paths);
  EXPECT_FALSE(Decode(encoded, values.size(), {}).ok());
  std::swap(paths_, empty_paths);
  // Another count of values than was written.
  EXPECT_FALSE(Decode(encoded, values.size() - 1, {}).ok());
  EXPECT_FALSE(Decode(encoded, values.size() + 1, {}).ok());
}

TEST_F(StringTemplatesTest, AColumnThatCannotBeResolvedIsDamage) {
  MakeRequests(100);
  const std::vector<std::string_view> values(messages_storage_.begin(), messages_storage_.end());
  std::string encoded;
  ASSERT_TRUE(EncodeTemplatedStrings(values, {}, Fields(), kTemplateVersion, &encoded));
  ByteReader in(encoded);
  std::string text;
  std::vector<std::string_view> views;
  const auto missing = [](uint32_t) -> absl::StatusOr<const RowTexts*> {
    return absl::DataLossError("row group lacks it");
  };
  EXPECT_FALSE(
      ExpandTemplatedStrings(&in, values.size(), {}, missing, kTemplateVersion, &text, &views));
}

}  // namespace
}  // namespace mayak
