#include "query/kql.h"

#include "common/status_macros.h"
#include "gtest/gtest.h"

namespace mayak::kql {
namespace {

std::string Parsed(std::string_view query) {
  auto node = Parse(query);
  if (!node.ok()) return "error: " + std::string(node.status().message());
  return ToString(*node);
}

TEST(KqlTest, TermsAndValues) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", "*"},
      {"   ", "*"},
      {"*", "*"},
      {"timeout", "timeout"},
      {"service.name:shop-api", "service.name:shop-api"},
      {"service.name : shop-api", "service.name:shop-api"},
      {"message:\"connection refused\"", "message:\"connection refused\""},
      {"\"connection refused\"", "\"connection refused\""},
      // Words of one value are alternatives, as in KQL.
      {"http.response.status_code:400 401 404",
       "(http.response.status_code:400 OR http.response.status_code:401 OR "
       "http.response.status_code:404)"},
      {"connection refused", "(connection OR refused)"},
      {"error \"connection refused\"", "(error OR \"connection refused\")"},
      {"error.stack_trace:*", "error.stack_trace:*"},
      {"url.path:/api/orders/*", "url.path:/api/orders/*"},
      {"host.name:*prod*", "host.name:*prod*"},
      {"message:\"a*b\"", "message:\"a*b\""},
      {"message:a\\*b", "message:a\\*b"},
      {R"(message:\"quoted\")", R"(message:\"quoted\")"},
      {R"(path:C\:\\temp)", R"(path:C\:\\temp)"},
      {"title:\\and", "title:\\and"},  // a keyword as a value stays escaped
      {R"(message:"say \"hi\"")", R"(message:"say \"hi\"")"},
      {"user.name:Zoë", "user.name:Zoë"},
  };
  for (const auto& [query, expected] : cases) EXPECT_EQ(Parsed(query), expected) << query;
}

TEST(KqlTest, OperatorsAndPrecedence) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"a:1 and b:2", "(a:1 AND b:2)"},
      {"a:1 AND b:2 And c:3", "(a:1 AND b:2 AND c:3)"},
      {"a:1 or b:2 and c:3", "(a:1 OR (b:2 AND c:3))"},
      {"a:1 and b:2 or c:3", "((a:1 AND b:2) OR c:3)"},
      {"(a:1 or b:2) and c:3", "((a:1 OR b:2) AND c:3)"},
      {"not a:1", "NOT a:1"},
      {"not a:1 and b:2", "(NOT a:1 AND b:2)"},
      {"not (a:1 and b:2)", "NOT (a:1 AND b:2)"},
      {"not not a:1", "NOT NOT a:1"},
      {"NOT error", "NOT error"},
      {"((a:1))", "a:1"},
      {"service.name:(shop-api or crm-api)", "(service.name:shop-api OR service.name:crm-api)"},
      {"service.name:(shop-api or not crm-api)",
       "(service.name:shop-api OR NOT service.name:crm-api)"},
      {"tags:(a and (b or c))", "(tags:a AND (tags:b OR tags:c))"},
      {"status:(400 404)", "(status:400 OR status:404)"},
      {"status:(\"a b\" or c)", "(status:\"a b\" OR status:c)"},
      {"error and not service.name:crm-api", "(error AND NOT service.name:crm-api)"},
  };
  for (const auto& [query, expected] : cases) EXPECT_EQ(Parsed(query), expected) << query;
}

TEST(KqlTest, Ranges) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"http.response.status_code >= 500", "http.response.status_code >= 500"},
      {"http.response.status_code>=500", "http.response.status_code >= 500"},
      {"event.duration > 2s", "event.duration > 2s"},
      {"bytes < 10MB", "bytes < 10MB"},
      {"x <= -5", "x <= -5"},
      {"@timestamp >= \"2026-11-24T00:00:00Z\"", "@timestamp >= \"2026-11-24T00:00:00Z\""},
      {"@timestamp < now-1h", "@timestamp < now-1h"},
      {"a > 1 and a < 10", "(a > 1 AND a < 10)"},
  };
  for (const auto& [query, expected] : cases) EXPECT_EQ(Parsed(query), expected) << query;
}

TEST(KqlTest, TheTreeHoldsFieldsValuesAndPositions) {
  auto node = Parse("status >= 500 and url.path:/api/* and not \"x y\"");
  ASSERT_TRUE(node.ok()) << node.status();
  ASSERT_EQ(node->kind, NodeKind::kAnd);
  ASSERT_EQ(node->children.size(), 3u);
  const Node& range = node->children[0];
  EXPECT_EQ(range.kind, NodeKind::kRange);
  EXPECT_EQ(range.op, RangeOp::kGreaterEqual);
  EXPECT_EQ(range.value.text, "500");
  EXPECT_EQ(range.position, 0u);
  const Node& path = node->children[1];
  EXPECT_EQ(path.kind, NodeKind::kMatch);
  EXPECT_EQ(path.field, "url.path");
  EXPECT_EQ(path.value.text, "/api/*");
  EXPECT_EQ(path.value.wildcards, std::vector<size_t>{5});
  EXPECT_EQ(path.position, 18u);
  const Node& phrase = node->children[2];
  EXPECT_EQ(phrase.kind, NodeKind::kNot);
  EXPECT_EQ(phrase.position, 38u);
  EXPECT_TRUE(phrase.children[0].value.quoted);
  EXPECT_TRUE(phrase.children[0].field.empty());
  // An escaped star is text, not a wildcard.
  auto escaped = Parse("a:x\\*y*");
  ASSERT_TRUE(escaped.ok());
  EXPECT_EQ(escaped->value.text, "x*y*");
  EXPECT_EQ(escaped->value.wildcards, std::vector<size_t>{3});
}

TEST(KqlTest, ErrorsNameThePositionAndWhatWasExpected) {
  struct Case {
    std::string_view query;
    int64_t position;
    std::string_view says;
  };
  const std::string deep(1000, '(');
  const Case cases[] = {
      {"service.name:", 13, "expected a value after 'service.name:'"},
      {"a:1 and", 7, "expected a term"},
      {"a:1 or", 6, "expected a term"},
      {"not", 3, "expected a term"},
      {"(a:1 or b:2", 11, "expected ')' to close the '(' at position 0"},
      {"a:(1 or 2", 9, "expected ')' to close the '(' at position 2"},
      {"a:1)", 3, "expected 'and', 'or' or the end of the query but found ')'"},
      {"a:1 b:2", 4, "put 'and' or 'or' between two terms"},
      {"error code:5", 6, "put 'and' or 'or' between two terms"},
      {"message:\"unterminated", 8, "unterminated quote"},
      {"a >", 3, "expected a value to compare a with"},
      {"a > b*", 4, "without wildcards"},
      {"http.*:500", 0, "wildcards in field names"},
      {"items:{name:x}", 6, "nested field queries"},
      {"and", 0, "expected a term"},
      {"a:1 and or b:2", 8, "expected a term"},
      {"()", 1, "expected a term"},
      {":x", 0, "expected a term"},
      {"a:(", 3, "expected a value"},
      {"a < <", 4, "expected a value to compare a with"},
      {std::string_view(deep), 100, "too deeply"},
  };
  for (const Case& c : cases) {
    auto node = Parse(c.query);
    ASSERT_FALSE(node.ok()) << c.query << " parsed as " << ToString(*node);
    EXPECT_EQ(SyntaxPosition(node.status()), c.position) << c.query << ": " << node.status();
    EXPECT_NE(StatusMessage(node.status()).find(c.says), std::string_view::npos)
        << c.query << ": " << node.status();
  }
}

TEST(KqlTest, CaretPointsAtThePosition) {
  EXPECT_EQ(Caret("a:1 b:2", 4), "a:1 b:2\n    ^");
  EXPECT_EQ(Caret("x", 1), "x\n ^");
  EXPECT_EQ(Caret("x", 9), "x\n ^");
  EXPECT_EQ(SyntaxPosition(absl::InvalidArgumentError("no position")), -1);
  EXPECT_EQ(SyntaxPosition(absl::InternalError("bad at position 3")), -1);
}

TEST(KqlTest, WrittenFormParsesBackToTheSameTree) {
  const std::string_view queries[] = {
      R"(a:1 or b:2 and not c:"x \"y\"")",
      R"(path:C\:\\temp and v:a\*b* and w:\(x\))",
      "status:(400 404) and event.duration >= 2s",
  };
  for (std::string_view q : queries) {
    auto first = Parse(q);
    ASSERT_TRUE(first.ok()) << q << ": " << first.status();
    auto again = Parse(ToString(*first));
    ASSERT_TRUE(again.ok()) << ToString(*first) << ": " << again.status();
    EXPECT_EQ(ToString(*again), ToString(*first));
  }
}

}  // namespace
}  // namespace mayak::kql
