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

bool Matches(std::string_view query, const LogRecord& record = ShopError()) {
  auto filter = Filter::Parse(query);
  EXPECT_TRUE(filter.ok()) << query << ": " << filter.status();
  return filter.ok() && filter->Matches(record);
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

TEST(FilterTest, OrNotAndParentheses) {
  EXPECT_TRUE(Matches("order.id:1 or order.id:10442"));
  EXPECT_FALSE(Matches("order.id:1 or order.id:2"));
  EXPECT_TRUE(Matches("not order.id:1"));
  EXPECT_FALSE(Matches("not order.id:10442"));
  EXPECT_TRUE(Matches("not trace.id:*"));
  EXPECT_TRUE(Matches("(order.id:1 or refused) and not system:crm"));
  EXPECT_FALSE(Matches("order.id:1 or refused and system:crm"));
  EXPECT_TRUE(Matches("order.id:10442 or refused and system:crm"));
  EXPECT_TRUE(Matches("service.name:(crm-api or shop-api)"));
  EXPECT_FALSE(Matches("service.name:(crm-api or mes-api)"));
  // Words of one value are alternatives, as in KQL.
  EXPECT_TRUE(Matches("http.response.status_code:404 500"));
  EXPECT_TRUE(Matches("timeout refused"));
  EXPECT_FALSE(Matches("timeout deadlock"));
}

TEST(FilterTest, RangesWildcardsAndLevels) {
  EXPECT_TRUE(Matches("http.response.status_code >= 500"));
  EXPECT_FALSE(Matches("http.response.status_code > 500"));
  EXPECT_TRUE(Matches("http.response.status_code < 500.5"));
  EXPECT_TRUE(Matches("ratio <= 0.5 and ratio > 0.25"));
  EXPECT_FALSE(Matches("ratio < 0.5"));
  EXPECT_TRUE(Matches("url.path >= /api/a"));  // text compares as text
  EXPECT_FALSE(Matches("cache.hit > 0"));      // booleans have no order
  EXPECT_TRUE(Matches("@timestamp < now"));
  EXPECT_FALSE(Matches("@timestamp > now-1h"));  // the record is from 1970
  EXPECT_TRUE(Matches("url.path:/api/*"));
  EXPECT_TRUE(Matches("url.path:*orders"));
  EXPECT_FALSE(Matches("url.path:/cart/*"));
  EXPECT_FALSE(Matches(R"(url.path:"/api/*")"));  // quoted: a star is a star
  EXPECT_TRUE(Matches("conn*"));                  // a word of the message
  EXPECT_TRUE(Matches("message:REFUS*"));
  EXPECT_FALSE(Matches("deadl*"));
  EXPECT_TRUE(Matches("log.level:ERR*"));
  EXPECT_TRUE(Matches("log.level:(warn or error)"));
  // One rule in the list of those that redacted a record.
  LogRecord redacted = ShopError();
  redacted.attributes.push_back({"redacted", std::string(R"(["secret_key","email"])")});
  EXPECT_TRUE(Matches("redacted:*email*", redacted));
  EXPECT_FALSE(Matches("redacted:*iban*", redacted));
  LogRecord slow = ShopError();
  slow.attributes.push_back({"event.duration", int64_t{2'500'000'000}});
  slow.attributes.push_back({"http.response.body.bytes", int64_t{20'000'000}});
  EXPECT_TRUE(Matches("event.duration > 2s", slow));
  EXPECT_FALSE(Matches("event.duration > 2500ms", slow));
  EXPECT_TRUE(Matches("event.duration >= 2500ms", slow));
  EXPECT_TRUE(Matches("http.response.body.bytes > 10MB", slow));
  EXPECT_FALSE(Matches("http.response.body.bytes > 1GB", slow));
}

TEST(FilterTest, SyntaxErrorsSayWhereAndWhat) {
  const std::pair<const char*, const char*> cases[] = {
      {"and a", "expected a term"},
      {"a and", "expected a term"},
      {"a and and b", "at position 6"},
      {"\"open", "never closed at position 0"},
      {"field:", "expected a value after 'field:'"},
      {":x", "at position 0"},
      {"(a", "expected ')'"},
      {"a:1 b:2", "put 'and' or 'or' between two terms at position 4"},
      {"\"...\"", "has no words to search for at position 0"},
      {"@timestamp > yesterday", "is not a time"},
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
