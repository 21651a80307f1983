#include "agent/batch_queue.h"

#include "gtest/gtest.h"

namespace mayak::agent {
namespace {

TEST(BatchQueueTest, SealsBySizeCountAndAgeAndTracksEachFilesEnd) {
  BatchQueue queue(
      BatchLimits{.batch_bytes = 10, .batch_events = 3, .batch_wait_ns = 100, .max_bytes = 25});
  queue.Add("aaaa\n", 1, "/a", 5, 0);
  queue.Add("bb\n", 2, "/b", 3, 0);
  EXPECT_FALSE(queue.Pop(0).has_value()) << "not full, not old";
  queue.Add("cccc\n", 1, "/a", 10, 0);  // 13 bytes: sealed
  std::optional<Batch> batch = queue.Pop(0);
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->events(), 3u);
  EXPECT_EQ(batch->Event(1), "bb\n");
  EXPECT_EQ(batch->files.at(1).end_offset, 10);
  EXPECT_EQ(batch->files.at(2).path, "/b");
  queue.Add("d\n", 1, "/a", 12, 50);
  queue.SealIfDue(100);
  EXPECT_FALSE(queue.Pop(0).has_value()) << "50 ns old";
  queue.SealIfDue(150);
  ASSERT_TRUE(queue.Pop(0).has_value());
  EXPECT_EQ(queue.queued_bytes(), 15u);  // both batches still unacknowledged
  queue.Release(*batch);
  EXPECT_EQ(queue.queued_bytes(), 2u);
}

// A writer adds a file's events under one lock: a batch sealed in the
// middle takes the file to its own last event, the next batch on from there.
TEST(BatchQueueTest, AFileWriterSplitsAFilesProgressAtEachSeal) {
  BatchQueue queue(
      BatchLimits{.batch_bytes = 100, .batch_events = 2, .batch_wait_ns = 100, .max_bytes = 1000});
  {
    BatchQueue::FileWriter writer(&queue, 7, "/log");
    for (int64_t end : {10, 20, 30}) {
      writer.BeginEvent(0)->append("e\n");
      writer.EndEvent(end);
    }
  }
  queue.SealIfDue(0, true);
  std::optional<Batch> first = queue.Pop(0);
  std::optional<Batch> second = queue.Pop(0);
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_EQ(first->events(), 2u);
  EXPECT_EQ(first->files.at(7).end_offset, 20);
  EXPECT_EQ(first->files.at(7).path, "/log");
  EXPECT_EQ(second->events(), 1u);
  EXPECT_EQ(second->files.at(7).end_offset, 30);
}

TEST(BatchQueueTest, NoRoomBeyondMaxBytesUntilReleased) {
  BatchQueue queue(
      BatchLimits{.batch_bytes = 4, .batch_events = 100, .batch_wait_ns = 100, .max_bytes = 8});
  queue.Add("12345\n", 1, "/a", 6, 0);
  EXPECT_TRUE(queue.HasRoom());
  queue.Add("12345\n", 1, "/a", 12, 0);
  EXPECT_FALSE(queue.HasRoom());
  std::optional<Batch> first = queue.Pop(0);
  queue.Release(*first);
  EXPECT_TRUE(queue.HasRoom());
}

TEST(BatchQueueTest, StoredCallbacksRideWithTheBatchOfTheirEvents) {
  BatchQueue queue(
      BatchLimits{.batch_bytes = 100, .batch_events = 2, .batch_wait_ns = 100, .max_bytes = 1000});
  int called = 0;
  queue.Add("x\n", 1, "/a", 2, 0);
  queue.AddAcked("m1\n", 0, [&called] { ++called; });  // the second event: sealed
  queue.AddAcked("m2\n", 0, [&called] { called += 10; });
  std::optional<Batch> first = queue.Pop(0);
  ASSERT_EQ(first->on_stored.size(), 1u);
  EXPECT_EQ(first->files.size(), 1u);
  first->on_stored[0]();
  EXPECT_EQ(called, 1);
  queue.SealIfDue(0, true);
  std::optional<Batch> second = queue.Pop(0);
  ASSERT_EQ(second->on_stored.size(), 1u);
  EXPECT_TRUE(second->files.empty()) << "messages move no file's offset";
  second->on_stored[0]();
  EXPECT_EQ(called, 11);
}

}  // namespace
}  // namespace mayak::agent
