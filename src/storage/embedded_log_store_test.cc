#include "storage/embedded_log_store.h"

#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "gtest/gtest.h"
#include "query/filter.h"
#include "storage/fault_injection_env.h"
#include "storage/manifest.h"
#include "storage/segment_reader.h"
#include "storage/wal_reader.h"
#include "support/temp_dir.h"

namespace mayak {
namespace {

constexpr int64_t kDay = 86400LL * 1'000'000'000;
constexpr int64_t kNov24 = 1'795'478'400LL * 1'000'000'000;

class EmbeddedLogStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void TearDown() override { store_.reset(); }

  void Reopen() {
    store_.reset();
    auto store = EmbeddedLogStore::Open(Options(), &metrics_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  EmbeddedLogStoreOptions Options() {
    EmbeddedLogStoreOptions options;
    options.env = &env_;
    options.dir = dir_;
    options.memtable_bytes = memtable_bytes_;
    options.flush_interval_ns = 3600LL * 1'000'000'000;
    options.row_group_rows = 100;
    options.scan_threads = 3;  // searches and counts read row groups on several threads
    options.merge_min_segments = merge_min_segments_;
    options.retention_interval_ns = 0;  // retention runs when a test says
    options.retention = retention_;
    options.retention_by_system = retention_by_system_;
    options.clock = [this] { return now_ns_.load(); };
    return options;
  }

  // Appends `n` records numbered from `first`, spread over systems and two days.
  absl::Status Append(int first, int n) {
    std::vector<LogRecord> records;
    for (int i = first; i < first + n; ++i) {
      LogRecord r;
      r.timestamp_ns = kNov24 + (i % 2) * kDay + i * 1'000'000LL;
      r.system = i % 3 == 0 ? "shop" : "crm";
      r.message = "record " + std::to_string(i);
      r.attributes = {{"seq", int64_t{i}}};
      records.push_back(std::move(r));
    }
    std::promise<absl::Status> done;
    store_->Append(std::move(records), [&done](absl::Status s) { done.set_value(s); });
    return done.get_future().get();
  }

  // The seq of every stored record; fails the test on duplicates.
  std::multiset<int64_t> AllSeqs() {
    SearchRequest request;
    request.limit = 1'000'000;
    auto result = store_->Search(request);
    EXPECT_TRUE(result.ok());
    std::multiset<int64_t> seqs;
    for (const LogRecord& r : result->hits) seqs.insert(std::get<int64_t>(*r.FindAttribute("seq")));
    EXPECT_EQ(result->total, seqs.size());
    return seqs;
  }

  static std::multiset<int64_t> Range(int first, int n) {
    std::multiset<int64_t> out;
    for (int i = first; i < first + n; ++i) out.insert(i);
    return out;
  }

  testing::TempDir temp_;
  const std::string dir_ = temp_.path();
  FaultInjectionEnv env_{Env::Default()};
  MetricsRegistry metrics_;
  std::unique_ptr<EmbeddedLogStore> store_;
  size_t merge_min_segments_ = 0;         // tests that merge turn it on
  uint64_t memtable_bytes_ = 1ull << 30;  // flushes happen when the test says
  RetentionPolicy retention_;
  std::map<std::string, RetentionPolicy> retention_by_system_;
  std::atomic<int64_t> now_ns_{kNov24 + 2 * kDay};
};

TEST_F(EmbeddedLogStoreTest, FlushesIntoPartitionedSegmentsAndSurvivesRestart) {
  ASSERT_TRUE(Append(0, 500).ok());
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_TRUE(Append(500, 100).ok());  // stays in the WAL
  EXPECT_EQ(AllSeqs(), Range(0, 600));
  const StoreStats stats = store_->Stats();
  EXPECT_EQ(stats.segments, 4u) << "2 systems x 2 days";
  EXPECT_EQ(stats.records, 600u);
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/logs/shop/2026-11-24/00000001.seg") ||
              std::filesystem::exists(dir_ + "/logs/crm/2026-11-24/00000001.seg"));

  Reopen();
  EXPECT_EQ(AllSeqs(), Range(0, 600));
  // The flushed WAL files are gone; only the unflushed records replay.
  ASSERT_TRUE(store_->Flush().ok());
  Reopen();
  EXPECT_EQ(AllSeqs(), Range(0, 600));
  EXPECT_EQ(store_->Stats().segments, 8u);

  // Newest first, limited, with the time range applied to segments too.
  SearchRequest request;
  request.from_ns = kNov24 + kDay;
  request.limit = 3;
  auto result = store_->Search(request);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->total, 300u);
  ASSERT_EQ(result->hits.size(), 3u);
  EXPECT_EQ(std::get<int64_t>(*result->hits[0].FindAttribute("seq")), 599);
  EXPECT_EQ(std::get<int64_t>(*result->hits[2].FindAttribute("seq")), 595);

  // Filters decode their own columns first and whole rows only for hits.
  for (const auto& [query, expected_total] :
       std::vector<std::pair<std::string, uint64_t>>{{"seq:123", 1},
                                                     {"record and system:shop", 200},
                                                     {"\"record 42\"", 1},
                                                     {"seq:* and system:crm", 400}}) {
    auto filter = Filter::Parse(query);
    ASSERT_TRUE(filter.ok());
    SearchRequest filtered;
    filtered.filter = &*filter;
    filtered.limit = 1;
    auto found = store_->Search(filtered);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->total, expected_total) << query;
    ASSERT_EQ(found->hits.size(), 1u) << query;
    EXPECT_TRUE(filter->Matches(found->hits[0])) << query;
    EXPECT_FALSE(found->hits[0].message.empty()) << "hits are whole records";
  }
}

TEST_F(EmbeddedLogStoreTest, AFailedFlushLosesNothingAndIsRetried) {
  ASSERT_TRUE(Append(0, 200).ok());
  env_.SetSyncFails(true);
  EXPECT_FALSE(store_->Flush().ok());
  env_.SetSyncFails(false);
  EXPECT_EQ(AllSeqs(), Range(0, 200)) << "still searchable from the memtable";
  ASSERT_TRUE(Append(200, 50).ok());
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(AllSeqs(), Range(0, 250));
  Reopen();
  EXPECT_EQ(AllSeqs(), Range(0, 250));
}

TEST_F(EmbeddedLogStoreTest, AppendsWaitWhileAFullMemtableIsStillBeingFlushed) {
  memtable_bytes_ = 1;  // any append fills the memtable
  Reopen();
  Counter* held = metrics_.GetCounter("mayak_storage_held_appends_total", "");
  env_.SetFaultyPaths("/logs/");
  env_.SetSyncPaused(true);  // the flush thread's first segment stalls in its fsync
  // Whatever happens below, the flush is let go before the store closes.
  struct Resume {
    FaultInjectionEnv* env;
    ~Resume() { env->SetSyncPaused(false); }
  } resume{&env_};
  std::vector<std::promise<absl::Status>> promises(3);
  const auto append = [&](int k) {
    std::vector<LogRecord> records(10);
    for (int i = 0; i < 10; ++i) {
      records[i].timestamp_ns = kNov24 + (k * 10 + i) * 1'000'000LL;
      records[i].attributes = {{"seq", int64_t{k * 10 + i}}};
    }
    auto future = promises[k].get_future();
    store_->Append(std::move(records),
                   [&p = promises[k]](absl::Status s) { p.set_value(std::move(s)); });
    return future;
  };
  // The first fills the memtable; its flush stalls.
  ASSERT_TRUE(append(0).get().ok());
  for (int waited = 0; env_.paused_syncs() == 0 && waited < 10'000; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(env_.paused_syncs(), 1) << "the flush is under way";
  // The second fills the next memtable; the third must wait.
  ASSERT_TRUE(append(1).get().ok());
  std::future<absl::Status> third = append(2);
  EXPECT_EQ(held->Value(), 1u);
  EXPECT_NE(third.wait_for(std::chrono::milliseconds(100)), std::future_status::ready)
      << "nothing held is acknowledged before it is in the WAL";
  env_.SetSyncPaused(false);
  EXPECT_TRUE(third.get().ok());
  EXPECT_EQ(AllSeqs(), Range(0, 30));
  Reopen();
  EXPECT_EQ(AllSeqs(), Range(0, 30)) << "held appends were written to the WAL";
}

TEST_F(EmbeddedLogStoreTest, HeldAppendsAreRefusedWhenTheFlushFails) {
  memtable_bytes_ = 1;
  Reopen();
  Counter* held = metrics_.GetCounter("mayak_storage_held_appends_total", "");
  Counter* failures = metrics_.GetCounter("mayak_storage_flush_failures_total", "");
  env_.SetFaultyPaths("/logs/");
  env_.SetSyncFails(true);  // every flush fails, and is retried every second
  ASSERT_TRUE(Append(0, 10).ok());
  for (int waited = 0; failures->Value() == 0 && waited < 10'000; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_GE(failures->Value(), 1u) << "the first memtable is taken and its flush failed";
  ASSERT_TRUE(Append(10, 10).ok()) << "the next memtable still has room";
  const absl::Status refused = Append(20, 10);
  EXPECT_EQ(held->Value(), 1u);
  // Answered by the next failed flush, not left waiting.
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable) << refused;
  env_.SetSyncFails(false);
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(AllSeqs(), Range(0, 20)) << "what was refused is not stored";
}

TEST_F(EmbeddedLogStoreTest, OrphansAreRemovedAndDamagedSegmentsQuarantined) {
  ASSERT_TRUE(Append(0, 300).ok());
  ASSERT_TRUE(store_->Flush().ok());
  store_.reset();
  // A segment a crash left before the manifest named it.
  const std::string orphan = dir_ + "/logs/shop/2026-11-24/00000099.seg";
  std::ofstream(orphan) << "half a segment";
  // Damage inside one named segment's data.
  const std::string victim = dir_ + "/logs/crm/2026-11-25/" +
                             std::filesystem::directory_iterator(dir_ + "/logs/crm/2026-11-25")
                                 ->path()
                                 .filename()
                                 .string();
  {
    std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(0);
    f.put('X');
  }
  Reopen();
  EXPECT_FALSE(std::filesystem::exists(orphan));
  EXPECT_NE(metrics_.RenderPrometheus().find("mayak_storage_corrupt_blocks_total 1"),
            std::string::npos);
  // Everything but the damaged segment (crm, odd records) still serves.
  std::multiset<int64_t> expected;
  for (int i = 0; i < 300; ++i) {
    if (!(i % 3 != 0 && i % 2 == 1)) expected.insert(i);
  }
  EXPECT_EQ(AllSeqs(), expected);
  // The quarantined segment's bytes stay on disk until its partition goes,
  // and then it goes with it: out of the MANIFEST, off the disk, and no
  // longer quarantined anew at every start.
  now_ns_ = kNov24 + 60 * kDay;
  ASSERT_TRUE(store_->RunRetention().ok());
  EXPECT_FALSE(std::filesystem::exists(victim));
  auto on_disk = ReadManifest(Env::Default(), dir_);
  ASSERT_TRUE(on_disk.ok());
  EXPECT_TRUE(on_disk->segments.empty());
  Reopen();
  EXPECT_NE(metrics_.RenderPrometheus().find("mayak_storage_corrupt_blocks_total 1\n"),
            std::string::npos);
}

TEST_F(EmbeddedLogStoreTest, SegmentsWithoutTheirManifestAreKeptAndTheStartRefused) {
  // A fresh store has its (empty) MANIFEST before any segment.
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/MANIFEST"));
  ASSERT_TRUE(Append(0, 300).ok());
  ASSERT_TRUE(store_->Flush().ok());
  store_.reset();
  // The MANIFEST lost: its segments are no crash's leftovers, and deleting
  // them as such would delete every record.
  std::filesystem::remove(dir_ + "/MANIFEST");
  size_t files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ + "/logs")) {
    files += e.is_regular_file() ? 1 : 0;
  }
  ASSERT_EQ(files, 4u);
  auto refused = EmbeddedLogStore::Open(Options(), &metrics_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("MANIFEST is missing"), std::string::npos)
      << refused.status();
  size_t kept = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ + "/logs")) {
    kept += e.is_regular_file() ? 1 : 0;
  }
  EXPECT_EQ(kept, files);
}

TEST_F(EmbeddedLogStoreTest, AFailedCommitNeverRemovesFilesTheManifestNames) {
  const auto segment_files = [this] {
    size_t files = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ + "/logs")) {
      files += e.is_regular_file() ? 1 : 0;
    }
    return files;
  };
  ASSERT_TRUE(Append(0, 300).ok());
  // The new MANIFEST is renamed into place, then the data directory's fsync
  // fails. (a) Putting the old one back works: the disk names the old set,
  // and the flush's files go. (b) It fails before its rename (MANIFEST.tmp
  // cannot be synced): the disk names the new set, and the files must stay,
  // or the next start loses their records.
  struct Case {
    const char* name;
    int tmp_syncs_before_failing;  // -1: they never fail
    bool named_set_is_new;
  };
  for (const Case c : {Case{"old one put back", -1, false}, Case{"cannot put back", 1, true}}) {
    SCOPED_TRACE(c.name);
    env_.SetDirSyncFails(dir_, 1);
    if (c.tmp_syncs_before_failing >= 0) {
      env_.SetFileSyncFails("MANIFEST.tmp", c.tmp_syncs_before_failing);
    }
    EXPECT_FALSE(store_->Flush().ok());
    env_.SetDirSyncFails("");
    env_.SetFileSyncFails("", 0);
    auto on_disk = ReadManifest(Env::Default(), dir_);
    ASSERT_TRUE(on_disk.ok()) << on_disk.status();
    EXPECT_EQ(on_disk->segments.empty(), !c.named_set_is_new);
    for (const SegmentEntry& s : on_disk->segments) {
      EXPECT_TRUE(std::filesystem::exists(dir_ + "/" + s.path)) << s.path << " named but removed";
    }
    EXPECT_EQ(segment_files(), c.named_set_is_new ? 4u : 0u);
  }
  // The disk recovers: the flush goes through, the files the failed change
  // kept are removed once no MANIFEST names them, and a restart finds every
  // record once.
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(segment_files(), store_->Stats().segments);
  Reopen();
  EXPECT_EQ(AllSeqs(), Range(0, 300));
  EXPECT_EQ(segment_files(), store_->Stats().segments);
}

TEST_F(EmbeddedLogStoreTest, AFirstFlushCutShortWithoutAManifestIsRecoveredFromTheWal) {
  // What an older mayak, which wrote its MANIFEST only at its first flush,
  // left when killed in that flush: a segment file, no MANIFEST, and every
  // record still in WAL file 1. The WAL is copied while the store runs (a
  // store that closes flushes, and that deletes WAL file 1).
  ASSERT_TRUE(Append(0, 300).ok());
  testing::TempDir saved;
  std::filesystem::copy(dir_ + "/wal", saved.path() + "/wal");
  store_.reset();
  std::filesystem::remove(dir_ + "/MANIFEST");
  std::filesystem::remove_all(dir_ + "/logs");
  std::filesystem::remove_all(dir_ + "/wal");
  std::filesystem::copy(saved.path() + "/wal", dir_ + "/wal");
  std::filesystem::create_directories(dir_ + "/logs/shop/2026-11-24");
  const std::string leftover = dir_ + "/logs/shop/2026-11-24/00000001.seg";
  std::ofstream(leftover) << "half a segment";
  Reopen();
  EXPECT_FALSE(std::filesystem::exists(leftover));
  EXPECT_EQ(AllSeqs(), Range(0, 300));
}

// The one segment file of a partition directory.
std::string OnlySegmentIn(const std::string& partition) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(partition)) {
    files.push_back(e.path().string());
  }
  EXPECT_EQ(files.size(), 1u) << partition;
  return files.empty() ? "" : files[0];
}

TEST_F(EmbeddedLogStoreTest, DamageASearchFindsIsQuarantinedCountedOnceAndNeverMerged) {
  merge_min_segments_ = 2;
  Reopen();
  ASSERT_TRUE(Append(0, 600).ok());
  ASSERT_TRUE(store_->Flush().ok());
  // A byte flipped inside a data chunk of the first row group of one
  // segment: the header, footer and filters are intact, so only reading
  // that group's data can find it, by its checksum.
  const std::string victim = OnlySegmentIn(dir_ + "/logs/crm/2026-11-25");
  std::set<int64_t> lost;
  uint64_t offset = 0;
  {
    auto reader = SegmentReader::Open(Env::Default(), victim);
    ASSERT_TRUE(reader.ok()) << reader.status();
    auto rows = (*reader)->ReadRowGroup(0);
    ASSERT_TRUE(rows.ok()) << rows.status();
    for (const LogRecord& r : *rows) lost.insert(std::get<int64_t>(*r.FindAttribute("seq")));
    const segment::ChunkMeta& chunk = (*reader)->footer().row_groups[0].chunks[0];
    offset = chunk.offset + chunk.stored_size / 2;
  }
  ASSERT_EQ(lost.size(), 100u);  // row_group_rows
  {
    std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    const char c = static_cast<char>(f.get());
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(static_cast<char>(c ^ 0x5A));
  }
  std::multiset<int64_t> expected;
  for (int i = 0; i < 600; ++i) {
    if (!lost.contains(i)) expected.insert(i);
  }
  const auto corrupt_blocks = [this] {
    const std::string text = metrics_.RenderPrometheus();
    const std::string key = "\nmayak_storage_corrupt_blocks_total ";
    const size_t at = text.find(key);
    return at == std::string::npos ? -1 : std::stoll(text.substr(at + key.size()));
  };
  // Every other row group, of this segment and the others, keeps serving;
  // the damage is counted once, however often searches come by.
  EXPECT_EQ(AllSeqs(), expected);
  EXPECT_EQ(corrupt_blocks(), 1);
  EXPECT_EQ(AllSeqs(), expected);
  EXPECT_EQ(corrupt_blocks(), 1);
  // A second segment in each partition: the merges take every pair but the
  // damaged segment's, which is not rewritten (its damage not copied on).
  ASSERT_TRUE(Append(600, 600).ok());
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_TRUE(store_->MergeAll().ok());
  EXPECT_TRUE(std::filesystem::exists(victim));
  EXPECT_EQ(store_->Stats().segments, 3u + 2u);
  for (int i = 600; i < 1200; ++i) expected.insert(i);
  EXPECT_EQ(AllSeqs(), expected);
  EXPECT_EQ(corrupt_blocks(), 1);
}

TEST_F(EmbeddedLogStoreTest, ARowGroupThatCannotBeReadIsSkippedNotQuarantined) {
  ASSERT_TRUE(Append(0, 300).ok());
  ASSERT_TRUE(store_->Flush().ok());
  // A disk that fails reads (EIO) is not damage: the search misses what it
  // cannot read, nothing is marked, and all of it is back with the disk.
  env_.SetReadsFail(true);
  SearchRequest request;
  request.limit = 1000;
  auto failing = store_->Search(request);
  ASSERT_TRUE(failing.ok()) << failing.status();
  EXPECT_EQ(failing->total, 0u);
  // Every unreadable row group of every search is counted (the log says
  // it once a minute a segment).
  const auto read_errors = [this] {
    const std::string text = metrics_.RenderPrometheus();
    const std::string key = "\nmayak_storage_read_errors_total ";
    const size_t at = text.find(key);
    return at == std::string::npos ? -1 : std::stoll(text.substr(at + key.size()));
  };
  const long long first = read_errors();
  EXPECT_GT(first, 0);
  ASSERT_TRUE(store_->Search(request).ok());
  EXPECT_EQ(read_errors(), 2 * first);
  env_.SetReadsFail(false);
  EXPECT_EQ(AllSeqs(), Range(0, 300));
  EXPECT_NE(metrics_.RenderPrometheus().find("mayak_storage_corrupt_blocks_total 0"),
            std::string::npos);
}

TEST_F(EmbeddedLogStoreTest, RestoredSegmentsMergedStayRestored) {
  // Two segments of one old day, kept aside as the archive would, then
  // dropped by retention (no archive here).
  ASSERT_TRUE(Append(0, 300).ok());
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_TRUE(Append(300, 300).ok());
  ASSERT_TRUE(store_->Flush().ok());
  const std::string partition = dir_ + "/logs/shop/2026-11-24";
  testing::TempDir archive;
  std::vector<std::string> kept;
  for (const auto& e : std::filesystem::directory_iterator(partition)) {
    kept.push_back(archive.path() + "/" + e.path().filename().string());
    std::filesystem::copy_file(e.path(), kept.back());
  }
  ASSERT_EQ(kept.size(), 2u);
  now_ns_ = kNov24 + 60 * kDay;  // past hot_days (30)
  ASSERT_TRUE(store_->RunRetention().ok());
  ASSERT_TRUE(AllSeqs().empty());

  merge_min_segments_ = 2;
  Reopen();
  std::vector<LogStore::SegmentFetch> fetches;
  for (const std::string& file : kept) {
    fetches.push_back([file](const std::string& path) {
      std::filesystem::copy_file(file, path);
      return absl::OkStatus();
    });
  }
  ASSERT_TRUE(store_->RestorePartition("shop", kNov24 / kDay, fetches).ok());
  ASSERT_TRUE(store_->MergeAll().ok());
  EXPECT_EQ(store_->Stats().segments, 1u);
  // Merged, the day is still a restored one: it stays its restored_days
  // although past hot_days (and, with an archive, is not archived again).
  std::multiset<int64_t> shop_first_day;
  for (int i = 0; i < 600; ++i) {
    if (i % 3 == 0 && i % 2 == 0) shop_first_day.insert(i);
  }
  ASSERT_TRUE(store_->RunRetention().ok());
  EXPECT_EQ(AllSeqs(), shop_first_day);
  now_ns_ = now_ns_ + 8 * kDay;  // restored_days (7) are over
  ASSERT_TRUE(store_->RunRetention().ok());
  EXPECT_TRUE(AllSeqs().empty());
  EXPECT_NE(metrics_.RenderPrometheus().find(
                "mayak_retention_dropped_partitions_total{reason=\"restored\"} 1\n"),
            std::string::npos)
      << metrics_.RenderPrometheus();
}

TEST_F(EmbeddedLogStoreTest, RetentionRunsExpireTheArchiveUnlessItIsAway) {
  std::vector<int64_t> expired_at;
  bool archive_down = false;
  EmbeddedLogStoreOptions options = Options();
  options.archive = [&archive_down](const std::string&, int64_t, const std::vector<SegmentEntry>&) {
    return archive_down ? absl::UnavailableError("connection refused") : absl::OkStatus();
  };
  options.expire_archive = [&expired_at](int64_t now_ns) -> absl::StatusOr<uint64_t> {
    expired_at.push_back(now_ns);
    return 0;
  };
  store_.reset();
  auto store = EmbeddedLogStore::Open(options, &metrics_);
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = *std::move(store);
  ASSERT_TRUE(Append(0, 30).ok());
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_TRUE(store_->RunRetention().ok());  // nothing old: expiry still runs
  EXPECT_EQ(expired_at, std::vector<int64_t>{now_ns_.load()});
  // The object store away while archiving: expiry waits for a later run.
  archive_down = true;
  now_ns_ = kNov24 + 60 * kDay;
  EXPECT_FALSE(store_->RunRetention().ok());
  EXPECT_EQ(expired_at.size(), 1u);
  archive_down = false;
  ASSERT_TRUE(store_->RunRetention().ok());
  EXPECT_EQ(expired_at.size(), 2u);
  EXPECT_EQ(expired_at.back(), kNov24 + 60 * kDay);
}

TEST_F(EmbeddedLogStoreTest, NeedleSearchesReadFewRowGroups) {
  ASSERT_TRUE(Append(0, 3000).ok());
  ASSERT_TRUE(store_->Flush().ok());
  const auto search = [this](std::string_view query) {
    auto filter = Filter::Parse(query);
    EXPECT_TRUE(filter.ok());
    SearchRequest request;
    request.filter = &*filter;
    auto result = store_->Search(request);
    EXPECT_TRUE(result.ok());
    return result->total;
  };
  const std::string before = metrics_.RenderPrometheus();
  EXPECT_EQ(search("seq:1234"), 1u);
  EXPECT_EQ(search("record and 2345"), 1u);
  EXPECT_EQ(search("seq:*"), 3000u);
  const std::string after = metrics_.RenderPrometheus();
  // 30 row groups of 100 rows: each needle reads about one, seq:* all 30.
  const auto count = [&after](std::string_view result) {
    const std::string key =
        std::string("mayak_search_row_groups_total{result=\"") + std::string(result) + "\"} ";
    const size_t at = after.find(key);
    return at == std::string::npos ? -1 : std::stoll(after.substr(at + key.size()));
  };
  EXPECT_GE(count("skipped"), 2 * 29 - 4) << before << after;
  EXPECT_LE(count("read"), 30 + 2 + 4);
}

TEST_F(EmbeddedLogStoreTest, MergesKeepEveryRecordOnceAndFewSegments) {
  merge_min_segments_ = 3;
  Reopen();
  // Six flushes, each a segment in each of the four partitions.
  for (int round = 0; round < 6; ++round) {
    ASSERT_TRUE(Append(round * 100, 100).ok());
    ASSERT_TRUE(store_->Flush().ok());
  }
  ASSERT_TRUE(store_->MergeAll().ok());
  // Each partition's six segments: three merged into one, then that one
  // and the other three (one tier) into one.
  EXPECT_LE(store_->Stats().segments, 4u * 2);
  EXPECT_EQ(AllSeqs(), Range(0, 600));
  // The files on disk are exactly the live segments.
  size_t files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ + "/logs")) {
    files += e.is_regular_file() ? 1 : 0;
  }
  EXPECT_EQ(files, store_->Stats().segments);
  Reopen();
  EXPECT_EQ(AllSeqs(), Range(0, 600));
}

TEST_F(EmbeddedLogStoreTest, TheMergeThreadRetriesAFailedMergeAndLosesNothing) {
  // Two segments in each of the four partitions, written with merging off.
  ASSERT_TRUE(Append(0, 50).ok());
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_TRUE(Append(50, 50).ok());
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_EQ(store_->Stats().segments, 8u);
  // Merging on, but fsyncs of segments fail: merges fail and are retried.
  env_.SetFaultyPaths("/logs/");
  env_.SetSyncFails(true);
  merge_min_segments_ = 2;
  Reopen();
  const auto failures = [this] {
    const std::string text = metrics_.RenderPrometheus();
    const std::string key = "\nmayak_storage_merge_failures_total ";
    const size_t at = text.find(key);
    return at == std::string::npos ? 0 : std::stoll(text.substr(at + key.size()));
  };
  for (int i = 0; i < 250 && failures() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GT(failures(), 0);
  EXPECT_EQ(store_->Stats().segments, 8u);
  EXPECT_EQ(AllSeqs(), Range(0, 100));
  // The disk recovers; the merge thread gets there by itself.
  env_.SetSyncFails(false);
  for (int i = 0; i < 250 && store_->Stats().segments > 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(store_->Stats().segments, 4u);
  EXPECT_EQ(AllSeqs(), Range(0, 100));
  Reopen();
  EXPECT_EQ(AllSeqs(), Range(0, 100));
}

TEST_F(EmbeddedLogStoreTest, RetentionDropsOldAndOverCapPartitionsAndReportsIt) {
  retention_.hot_days = 1;
  retention_by_system_["shop"] = {30, 1};  // 30 days, but a 1-byte cap
  Reopen();
  // crm and shop records on Nov 24 and 25 (Append); it is now Nov 26 00:00.
  ASSERT_TRUE(Append(0, 300).ok());
  ASSERT_TRUE(store_->Flush().ok());
  std::vector<SystemUsage> usage = store_->Usage();
  ASSERT_EQ(usage.size(), 2u);
  EXPECT_EQ(usage[0].system, "crm");
  EXPECT_EQ(usage[0].partitions, 2u);
  EXPECT_EQ(usage[0].records, 200u);
  EXPECT_EQ(usage[0].hot_days, 1);
  EXPECT_EQ(usage[1].cap_bytes, 1);
  EXPECT_FALSE(usage[0].last_retention.has_value());
  EXPECT_EQ(usage[0].oldest_ns, kNov24 + 2'000'000);  // record 2, crm's first

  ASSERT_TRUE(store_->RunRetention().ok());
  usage = store_->Usage();
  ASSERT_EQ(usage.size(), 2u);
  // crm keeps 1 day: Nov 24 (ended a day ago) goes; Nov 25, which ended just
  // now, still holds records less than a day old and stays. shop is over its
  // 1-byte cap: its older day goes, its newest stays.
  EXPECT_EQ(usage[1].system, "shop");
  EXPECT_EQ(usage[1].partitions, 1u);
  ASSERT_TRUE(usage[1].last_retention.has_value());
  EXPECT_EQ(usage[1].last_retention->dropped_partitions, 1u);
  EXPECT_EQ(usage[1].last_retention->outcome, "ok");
  const std::multiset<int64_t> seqs = AllSeqs();
  for (int64_t seq : seqs) EXPECT_EQ(seq % 2, 1) << seq << " (Nov 24) should have been dropped";
  EXPECT_EQ(seqs.size(), 150u);  // the Nov 25 records of both

  // A backfill of an old day is accepted, then leaves at the next run.
  ASSERT_TRUE(Append(300, 30).ok());
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(AllSeqs().size(), 180u);
  ASSERT_TRUE(store_->RunRetention().ok());
  EXPECT_EQ(AllSeqs().size(), 165u);  // the new Nov 25 records stay
  Reopen();
  EXPECT_EQ(AllSeqs().size(), 165u);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/logs/crm/2026-11-24"));
}

TEST_F(EmbeddedLogStoreTest, ALimitedSearchReturnsTheNewestAndCountsTheRest) {
  ASSERT_TRUE(Append(0, 1000).ok());
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_TRUE(Append(1000, 10).ok());
  ASSERT_TRUE(store_->Flush().ok());  // hits come from segments, row groups read in part
  SearchRequest request;
  request.limit = 5;
  auto result = store_->Search(request);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->total, 1010u);
  ASSERT_EQ(result->hits.size(), 5u);
  // The newest records are the odd ones (a day later), highest first.
  for (size_t k = 0; k < 5; ++k) {
    EXPECT_EQ(std::get<int64_t>(*result->hits[k].FindAttribute("seq")),
              static_cast<int64_t>(1009 - 2 * k));
  }
}

TEST_F(EmbeddedLogStoreTest, CountsGroupSegmentsAndMemoryAlike) {
  ASSERT_TRUE(Append(0, 900).ok());
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_TRUE(Append(900, 300).ok());  // stays in the memtable
  CountRequest request;
  request.group_by = {"system"};
  request.bucket_ns = kDay;
  auto counted = store_->Count(request);
  ASSERT_TRUE(counted.ok()) << counted.status();
  EXPECT_EQ(counted->total, 1200u);
  // Every third record is the shop's; odd ones are a day later.
  std::map<std::pair<int64_t, std::string>, uint64_t> expected;
  for (int i = 0; i < 1200; ++i) {
    ++expected[{kNov24 + (i % 2) * kDay, i % 3 == 0 ? "shop" : "crm"}];
  }
  std::map<std::pair<int64_t, std::string>, uint64_t> actual;
  for (const auto& [key, count] : counted->groups) {
    actual[{key.bucket_ns, std::get<std::string>(key.values[0])}] = count;
  }
  EXPECT_EQ(actual, expected);

  // A filter and a time range narrow what is counted.
  auto filter = Filter::Parse("system:shop");
  ASSERT_TRUE(filter.ok());
  request.filter = &*filter;
  request.from_ns = kNov24 + kDay;
  request.group_by.clear();
  request.bucket_ns = 0;
  counted = store_->Count(request);
  ASSERT_TRUE(counted.ok());
  EXPECT_EQ(counted->total, 200u);  // odd multiples of 3 below 1200
  ASSERT_EQ(counted->groups.size(), 1u);
  EXPECT_EQ(counted->groups.begin()->second, 200u);
  // A search for no hits counts the same (without reading timestamps of
  // groups wholly in range).
  SearchRequest count_only;
  count_only.filter = &*filter;
  count_only.from_ns = request.from_ns;
  count_only.limit = 0;
  auto searched = store_->Search(count_only);
  ASSERT_TRUE(searched.ok());
  EXPECT_EQ(searched->total, 200u);
  EXPECT_TRUE(searched->hits.empty());
}

TEST_F(EmbeddedLogStoreTest, IntegerFiltersFindTheirRowsWhateverIsReadNext) {
  // Statuses are few (stored as a dictionary, which filters read as codes);
  // the messages say them too, so they are stored as templates that refer
  // to the status column.
  std::vector<LogRecord> records;
  for (int i = 0; i < 700; ++i) {
    LogRecord r;
    r.timestamp_ns = kNov24 + i * 1'000'000LL;
    r.system = i % 2 == 0 ? "shop" : "crm";
    const int64_t status = i % 7 == 0 ? 500 : (i % 3 == 0 ? 404 : 200);
    r.message = "GET /api/orders/" + std::to_string(i) + " " + std::to_string(status);
    r.attributes = {{"seq", int64_t{i}}, {"status", status}};
    records.push_back(std::move(r));
  }
  std::promise<absl::Status> appended;
  store_->Append(std::vector<LogRecord>(records),
                 [&appended](absl::Status s) { appended.set_value(s); });
  ASSERT_TRUE(appended.get_future().get().ok());
  ASSERT_TRUE(store_->Flush().ok());

  auto filter = Filter::Parse("status:500");
  ASSERT_TRUE(filter.ok());
  SearchRequest search;
  search.filter = &*filter;
  search.limit = 1000;
  auto found = store_->Search(search);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->total, 100u);
  std::set<int64_t> seqs;
  for (const LogRecord& hit : found->hits) {
    const int64_t seq = std::get<int64_t>(*hit.FindAttribute("seq"));
    seqs.insert(seq);
    EXPECT_EQ(std::get<int64_t>(*hit.FindAttribute("status")), 500) << seq;
    EXPECT_EQ(hit.message, records[static_cast<size_t>(seq)].message);
  }
  EXPECT_EQ(seqs.size(), 100u);
  EXPECT_EQ(*seqs.begin(), 0);
  EXPECT_EQ(*seqs.rbegin(), 693);

  // Hits of the fields asked for: the others are not read (the filter's
  // own column, read as codes, still gives its values).
  search.fields = {"seq"};
  auto some = store_->Search(search);
  ASSERT_TRUE(some.ok()) << some.status();
  ASSERT_EQ(some->hits.size(), 100u);
  for (const LogRecord& hit : some->hits) {
    const int64_t seq = std::get<int64_t>(*hit.FindAttribute("seq"));
    EXPECT_EQ(seq % 7, 0);
    EXPECT_EQ(std::get<int64_t>(*hit.FindAttribute("status")), 500) << seq;
    EXPECT_TRUE(hit.message.empty()) << seq;
  }
  search.fields.clear();

  // Grouped by the filtered field itself, and by another.
  CountRequest count;
  count.filter = &*filter;
  count.group_by = {"status"};
  auto by_status = store_->Count(count);
  ASSERT_TRUE(by_status.ok()) << by_status.status();
  ASSERT_EQ(by_status->groups.size(), 1u);
  EXPECT_EQ(std::get<int64_t>(by_status->groups.begin()->first.values[0]), 500);
  EXPECT_EQ(by_status->groups.begin()->second, 100u);
  count.group_by = {"system"};
  auto by_system = store_->Count(count);
  ASSERT_TRUE(by_system.ok()) << by_system.status();
  std::map<std::string, uint64_t> systems;
  for (const auto& [key, n] : by_system->groups) systems[std::get<std::string>(key.values[0])] = n;
  EXPECT_EQ(systems, (std::map<std::string, uint64_t>{{"crm", 50}, {"shop", 50}}));

  // A status no row has, and a word of the message with the status.
  auto none = Filter::Parse("status:302");
  ASSERT_TRUE(none.ok());
  search.filter = &*none;
  EXPECT_EQ(store_->Search(search)->total, 0u);
  auto both = Filter::Parse("404 and status:404 and not status:500");
  ASSERT_TRUE(both.ok());
  search.filter = &*both;
  search.limit = 0;
  EXPECT_EQ(store_->Search(search)->total, 200u);
}

}  // namespace
}  // namespace mayak
