#include "pipeline/dedup_journal.h"

#include <fstream>
#include <vector>

#include "gtest/gtest.h"
#include "storage/fault_injection_env.h"
#include "support/temp_dir.h"

namespace mayak {
namespace {

using Ids = std::vector<uint64_t>;

TEST(DedupJournalTest, KeepsTheNewestWindowAcrossReopens) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/dedup-ids";
  {
    auto journal = DedupJournal::Open(Env::Default(), path, 3);
    ASSERT_TRUE(journal.ok()) << journal.status();
    EXPECT_TRUE((*journal)->loaded().empty()) << "no file yet";
    ASSERT_TRUE((*journal)->Append({1, 2}).ok());
    ASSERT_TRUE((*journal)->Append({3, 4, 5}).ok());
  }
  auto reopened = DedupJournal::Open(Env::Default(), path, 3);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->loaded(), (Ids{3, 4, 5}));
  ASSERT_TRUE((*reopened)->Append({6}).ok());
  reopened->reset();
  auto again = DedupJournal::Open(Env::Default(), path, 3);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->loaded(), (Ids{4, 5, 6})) << "the file was started anew with the window";
}

TEST(DedupJournalTest, AnAppendCutShortByAFullDiskLeavesNoPartOfItself) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/dedup-ids";
  FaultInjectionEnv env(Env::Default());
  {
    auto journal = DedupJournal::Open(&env, path, 10);
    ASSERT_TRUE(journal.ok());
    ASSERT_TRUE((*journal)->Append({1, 2}).ok());
    // Room for one id and a half: the append fails, and its first 12
    // bytes must not stay, or every id after them is read shifted.
    env.SetSpaceLeft(12);
    EXPECT_FALSE((*journal)->Append({3, 4}).ok());
    env.SetSpaceLeft(-1);
    ASSERT_TRUE((*journal)->Append({5}).ok());
  }
  auto reopened = DedupJournal::Open(&env, path, 10);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->loaded(), (Ids{1, 2, 5}));
}

TEST(DedupJournalTest, ATornLastIdIsDropped) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/dedup-ids";
  {
    auto journal = DedupJournal::Open(Env::Default(), path, 10);
    ASSERT_TRUE(journal.ok());
    ASSERT_TRUE((*journal)->Append({7, 8}).ok());
  }
  std::ofstream(path, std::ios::app) << "abc";  // a crash in the middle of an id
  auto reopened = DedupJournal::Open(Env::Default(), path, 10);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->loaded(), (Ids{7, 8}));
}

TEST(DedupJournalTest, RewrittenWithTheWindowWhenItHoldsTwice) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/dedup-ids";
  auto journal = DedupJournal::Open(Env::Default(), path, 2);
  ASSERT_TRUE(journal.ok());
  ASSERT_TRUE((*journal)->Append({1, 2, 3}).ok());
  EXPECT_FALSE((*journal)->Full());
  ASSERT_TRUE((*journal)->Append({4}).ok());
  EXPECT_TRUE((*journal)->Full());
  ASSERT_TRUE((*journal)->Rewrite({3, 4}).ok());
  EXPECT_FALSE((*journal)->Full());
  EXPECT_EQ(std::filesystem::file_size(path), 16u);
  ASSERT_TRUE((*journal)->Append({5}).ok()) << "appends go on in the new file";
  journal->reset();
  auto reopened = DedupJournal::Open(Env::Default(), path, 10);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->loaded(), (Ids{3, 4, 5}));
}

}  // namespace
}  // namespace mayak
