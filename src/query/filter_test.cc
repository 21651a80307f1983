#include "query/filter.h"

#include "gtest/gtest.h"

namespace mayak {
namespace {

LogRecord ShopError() {
  LogRecord r;
  r.level = Level::kError;
  r.message = "Payment failed: Connection refused by 10.0.0.7";
  r.system = "shop";
  r.service = "shop-api";
  r.attributes = {{"order.id", int64_t{10442}},
                  {"http.response.status_code", int64_t{500}},
                  {"url.path", std::string("/api/orders")},
                  {"cache.hit", false},
                  {"ratio", 0.5}};
  return r;
}

bool Matches(std::string_view query) {
  auto filter = Filter::Parse(query);
  EXPECT_TRUE(filter.ok()) << query << ": " << filter.status();
  return filter.ok() && filter->Matches(ShopError());
}

TEST(FilterTest, MatchesFieldsWordsAndPhrases) {
  EXPECT_TRUE(Matches(""));
  EXPECT_TRUE(Matches("order.id:10442"));
  EXPECT_FALSE(Matches("order.id:10443"));
  EXPECT_TRUE(Matches("service.name:shop-api and system:shop"));
  EXPECT_TRUE(Matches("service.name:shop-api AND http.response.status_code:500"));
  EXPECT_TRUE(Matches("log.level:error"));
  EXPECT_TRUE(Matches("url.path:/api/orders"));
  EXPECT_FALSE(Matches("url.path:/api"));
  EXPECT_TRUE(Matches("cache.hit:false and ratio:0.5"));
  EXPECT_TRUE(Matches("refused"));
  EXPECT_TRUE(Matches("PAYMENT"));
  EXPECT_FALSE(Matches("refuse"));
  EXPECT_TRUE(Matches("\"connection refused\""));
  EXPECT_FALSE(Matches("\"refused connection\""));
  EXPECT_TRUE(Matches("10.0.0.7"));
  EXPECT_TRUE(Matches("message:\"failed: connection\""));
  EXPECT_TRUE(Matches("order.id:* and refused"));
  EXPECT_FALSE(Matches("trace.id:*"));
  EXPECT_FALSE(Matches("refused and order.id:1"));
  EXPECT_TRUE(Matches("url.path:\\/api\\/orders"));
  // `*` alone is everything, as in Kibana; with others it adds nothing.
  EXPECT_TRUE(Matches("*"));
  EXPECT_TRUE(Matches("* and order.id:10442"));
  EXPECT_FALSE(Matches("* and order.id:1"));
  auto everything = Filter::Parse(" * ");
  ASSERT_TRUE(everything.ok());
  EXPECT_TRUE(everything->terms().empty());
}

TEST(FilterTest, SyntaxErrorsSayWhereAndWhat) {
  const std::pair<const char*, const char*> cases[] = {
      {"a or b", "position 2: `or` is not supported yet"},
      {"not a", "position 0: `not`"},
      {"and a", "position 0: `and` needs a term on each side"},
      {"a and", "position 2: `and` needs a term on each side"},
      {"* and", "position 2: `and` needs a term on each side"},
      {"a and and b", "position 6: `and` needs a term"},
      {"\"open", "position 0: unterminated quote"},
      {"field: x", "position 6: a value is missing after 'field:'"},
      {":x", "position 0: a field name is missing"},
      {"(a)", "position 0: parentheses are not supported yet"},
      {"\"...\"", "has no words to search for"},
  };
  for (const auto& [query, expected] : cases) {
    auto filter = Filter::Parse(query);
    ASSERT_FALSE(filter.ok()) << query;
    EXPECT_NE(filter.status().message().find(expected), absl::string_view::npos)
        << query << ": " << filter.status();
  }
}

}  // namespace
}  // namespace mayak
