#include "storage/manifest.h"

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "storage/coding.h"
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
  manifest.segments.push_back(
      {"logs/shop/2026-10-01/00000013.seg", "shop", 20727, 10, 1, 2, 512, 1'795'478'400'000});
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

TEST(ManifestTest, VersionOneFilesAreStillRead) {
  testing::TempDir temp;
  // A version 1 manifest: no restored_at in segment entries.
  std::string body;
  for (uint8_t b : {13, 7, 1}) body.push_back(static_cast<char>(b));  // next, checkpoint, count
  const std::string path = "logs/a/2026-11-24/00000001.seg";
  body.push_back(static_cast<char>(path.size()));
  body += path;
  body += std::string("\x01") + "a";                                    // system "a"
  body += std::string("\xda\xc4\x02", 3);                               // day 20781, zigzag varint
  for (uint8_t b : {5, 2, 4, 9}) body.push_back(static_cast<char>(b));  // rows, ts, ts, bytes
  std::string file = "MAYAKMAN";
  const uint32_t version = 1;
  const uint32_t crc = Crc32(body);
  file.append(reinterpret_cast<const char*>(&version), 4);
  file.append(reinterpret_cast<const char*>(&crc), 4);
  file += body;
  ASSERT_TRUE(WriteFileAtomically(Env::Default(), temp.path() + "/MANIFEST", file).ok());
  auto read = ReadManifest(Env::Default(), temp.path());
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->segments.size(), 1u);
  EXPECT_EQ(read->segments[0].path, path);
  EXPECT_EQ(read->segments[0].day, 20781);
  EXPECT_EQ(read->segments[0].max_ts, 2);
  EXPECT_EQ(read->segments[0].restored_at_ns, 0);
}

}  // namespace
}  // namespace mayak
