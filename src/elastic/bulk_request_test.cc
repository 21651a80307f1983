#include "elastic/bulk_request.h"

#include "gtest/gtest.h"

namespace mayak {
namespace {

TEST(BulkRequestTest, PairsActionsWithTheirSources) {
  const std::string body =
      "{\"index\":{\"_index\":\"logs-shop-default\",\"_id\":\"a1\"}}\n"
      "{\"message\":\"one\"}\n"
      "\n"
      "{\"create\":{\"_id\":42}}\r\n"
      "{\"message\":\"two\"}\r\n"
      "{\"delete\":{\"_index\":\"x\",\"_id\":\"1\"}}\n"
      "{\"update\":{\"_id\":\"2\"}}\n"
      "{\"doc\":{\"message\":\"three\"}}\n"
      "{\"index\":{\"pipeline\":\"p\",\"routing\":\"r\"}}\n"
      "{\"message\":\"four\"}";  // no final newline
  auto items = ParseBulkBody(body, "default-index");
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 5u);
  EXPECT_EQ((*items)[0].action, BulkAction::kIndex);
  EXPECT_EQ((*items)[0].index, "logs-shop-default");
  EXPECT_EQ((*items)[0].id, "a1");
  EXPECT_EQ((*items)[0].source, "{\"message\":\"one\"}");
  EXPECT_EQ((*items)[0].line, 1u);
  EXPECT_EQ((*items)[1].action, BulkAction::kCreate);
  EXPECT_EQ((*items)[1].index, "default-index");
  EXPECT_EQ((*items)[1].id, "42");
  EXPECT_EQ((*items)[1].source, "{\"message\":\"two\"}");
  EXPECT_EQ((*items)[1].line, 4u);
  EXPECT_EQ((*items)[2].action, BulkAction::kDelete);
  EXPECT_TRUE((*items)[2].source.empty());
  EXPECT_EQ((*items)[3].action, BulkAction::kUpdate);
  EXPECT_EQ((*items)[3].source, "{\"doc\":{\"message\":\"three\"}}");
  EXPECT_EQ((*items)[4].source, "{\"message\":\"four\"}");
  EXPECT_EQ((*items)[4].line, 9u);
}

TEST(BulkRequestTest, ABrokenActionLineFailsTheRequestNamingTheLine) {
  const struct {
    std::string body;
    std::string says;
  } cases[] = {
      {"{\"index\":{}}\n{}\nnot json\n{}\n", "line [3]"},
      {"{\"upsert\":{}}\n{}\n", "found [upsert]"},
      {"{\"index\":{},\"create\":{}}\n{}\n", "one action"},
      {"{\"index\":\"logs\"}\n{}\n", "must be an object"},
      {"{\"index\":{\"_index\":7}}\n{}\n", "[_index] must be a string"},
      {"{\"index\":{\"_index\":\"a\"}}\n", "no source line"},
  };
  for (const auto& c : cases) {
    auto items = ParseBulkBody(c.body, "default-index");
    ASSERT_FALSE(items.ok()) << c.body;
    EXPECT_NE(items.status().message().find(c.says), absl::string_view::npos)
        << items.status() << " for " << c.body;
  }
  auto no_index = ParseBulkBody("{\"index\":{}}\n{}\n", "");
  ASSERT_FALSE(no_index.ok());
  EXPECT_NE(no_index.status().message().find("index is missing"), absl::string_view::npos);
  auto empty = ParseBulkBody("\n\n", "x");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace mayak
