#include "storage/bloom_filter.h"

#include <random>
#include <string>
#include <string_view>

#include "gtest/gtest.h"
#include "model/tokenizer.h"

namespace mayak::bloom {
namespace {

TEST(BloomFilterTest, NeverMissesAKeyAndRarelyClaimsOthers) {
  FilterBuilder builder;
  for (int i = 0; i < 20000; ++i) builder.AddWords("order " + std::to_string(i * 2));
  const std::string filter = builder.Finish();
  EXPECT_EQ(filter.size() % kBlockBytes, 0u);
  // 20,001 distinct words at kBitsPerKey bits each, rounded up to whole blocks.
  EXPECT_LE(filter.size(), static_cast<size_t>(20001 * kBitsPerKey / 8) + kBlockBytes);
  EXPECT_TRUE(MayContain(filter, WordHash("ORDER")));
  for (int i = 0; i < 20000; ++i) {
    ASSERT_TRUE(MayContain(filter, WordHash(std::to_string(i * 2)))) << i;
  }
  int false_positives = 0;
  for (int i = 0; i < 20000; ++i) {
    false_positives += MayContain(filter, WordHash(std::to_string(i * 2 + 1))) ? 1 : 0;
  }
  EXPECT_LT(false_positives, 20000 * 4 / 100) << "more than 4% false positives";
  EXPECT_GT(false_positives, 0) << "a Bloom filter this small cannot be exact";
}

TEST(BloomFilterTest, ExactValuesAndWordsAreKeptApart) {
  FilterBuilder builder;
  builder.AddWordsAndValue("Connection refused");
  builder.AddWordsAndValue("10442");
  const std::string filter = builder.Finish();
  EXPECT_TRUE(MayContain(filter, ExactValueHash("Connection refused")));
  EXPECT_TRUE(MayContain(filter, WordHash("connection")));
  EXPECT_TRUE(MayContain(filter, WordHash("REFUSED")));
  EXPECT_TRUE(MayContain(filter, ExactValueHash("10442")));
  EXPECT_TRUE(MayContain(filter, WordHash("10442")));
  // A one-word lower-case value is stored once, as its word.
  EXPECT_EQ(ExactValueHash("10442"), WordHash("10442"));
  EXPECT_NE(ExactValueHash("Refused"), WordHash("refused"));
  EXPECT_NE(ExactValueHash("connection refused"), ExactValueHash("Connection refused"));
}

// The builder hashes words where they lie in one lower-cased copy of the
// value; a search hashes each word apart (WordHash, ExactValueHash). Any
// disagreement would be a missed hit, so every kind of byte is tried.
TEST(BloomFilterTest, BuilderKeysAgreeWithTheHashesSearchesUse) {
  std::mt19937 random(7);
  constexpr char kBytes[] = {'a', 'Z', '0', '_', ' ', '.', '/', '\0', '\xc3', '\xa9', '-', 'q'};
  for (int round = 0; round < 2000; ++round) {
    std::string value(random() % 12, ' ');
    for (char& c : value) c = kBytes[random() % sizeof(kBytes)];
    FilterBuilder builder;
    builder.AddWordsAndValue(value);
    const std::string filter = builder.Finish();
    // One key (or two) in a one-block filter: anything else would collide
    // too often to tell, so the check is that nothing added is missed.
    ASSERT_TRUE(MayContain(filter, ExactValueHash(value))) << "value '" << value << "'";
    ForEachWord(value, [&](std::string_view word) {
      ASSERT_TRUE(MayContain(filter, WordHash(word)))
          << "word '" << word << "' of '" << value << "'";
    });
  }
}

TEST(BloomFilterTest, BuilderKeysAreExactlyTheWordsAndTheValue) {
  // Texts long enough to cross the 64-byte blocks words are found in.
  std::mt19937 random(11);
  constexpr char kBytes[] = {'a', 'Z', '0', '_', ' ', '.', 'x', '\0', '\xc3', '\xa9', 'q', 'M'};
  for (int round = 0; round < 3000; ++round) {
    std::string value(random() % 200, ' ');
    for (char& c : value) c = kBytes[random() % (random() % 2 ? 4 : sizeof(kBytes))];
    absl::flat_hash_set<uint64_t> expected;
    ForEachWord(value, [&](std::string_view word) { expected.insert(WordHash(word)); });
    FilterBuilder words;
    words.AddWords(value);
    ASSERT_EQ(words.keys(), expected.size()) << "'" << value << "'";
    for (uint64_t key : expected) ASSERT_TRUE(words.HasKey(key)) << "'" << value << "'";
    expected.insert(ExactValueHash(value));
    FilterBuilder with_value;
    with_value.AddWordsAndValue(value);
    ASSERT_EQ(with_value.keys(), expected.size()) << "'" << value << "'";
    for (uint64_t key : expected) ASSERT_TRUE(with_value.HasKey(key)) << "'" << value << "'";
  }
}

TEST(BloomFilterTest, AFilterWithoutKeysClaimsNothingAndNoFilterEverything) {
  const std::string empty = FilterBuilder().Finish();
  EXPECT_EQ(empty.size(), kBlockBytes);
  EXPECT_FALSE(MayContain(empty, WordHash("anything")));
  EXPECT_TRUE(MayContain("", WordHash("anything")));
}

}  // namespace
}  // namespace mayak::bloom
