#include "storage/manifest.h"

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "support/temp_dir.h"

namespace mayak {
namespace {

TEST(ManifestTest, RoundTripsAndIsEmptyWhenMissing) {
  testing::TempDir temp;
  const std::string& dir = temp.path();
  auto empty = ReadManifest(Env::Default(), dir);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, Manifest{});

  Manifest manifest;
  manifest.next_segment_number = 13;
  manifest.wal_checkpoint = 7;
  manifest.segments.push_back(
      {"logs/shop/2026-11-24/00000012.seg", "shop", 20781, 1000, -5, 99, 4096});
  ASSERT_TRUE(WriteManifest(Env::Default(), dir, manifest).ok());
  EXPECT_FALSE(std::filesystem::exists(dir + "/MANIFEST.tmp"));
  auto read = ReadManifest(Env::Default(), dir);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, manifest);

  {
    std::fstream f(dir + "/MANIFEST", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('\x7f');
  }
  auto damaged = ReadManifest(Env::Default(), dir);
  EXPECT_EQ(damaged.status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace mayak
