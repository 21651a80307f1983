#include "model/tokenizer.h"

#include "gtest/gtest.h"

namespace mayak {
namespace {

TEST(TokenizerTest, SplitsIntoLowerCaseWords) {
  EXPECT_EQ(Tokenize("Connection refused: 10.0.0.7 (über_x)"),
            (std::vector<std::string>{"connection", "refused", "10", "0", "0", "7", "über_x"}));
  EXPECT_TRUE(Tokenize(" -- ").empty());
}

TEST(TokenizerTest, FindsWordSequences) {
  const std::string text = "a a b Payment failed: connection REFUSED by db-1";
  EXPECT_TRUE(ContainsTokenSequence(text, {"connection", "refused"}));
  EXPECT_TRUE(ContainsTokenSequence(text, {"a", "b"}));  // after a false start
  EXPECT_TRUE(ContainsTokenSequence(text, {"db", "1"}));
  EXPECT_TRUE(ContainsTokenSequence(text, {}));
  EXPECT_FALSE(ContainsTokenSequence(text, {"refused", "connection"}));
  EXPECT_FALSE(ContainsTokenSequence(text, {"connect"}));
  EXPECT_FALSE(ContainsTokenSequence(text, {"1", "extra"}));
  EXPECT_FALSE(ContainsTokenSequence("", {"x"}));
}

}  // namespace
}  // namespace mayak
