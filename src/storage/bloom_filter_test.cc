#include "storage/bloom_filter.h"

#include <string>

#include "gtest/gtest.h"

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

TEST(BloomFilterTest, AFilterWithoutKeysClaimsNothingAndNoFilterEverything) {
  const std::string empty = FilterBuilder().Finish();
  EXPECT_EQ(empty.size(), kBlockBytes);
  EXPECT_FALSE(MayContain(empty, WordHash("anything")));
  EXPECT_TRUE(MayContain("", WordHash("anything")));
}

}  // namespace
}  // namespace mayak::bloom
