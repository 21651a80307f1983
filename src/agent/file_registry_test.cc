#include "agent/file_registry.h"

#include <fstream>

#include "gtest/gtest.h"
#include "support/temp_dir.h"

namespace mayak::agent {
namespace {

TEST(FileRegistryTest, SavesAndLoadsOffsetsThatOnlyMoveForward) {
  testing::TempDir dir;
  {
    auto registry = FileRegistry::Open(dir.path());
    ASSERT_TRUE(registry.ok()) << registry.status();
    EXPECT_EQ((*registry)->Find(7), std::nullopt);
    (*registry)->Advance(7, "/var/log/a.log", 100, 1);
    (*registry)->Advance(7, "/var/log/a.log", 50, 2);  // an older ack arriving late
    (*registry)->Advance(0xfedcba9876543210, "/var/log/b \"q\".log", 5, 3);
    ASSERT_TRUE((*registry)->Save().ok());
  }
  auto again = FileRegistry::Open(dir.path());
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_TRUE((*again)->Find(7).has_value());
  EXPECT_EQ((*again)->Find(7)->offset, 100);
  EXPECT_EQ((*again)->Find(7)->path, "/var/log/a.log");
  EXPECT_EQ((*again)->Find(0xfedcba9876543210)->path, "/var/log/b \"q\".log");
  EXPECT_EQ((*again)->Prune(2, [](uint64_t) { return false; }), 1u);   // 7, updated at 1
  EXPECT_EQ((*again)->Prune(100, [](uint64_t) { return true; }), 0u);  // in use: kept
  EXPECT_EQ((*again)->size(), 1u);
}

TEST(FileRegistryTest, ADamagedRegistryIsAnErrorThatSaysWhatToDo) {
  testing::TempDir dir;
  std::ofstream(dir.path() + "/registry.json") << "{\"files\":[{\"fingerprint\":\"zz\"}";
  auto registry = FileRegistry::Open(dir.path());
  ASSERT_FALSE(registry.ok());
  EXPECT_NE(std::string(registry.status().message()).find("is damaged"), std::string::npos);
  EXPECT_NE(std::string(registry.status().message()).find("move it away"), std::string::npos);
}

}  // namespace
}  // namespace mayak::agent
