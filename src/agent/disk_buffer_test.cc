#include "agent/disk_buffer.h"

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "support/temp_dir.h"

namespace mayak::agent {
namespace {

Batch MakeBatch(std::string_view events, int64_t end) {
  Batch batch;
  for (std::string_view line : {std::string_view("{\"a\":1}\n"), events}) {
    batch.event_starts.push_back(static_cast<uint32_t>(batch.body.size()));
    batch.body.append(line);
  }
  batch.files[0xfeed] = {"/var/log/app.log", end};
  batch.files[7] = {"/var/log/other.log", 3};
  return batch;
}

TEST(DiskBufferTest, KeepsBatchesInOrderAcrossRestarts) {
  testing::TempDir dir;
  {
    auto buffer = DiskBuffer::Open(dir.path() + "/buffer", 1 << 20);
    ASSERT_TRUE(buffer.ok()) << buffer.status();
    EXPECT_TRUE((*buffer)->empty());
    ASSERT_TRUE((*buffer)->Write(MakeBatch("{\"b\":2}\n", 100)).ok());
    ASSERT_TRUE((*buffer)->Write(MakeBatch("{\"c\":3}\n", 200)).ok());
    EXPECT_EQ((*buffer)->batches(), 2u);
  }
  std::ofstream(dir.path() + "/buffer/00000000000000000003-2.batch.tmp") << "cut short";
  auto buffer = DiskBuffer::Open(dir.path() + "/buffer", 1 << 20);
  ASSERT_TRUE(buffer.ok());
  ASSERT_EQ((*buffer)->batches(), 2u);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/buffer/00000000000000000003-2.batch.tmp"));
  EXPECT_EQ((*buffer)->events(), 4u) << "from the files' names";
  auto first = (*buffer)->Oldest();
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->events(), 2u);
  EXPECT_EQ((*first)->Event(1), "{\"b\":2}\n");
  EXPECT_EQ((*first)->files.at(0xfeed).end_offset, 100);
  EXPECT_EQ((*first)->files.at(7).path, "/var/log/other.log");
  ASSERT_TRUE((*buffer)->RemoveOldest().ok());
  auto second = (*buffer)->Oldest();
  EXPECT_EQ((*second)->files.at(0xfeed).end_offset, 200);
  ASSERT_TRUE((*buffer)->Write(MakeBatch("{\"d\":4}\n", 300)).ok());  // after the others
  ASSERT_TRUE((*buffer)->RemoveOldest().ok());
  EXPECT_EQ((*(*buffer)->Oldest())->files.at(0xfeed).end_offset, 300);
}

TEST(DiskBufferTest, IsBoundedAndSetsDamagedFilesAside) {
  testing::TempDir dir;
  auto buffer = DiskBuffer::Open(dir.path(), 400);
  ASSERT_TRUE(buffer.ok());
  const Batch batch = MakeBatch("{\"b\":2}\n", 1);
  EXPECT_TRUE((*buffer)->HasRoom(batch));
  ASSERT_TRUE((*buffer)->Write(batch).ok());
  EXPECT_FALSE((*buffer)->HasRoom(MakeBatch(std::string(300, 'x'), 2)));
  ASSERT_TRUE((*buffer)->Write(MakeBatch("{\"c\":3}\n", 2)).ok());
  // Flip a byte of the first file's body: its checksum fails.
  const std::string first = dir.path() + "/00000000000000000001-2.batch";
  std::fstream file(first, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(-3, std::ios::end);
  file.put('#');
  file.close();
  auto oldest = (*buffer)->Oldest();
  ASSERT_TRUE(oldest.ok() && oldest->has_value());
  EXPECT_EQ((*oldest)->files.at(0xfeed).end_offset, 2) << "the damaged one is skipped";
  EXPECT_TRUE(std::filesystem::exists(first + ".bad"));
  EXPECT_EQ((*buffer)->batches(), 1u);
  EXPECT_EQ((*buffer)->events(), 2u);
}

TEST(DiskBufferTest, DecodeRejectsWhatIsNotABatch) {
  EXPECT_FALSE(DecodeBufferedBatch("").ok());
  EXPECT_FALSE(DecodeBufferedBatch("MAYAKBF1").ok());
  std::string data = EncodeBufferedBatch(MakeBatch("{}\n", 5));
  EXPECT_TRUE(DecodeBufferedBatch(data).ok());
  data.pop_back();
  EXPECT_FALSE(DecodeBufferedBatch(data).ok());
}

}  // namespace
}  // namespace mayak::agent
