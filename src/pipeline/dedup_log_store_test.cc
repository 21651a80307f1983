#include "pipeline/dedup_log_store.h"

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "storage/fault_injection_env.h"
#include "support/temp_dir.h"

namespace mayak {
namespace {

// Holds every append until the test finishes it with a status.
class HeldAppends : public ForwardingLogStore {
 public:
  HeldAppends() : ForwardingLogStore(nullptr) {}
  void Append(std::vector<LogRecord> records, AppendDone done) override {
    held.emplace_back(std::move(records), std::move(done));
  }
  std::vector<std::pair<std::vector<LogRecord>, AppendDone>> held;
};

LogRecord WithId(std::string message, std::optional<std::string> id) {
  LogRecord record;
  record.message = std::move(message);
  if (id) record.attributes.push_back({"_id", *id});
  record.attributes.push_back({"k", int64_t{1}});
  return record;
}

std::vector<std::string> Messages(const std::vector<LogRecord>& records) {
  std::vector<std::string> out;
  for (const LogRecord& r : records) out.push_back(r.message);
  return out;
}

struct Outcome {
  bool called = false;
  absl::Status status;
};

LogStore::AppendDone Capture(Outcome* outcome) {
  return [outcome](absl::Status s) {
    outcome->called = true;
    outcome->status = std::move(s);
  };
}

TEST(DedupLogStoreTest, StoresAnIdOnceAndNeverTheIdItself) {
  HeldAppends inner;
  MetricsRegistry metrics;
  DedupLogStore store(&inner, 100, &metrics);
  Outcome first;
  store.Append({WithId("a", "f-0"), WithId("b", "f-10"), WithId("no id", std::nullopt)},
               Capture(&first));
  ASSERT_EQ(inner.held.size(), 1u);
  EXPECT_EQ(Messages(inner.held[0].first), (std::vector<std::string>{"a", "b", "no id"}));
  for (const LogRecord& r : inner.held[0].first) {
    EXPECT_EQ(r.FindAttribute("_id"), nullptr);
    EXPECT_NE(r.FindAttribute("k"), nullptr);
  }
  inner.held[0].second(absl::OkStatus());
  EXPECT_TRUE(first.called && first.status.ok());

  // The resend: known ids are dropped, a new one and id-less records pass.
  Outcome second;
  store.Append({WithId("a", "f-0"), WithId("c", "f-20"), WithId("no id", std::nullopt)},
               Capture(&second));
  ASSERT_EQ(inner.held.size(), 2u);
  EXPECT_EQ(Messages(inner.held[1].first), (std::vector<std::string>{"c", "no id"}));
  inner.held[1].second(absl::OkStatus());
  EXPECT_TRUE(second.status.ok());

  // All duplicates: answered at once, nothing appended.
  Outcome third;
  store.Append({WithId("a", "f-0"), WithId("b", "f-10")}, Capture(&third));
  EXPECT_EQ(inner.held.size(), 2u);
  EXPECT_TRUE(third.called && third.status.ok());
  EXPECT_NE(metrics.RenderPrometheus().find("mayak_ingest_duplicates_total 3"), std::string::npos);
}

TEST(DedupLogStoreTest, ADuplicateWithinOneRequestIsStoredOnce) {
  HeldAppends inner;
  MetricsRegistry metrics;
  DedupLogStore store(&inner, 100, &metrics);
  Outcome done;
  store.Append({WithId("a", "x"), WithId("a again", "x")}, Capture(&done));
  ASSERT_EQ(inner.held.size(), 1u);
  EXPECT_EQ(Messages(inner.held[0].first), (std::vector<std::string>{"a"}));
}

TEST(DedupLogStoreTest, AFailedAppendForgetsItsIdsSoTheRetryIsStored) {
  HeldAppends inner;
  MetricsRegistry metrics;
  DedupLogStore store(&inner, 100, &metrics);
  Outcome failed;
  store.Append({WithId("a", "x")}, Capture(&failed));
  inner.held[0].second(absl::UnavailableError("disk full"));
  EXPECT_FALSE(failed.status.ok());
  Outcome retry;
  store.Append({WithId("a", "x")}, Capture(&retry));
  ASSERT_EQ(inner.held.size(), 2u);
  EXPECT_EQ(Messages(inner.held[1].first), (std::vector<std::string>{"a"}));
}

TEST(DedupLogStoreTest, IdsStillBeingStoredMakeAnotherRequestRetry) {
  HeldAppends inner;
  MetricsRegistry metrics;
  DedupLogStore store(&inner, 100, &metrics);
  Outcome slow;
  store.Append({WithId("a", "x")}, Capture(&slow));
  Outcome resend;
  store.Append({WithId("new", "y"), WithId("a", "x")}, Capture(&resend));
  EXPECT_TRUE(resend.called);
  EXPECT_EQ(resend.status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(inner.held.size(), 1u);
  // The refused request took no ids: "y" is still new once "x" is stored.
  inner.held[0].second(absl::OkStatus());
  Outcome again;
  store.Append({WithId("new", "y"), WithId("a", "x")}, Capture(&again));
  ASSERT_EQ(inner.held.size(), 2u);
  EXPECT_EQ(Messages(inner.held[1].first), (std::vector<std::string>{"new"}));
}

TEST(DedupLogStoreTest, RemembersOnlyTheNewestWindowOfIds) {
  HeldAppends inner;
  MetricsRegistry metrics;
  DedupLogStore store(&inner, 2, &metrics);
  for (const char* id : {"1", "2", "3"}) {
    Outcome done;
    store.Append({WithId(id, id)}, Capture(&done));
    inner.held.back().second(absl::OkStatus());
  }
  Outcome done;
  store.Append({WithId("1", "1"), WithId("3", "3")}, Capture(&done));
  ASSERT_EQ(inner.held.size(), 4u);
  EXPECT_EQ(Messages(inner.held[3].first), (std::vector<std::string>{"1"}));  // 1 was forgotten
}

// With a journal, a new store (the server restarted, or killed and started
// again) still knows the ids the old one stored, and only those.
TEST(DedupLogStoreTest, AJournalCarriesTheWindowIntoTheNextStore) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/dedup-ids";
  MetricsRegistry metrics;
  {
    auto journal = DedupJournal::Open(Env::Default(), path, 100);
    ASSERT_TRUE(journal.ok()) << journal.status();
    HeldAppends inner;
    DedupLogStore store(&inner, 100, &metrics, journal->get());
    Outcome stored, failed;
    store.Append({WithId("a", "f-0"), WithId("b", "f-10")}, Capture(&stored));
    store.Append({WithId("c", "f-20")}, Capture(&failed));
    inner.held[0].second(absl::OkStatus());
    inner.held[1].second(absl::UnavailableError("disk full"));
  }
  auto journal = DedupJournal::Open(Env::Default(), path, 100);
  ASSERT_TRUE(journal.ok()) << journal.status();
  HeldAppends inner;
  DedupLogStore store(&inner, 100, &metrics, journal->get());
  Outcome resent;
  store.Append({WithId("a", "f-0"), WithId("b", "f-10"), WithId("c", "f-20")}, Capture(&resent));
  ASSERT_EQ(inner.held.size(), 1u);
  EXPECT_EQ(Messages(inner.held[0].first), (std::vector<std::string>{"c"}))
      << "a and b were stored before the restart; c had failed";
}

TEST(DedupLogStoreTest, IdsTheJournalMissedOnAFullDiskAreWrittenOnceItHasRoom) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/dedup-ids";
  MetricsRegistry metrics;
  FaultInjectionEnv env(Env::Default());
  {
    auto journal = DedupJournal::Open(&env, path, 100);
    ASSERT_TRUE(journal.ok()) << journal.status();
    HeldAppends inner;
    DedupLogStore store(&inner, 100, &metrics, journal->get());
    Outcome first, second;
    store.Append({WithId("a", "f-0")}, Capture(&first));
    env.SetDiskFull(true);
    inner.held[0].second(absl::OkStatus());  // stored; its id not journaled
    env.SetDiskFull(false);
    // A failing journal is rewritten at most once a second.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    store.Append({WithId("b", "f-10")}, Capture(&second));
    inner.held[1].second(absl::OkStatus());  // the journal has room again
  }
  auto journal = DedupJournal::Open(&env, path, 100);
  ASSERT_TRUE(journal.ok()) << journal.status();
  HeldAppends inner;
  DedupLogStore store(&inner, 100, &metrics, journal->get());
  Outcome resent;
  store.Append({WithId("a", "f-0"), WithId("b", "f-10")}, Capture(&resent));
  EXPECT_TRUE(inner.held.empty()) << "both were stored before the restart";
}

}  // namespace
}  // namespace mayak
