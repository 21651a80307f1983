#include "archive/partition_archive.h"

#include <filesystem>
#include <map>

#include "common/timestamps.h"
#include "gtest/gtest.h"
#include "storage/segment_writer.h"
#include "support/s3_server.h"
#include "support/temp_dir.h"

namespace mayak {
namespace {

constexpr int64_t kNov24 = 20781;  // 2026-11-24 in days since the epoch

class PartitionArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(server_.endpoint().empty()) << server_.output();
    client_ = *S3Client::Create(server_.ClientOptions());
    archive_ = std::make_unique<PartitionArchive>(client_.get(), "logs/");
  }

  // Writes a segment of `rows` records of `day` and describes it.
  SegmentEntry Segment(const std::string& name, int64_t day, int rows) {
    std::vector<LogRecord> records(static_cast<size_t>(rows));
    for (int i = 0; i < rows; ++i) {
      records[i].timestamp_ns = day * kNanosPerDay + i;
      records[i].message = "record " + std::to_string(i);
    }
    EXPECT_TRUE(WriteSegment(Env::Default(), dir_.path() + "/" + name, records).ok());
    return {name,
            "shop",
            day,
            static_cast<uint64_t>(rows),
            day * kNanosPerDay,
            day * kNanosPerDay + rows - 1,
            0};
  }

  testing::S3Server server_;
  testing::TempDir dir_;
  std::unique_ptr<S3Client> client_;
  std::unique_ptr<PartitionArchive> archive_;
};

TEST_F(PartitionArchiveTest, ArchivesListsVerifiesDownloadsAndExpires) {
  const int64_t now = (kNov24 + 1) * kNanosPerDay;
  ASSERT_TRUE(archive_
                  ->Archive(Env::Default(), dir_.path(), "shop", kNov24 - 400,
                            {Segment("a.seg", kNov24 - 400, 10), Segment("b.seg", kNov24 - 400, 5)},
                            now)
                  .ok());
  ASSERT_TRUE(archive_
                  ->Archive(Env::Default(), dir_.path(), "shop", kNov24 - 10,
                            {Segment("c.seg", kNov24 - 10, 7)}, now)
                  .ok());
  auto listed = archive_->List();
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 2u);
  const ArchivedPartition& old = (*listed)[0];
  EXPECT_EQ(old.system, "shop");
  EXPECT_EQ(old.day, kNov24 - 400);
  EXPECT_EQ(old.segments.size(), 2u);
  EXPECT_EQ(old.rows(), 15u);
  EXPECT_EQ(old.archived_at_ns, now);
  EXPECT_EQ(*archive_->Verify(old), std::vector<std::string>{});
  const std::string restored = dir_.path() + "/restored.seg";
  const absl::Status downloaded =
      archive_->DownloadTo(old, old.segments[1], Env::Default(), restored);
  ASSERT_TRUE(downloaded.ok()) << downloaded;
  EXPECT_EQ(*Env::Default()->ReadFile(restored), *Env::Default()->ReadFile(dir_.path() + "/b.seg"));
  std::atomic<bool> cancel{true};
  EXPECT_EQ(archive_->DownloadTo(old, old.segments[1], Env::Default(), restored, &cancel).code(),
            absl::StatusCode::kCancelled);
  EXPECT_FALSE(std::filesystem::exists(restored)) << "an unfinished download is removed";
  EXPECT_EQ(archive_->CountBySystem()->at("shop"), 2u);

  // An object replaced behind the archive's back is found.
  ASSERT_TRUE(client_->Put(archive_->Key("shop", kNov24 - 10, "c.seg"), "not a segment").ok());
  const ArchivedPartition& recent = (*listed)[1];
  auto problems = archive_->Verify(recent);
  ASSERT_TRUE(problems.ok());
  ASSERT_EQ(problems->size(), 1u);
  EXPECT_NE((*problems)[0].find("the manifest says"), std::string::npos) << (*problems)[0];
  EXPECT_EQ(archive_->DownloadTo(recent, recent.segments[0], Env::Default(), restored).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_FALSE(std::filesystem::exists(restored)) << "a download that does not match is removed";

  // Past archive_days (365) only the old partition goes, every object of it.
  auto deleted = archive_->DeleteExpired([](const std::string&) { return 365; }, now);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 1u);
  EXPECT_EQ(archive_->List()->size(), 1u);
  EXPECT_TRUE(client_->List("logs/shop/" + DayName(kNov24 - 400))->empty());
}

TEST_F(PartitionArchiveTest, ADamagedManifestIsNamedAndHidesNoOtherPartition) {
  const int64_t now = (kNov24 + 1) * kNanosPerDay;
  ASSERT_TRUE(archive_
                  ->Archive(Env::Default(), dir_.path(), "shop", kNov24 - 10,
                            {Segment("a.seg", kNov24 - 10, 3)}, now)
                  .ok());
  ASSERT_TRUE(archive_
                  ->Archive(Env::Default(), dir_.path(), "crm", kNov24 - 10,
                            {Segment("b.seg", kNov24 - 10, 4)}, now)
                  .ok());
  // One manifest garbled, and one copied under another partition's key.
  const std::string garbled = archive_->Key("crm", kNov24 - 10, "manifest.json");
  ASSERT_TRUE(client_->Put(garbled, "{not json").ok());
  auto shop_manifest = client_->Get(archive_->Key("shop", kNov24 - 10, "manifest.json"));
  ASSERT_TRUE(shop_manifest.ok());
  const std::string misplaced = archive_->Key("mes", kNov24 - 10, "manifest.json");
  ASSERT_TRUE(client_->Put(misplaced, *shop_manifest).ok());

  EXPECT_EQ(archive_->List().status().code(), absl::StatusCode::kDataLoss)
      << "without a list of damage, damage fails the call";
  std::vector<PartitionArchive::DamagedManifest> damaged;
  auto listed = archive_->List(&damaged);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].system, "shop");
  ASSERT_EQ(damaged.size(), 2u);
  EXPECT_EQ(damaged[0].system, "crm");
  EXPECT_EQ(damaged[0].day, kNov24 - 10);
  EXPECT_EQ(damaged[0].problem.rfind(garbled + ": ", 0), 0u) << damaged[0].problem;
  EXPECT_EQ(damaged[1].system, "mes");
  EXPECT_NE(damaged[1].problem.find("not its own key's"), std::string::npos) << damaged[1].problem;
}

TEST_F(PartitionArchiveTest, LogsAndSpansKeepApartUnderOnePrefix) {
  // Logs of a system that happens to be named "spans", and spans of "shop",
  // under one prefix: each archive sees its own partitions only.
  PartitionArchive logs(client_.get(), "", "logs");
  PartitionArchive spans(client_.get(), "spans/", "spans");
  const int64_t now = (kNov24 + 1) * kNanosPerDay;
  ASSERT_TRUE(logs.Archive(Env::Default(), dir_.path(), "spans", kNov24 - 40,
                           {Segment("a.seg", kNov24 - 40, 3)}, now)
                  .ok());
  ASSERT_TRUE(spans
                  .Archive(Env::Default(), dir_.path(), "shop", kNov24 - 10,
                           {Segment("b.seg", kNov24 - 10, 4)}, now)
                  .ok());
  auto logs_listed = logs.List();
  ASSERT_TRUE(logs_listed.ok()) << logs_listed.status();
  ASSERT_EQ(logs_listed->size(), 1u);
  EXPECT_EQ((*logs_listed)[0].system, "spans");
  EXPECT_EQ((*logs_listed)[0].kind, "logs");
  auto spans_listed = spans.List();
  ASSERT_TRUE(spans_listed.ok()) << spans_listed.status();
  ASSERT_EQ(spans_listed->size(), 1u);
  EXPECT_EQ((*spans_listed)[0].system, "shop");
  EXPECT_EQ((*spans_listed)[0].kind, "spans");
  EXPECT_EQ(*logs.CountBySystem(), (std::map<std::string, uint64_t>{{"spans", 1}}));
  EXPECT_EQ(*spans.CountBySystem(), (std::map<std::string, uint64_t>{{"shop", 1}}));
  // Expiring spans after 5 days leaves the logs' older partition alone.
  EXPECT_EQ(*spans.DeleteExpired([](const std::string&) { return 5; }, now), 1u);
  EXPECT_TRUE(spans.List()->empty());
  EXPECT_EQ(logs.List()->size(), 1u);
}

TEST(ArchiveManifestTest, RoundTripsAndRejectsWhatIsNotOne) {
  ArchivedPartition partition{"crm", kNov24, kNov24 * kNanosPerDay + 5, {}};
  partition.segments.push_back({"00000001.seg", 100, "abc", 3, 1, 2});
  auto back = DecodeArchiveManifest(EncodeArchiveManifest(partition));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->system, "crm");
  EXPECT_EQ(back->day, kNov24);
  EXPECT_EQ(back->archived_at_ns, partition.archived_at_ns);
  ASSERT_EQ(back->segments.size(), 1u);
  EXPECT_EQ(back->segments[0].md5, "abc");
  EXPECT_EQ(back->segments[0].max_ts, 2);
  EXPECT_FALSE(DecodeArchiveManifest("{}").ok());
  EXPECT_FALSE(DecodeArchiveManifest("not json").ok());
  EXPECT_FALSE(DecodeArchiveManifest(R"({"format":"mayak-archive-partition","version":2})").ok());
}

}  // namespace
}  // namespace mayak
