#include "elastic/metadata_store.h"

#include <fstream>

#include "common/strings.h"
#include "gtest/gtest.h"
#include "support/temp_dir.h"

namespace mayak {
namespace {

TEST(MetadataStoreTest, KeepsBodiesAcrossRestartsAndFindsByWildcard) {
  testing::TempDir dir;
  std::string uuid;
  {
    auto store = MetadataStore::Open(Env::Default(), dir.path());
    ASSERT_TRUE(store.ok()) << store.status();
    uuid = (*store)->cluster_uuid();
    EXPECT_EQ(uuid.size(), 22u);
    ASSERT_TRUE((*store)
                    ->Put(MetadataKind::kIndexTemplate, "filebeat-8.19.0",
                          R"({ "index_patterns": ["filebeat-*"], "priority": 150 })")
                    .ok());
    ASSERT_TRUE((*store)->Put(MetadataKind::kIlmPolicy, "filebeat", R"({"policy":{}})").ok());
    auto added = (*store)->PutIfAbsent(MetadataKind::kIndex, "orders", "{}");
    ASSERT_TRUE(added.ok());
    EXPECT_TRUE(*added);
    added = (*store)->PutIfAbsent(MetadataKind::kIndex, "orders", R"({"x":1})");
    ASSERT_TRUE(added.ok());
    EXPECT_FALSE(*added);
    auto bad = (*store)->Put(MetadataKind::kIngestPipeline, "p", "[1,2]");
    EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  }
  auto store = MetadataStore::Open(Env::Default(), dir.path());
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->cluster_uuid(), uuid);
  EXPECT_EQ((*store)->Get(MetadataKind::kIndexTemplate, "filebeat-8.19.0"),
            R"({"index_patterns":["filebeat-*"],"priority":150})");
  EXPECT_EQ((*store)->Get(MetadataKind::kIndex, "orders"), "{}");
  EXPECT_EQ((*store)->Get(MetadataKind::kIngestPipeline, "p"), std::nullopt);
  EXPECT_EQ((*store)->Get(MetadataKind::kIndexTemplate, "filebeat"), std::nullopt);
  EXPECT_EQ((*store)->Find(MetadataKind::kIndexTemplate, "file*").size(), 1u);
  EXPECT_EQ((*store)->Find(MetadataKind::kIndexTemplate, "x*,*8.19.0").size(), 1u);
  EXPECT_TRUE((*store)->Find(MetadataKind::kIndexTemplate, "metricbeat*").empty());
}

TEST(MetadataStoreTest, ADamagedFileIsNamed) {
  testing::TempDir dir;
  ASSERT_TRUE(MetadataStore::Open(Env::Default(), dir.path()).ok());
  std::ofstream(dir.path() + "/ilm_policies.json") << "{not json";
  auto store = MetadataStore::Open(Env::Default(), dir.path());
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("ilm_policies.json"), absl::string_view::npos);
}

TEST(MetadataStoreTest, WildcardsMatchAnyText) {
  EXPECT_TRUE(WildcardMatch("*", ""));
  EXPECT_TRUE(WildcardMatch("logs-*-default", "logs-shop-default"));
  EXPECT_FALSE(WildcardMatch("logs-*-default", "logs-shop-prod"));
  EXPECT_TRUE(WildcardMatch("a*b*c", "axxbyyc"));
  EXPECT_FALSE(WildcardMatch("abc", "abcd"));
  EXPECT_EQ(RandomBase64Url(15).size(), 20u);
}

}  // namespace
}  // namespace mayak
