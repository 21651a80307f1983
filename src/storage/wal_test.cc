#include <filesystem>
#include <fstream>
#include <future>

#include "gtest/gtest.h"
#include "storage/fault_injection_env.h"
#include "storage/wal_reader.h"
#include "storage/wal_writer.h"
#include "support/temp_dir.h"

namespace mayak {
namespace {

class WalTest : public ::testing::Test {
 protected:
  // Appends payloads and waits until each is durable.
  // With `one_at_a_time`, each append waits for the previous one, so that
  // every entry is its own group commit.
  void Write(const std::vector<std::string>& payloads, uint64_t first_file = 1,
             uint64_t file_size = 1 << 20, bool one_at_a_time = false) {
    MetricsRegistry metrics;
    auto writer = WalWriter::Open({Env::Default(), dir_, first_file, file_size}, &metrics);
    ASSERT_TRUE(writer.ok()) << writer.status();
    std::vector<std::future<absl::Status>> done;
    for (const std::string& p : payloads) {
      auto promise = std::make_shared<std::promise<absl::Status>>();
      done.push_back(promise->get_future());
      (*writer)->Append(wal::EntryType::kLogBatch, p,
                        [promise](absl::Status s) { promise->set_value(s); });
      if (one_at_a_time) done.back().wait();
    }
    for (auto& f : done) ASSERT_TRUE(f.get().ok());
    (*writer)->Close();
  }

  std::vector<std::string> Replay(WalReplayStats* stats) {
    std::vector<std::string> out;
    absl::Status s = ReplayWal(
        Env::Default(), dir_,
        [&out](wal::EntryType, std::string_view payload) {
          out.emplace_back(payload);
          return absl::OkStatus();
        },
        stats);
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  testing::TempDir temp_;
  const std::string dir_ = temp_.path();
};

TEST_F(WalTest, ReplaysWhatWasWrittenInOrderAcrossFiles) {
  std::vector<std::string> payloads;
  for (int i = 0; i < 200; ++i)
    payloads.push_back(std::string(1000, static_cast<char>('a' + i % 26)));
  Write(payloads, 1, /*file_size=*/64 * 1024, /*one_at_a_time=*/true);
  // 200 KB in files that roll over past 64 KiB.
  EXPECT_GE(ListWalFiles(Env::Default(), dir_).size(), 3u);
  WalReplayStats stats;
  EXPECT_EQ(Replay(&stats), payloads);
  EXPECT_EQ(stats.entries, 200u);
  EXPECT_EQ(stats.truncated_tail_bytes, 0u);
}

TEST_F(WalTest, TornTailOfTheNewestFileIsTruncated) {
  Write({"first", "second"});
  const std::string path = dir_ + "/" + wal::FileName(1);
  const auto full = std::filesystem::file_size(path);
  // A crash mid-write: the last entry is cut short.
  std::filesystem::resize_file(path, full - 3);
  WalReplayStats read_only;
  ASSERT_TRUE(ReplayWal(
                  Env::Default(), dir_,
                  [](wal::EntryType, std::string_view) { return absl::OkStatus(); }, &read_only,
                  /*read_only=*/true)
                  .ok());
  EXPECT_EQ(read_only.entries, 1u);
  EXPECT_GT(read_only.truncated_tail_bytes, 0u);
  EXPECT_EQ(std::filesystem::file_size(path), full - 3) << "read-only replay changes nothing";
  WalReplayStats stats;
  EXPECT_EQ(Replay(&stats), std::vector<std::string>{"first"});
  EXPECT_EQ(stats.truncated_tail_bytes, wal::kEntryHeaderSize + 6 - 3);
  EXPECT_EQ(std::filesystem::file_size(path), full - 3 - stats.truncated_tail_bytes);
  // A second replay finds a clean log.
  WalReplayStats again;
  EXPECT_EQ(Replay(&again), std::vector<std::string>{"first"});
  EXPECT_EQ(again.truncated_tail_bytes, 0u);
}

TEST_F(WalTest, GarbageAfterTheLastEntryIsTruncated) {
  Write({"only"});
  const std::string path = dir_ + "/" + wal::FileName(1);
  std::ofstream(path, std::ios::app | std::ios::binary) << std::string(100, '\0');
  WalReplayStats stats;
  EXPECT_EQ(Replay(&stats), std::vector<std::string>{"only"});
  EXPECT_EQ(stats.truncated_tail_bytes, 100u);
}

TEST_F(WalTest, DamageInAnOlderFileSkipsItsRestButNotLaterFiles) {
  Write({"a1", "a2"}, 1);
  Write({"b1"}, 2);
  const std::string path = dir_ + "/" + wal::FileName(1);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(wal::kFileHeaderSize + wal::kEntryHeaderSize));
    f.put('X');  // flips the first payload byte: its CRC no longer matches
  }
  WalReplayStats stats;
  EXPECT_EQ(Replay(&stats), std::vector<std::string>{"b1"});
  EXPECT_GT(stats.damaged_bytes, 0u);
}

TEST_F(WalTest, RefusesAFutureVersion) {
  Write({"x"});
  const std::string path = dir_ + "/" + wal::FileName(1);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(8);
    f.put(9);
  }
  WalReplayStats stats;
  absl::Status s = ReplayWal(
      Env::Default(), dir_, [](wal::EntryType, std::string_view) { return absl::OkStatus(); },
      &stats);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("WAL version 9 is not supported"), absl::string_view::npos) << s;
}

// A full disk or a failing fsync fails the group that hit it, leaves none of
// it in the log, and the writer carries on once the fault clears.
TEST_F(WalTest, FailedGroupsLeaveNoTraceAndTheWriterRecovers) {
  FaultInjectionEnv env(Env::Default());
  MetricsRegistry metrics;
  auto writer = WalWriter::Open({&env, dir_, 1, 1 << 20}, &metrics);
  ASSERT_TRUE(writer.ok()) << writer.status();
  const auto append = [&](std::string payload) {
    std::promise<absl::Status> done;
    (*writer)->Append(wal::EntryType::kLogBatch, std::move(payload),
                      [&done](absl::Status s) { done.set_value(s); });
    return done.get_future().get();
  };
  EXPECT_TRUE(append("before").ok());
  env.SetDiskFull(true);
  EXPECT_EQ(append("while full").code(), absl::StatusCode::kResourceExhausted);
  env.SetDiskFull(false);
  env.SetSyncFails(true);
  absl::Status sync_failed = append("while fsync fails");
  EXPECT_EQ(sync_failed.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(sync_failed.message().find("cannot fsync"), absl::string_view::npos) << sync_failed;
  env.SetSyncFails(false);
  EXPECT_TRUE(append("after").ok());
  (*writer)->Close();

  WalReplayStats stats;
  EXPECT_EQ(Replay(&stats), (std::vector<std::string>{"before", "after"}));
  EXPECT_EQ(stats.truncated_tail_bytes, 0u);
}

TEST_F(WalTest, FileNamesRoundTrip) {
  EXPECT_EQ(wal::FileName(42), "00000042.wal");
  EXPECT_EQ(wal::ParseFileName("00000042.wal"), 42u);
  EXPECT_EQ(wal::ParseFileName("LOCK"), 0u);
  EXPECT_EQ(wal::ParseFileName("42.wal"), 0u);
}

}  // namespace
}  // namespace mayak

namespace mayak {
namespace {

TEST_F(WalTest, RollSeparatesTheEntriesBeforeAndAfterIt) {
  MetricsRegistry metrics;
  auto writer = WalWriter::Open({Env::Default(), dir_, 1, 1 << 20}, &metrics);
  ASSERT_TRUE(writer.ok());
  std::promise<std::pair<uint64_t, absl::Status>> rolled;
  std::promise<absl::Status> first;
  std::promise<absl::Status> second;
  (*writer)->Append(wal::EntryType::kLogBatch, "one",
                    [&first](absl::Status s) { first.set_value(s); });
  (*writer)->Roll([&](uint64_t closed, absl::Status s) {
    // Everything appended before the roll is durable and completed by now.
    EXPECT_EQ(first.get_future().wait_for(std::chrono::seconds(0)), std::future_status::ready);
    rolled.set_value({closed, s});
  });
  (*writer)->Append(wal::EntryType::kLogBatch, "two",
                    [&second](absl::Status s) { second.set_value(s); });
  auto [closed, status] = rolled.get_future().get();
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(closed, 1u);
  EXPECT_TRUE(second.get_future().get().ok());
  (*writer)->Close();
  EXPECT_EQ(ListWalFiles(Env::Default(), dir_), (std::vector<uint64_t>{1, 2}));

  auto reopened = WalWriter::Open({Env::Default(), dir_, 3, 1 << 20}, &metrics);
  ASSERT_TRUE(reopened.ok());
  ASSERT_TRUE((*reopened)->RemoveFilesUpTo(1).ok());
  (*reopened)->Close();
  WalReplayStats stats;
  EXPECT_EQ(Replay(&stats), std::vector<std::string>{"two"});
  // An existing file is never overwritten.
  EXPECT_FALSE(WalWriter::Open({Env::Default(), dir_, 2, 1 << 20}, &metrics).ok());
}

}  // namespace
}  // namespace mayak
