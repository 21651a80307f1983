#include "pipeline/dedup_log_store.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "common/logging.h"
#include "common/strings.h"
#include "xxhash.h"

namespace mayak {
namespace {

// Takes the event id out of `record`: its hash, or nullopt without one.
std::optional<uint64_t> TakeEventId(LogRecord* record) {
  auto& attributes = record->attributes;
  for (auto it = attributes.begin(); it != attributes.end(); ++it) {
    if (it->key != kEventIdAttribute) continue;
    std::string text;
    if (auto* s = std::get_if<std::string>(&it->value)) {
      text = std::move(*s);
    } else if (const auto* i = std::get_if<int64_t>(&it->value)) {
      text = StrCat(*i);
    }
    attributes.erase(it);
    if (text.empty()) return std::nullopt;
    return XXH3_64bits(text.data(), text.size());
  }
  return std::nullopt;
}

}  // namespace

DedupLogStore::DedupLogStore(LogStore* inner, size_t window, MetricsRegistry* metrics,
                             DedupJournal* journal)
    : ForwardingLogStore(inner),
      window_(window),
      duplicates_(metrics->GetCounter(
          "mayak_ingest_duplicates_total",
          "Records dropped because a record with the same event id (_id) was stored recently.")),
      conflicts_(metrics->GetCounter(
          "mayak_ingest_id_conflicts_total",
          "Requests refused (503) because their event ids were still being stored by another.")),
      journal_(journal) {
  if (journal_ == nullptr) return;
  absl::MutexLock lock(&mu_);
  for (uint64_t id : journal_->loaded()) {
    if (ids_.try_emplace(id, IdState::kStored).second) stored_order_.push_back(id);
  }
  journal_->ReleaseLoaded();
}

void DedupLogStore::Append(std::vector<LogRecord> records, AppendDone done) {
  // Most senders give no ids: their records pass as they are, without the
  // lock or a move each.
  const bool any_id = std::any_of(records.begin(), records.end(), [](const LogRecord& r) {
    return std::any_of(r.attributes.begin(), r.attributes.end(),
                       [](const Attribute& a) { return a.key == kEventIdAttribute; });
  });
  if (!any_id) return inner()->Append(std::move(records), std::move(done));
  absl::flat_hash_set<uint64_t> ids;  // this request's new ids
  std::vector<LogRecord> kept;
  kept.reserve(records.size());
  uint64_t duplicates = 0;
  bool conflict = false;
  {
    absl::MutexLock lock(&mu_);
    for (LogRecord& record : records) {
      const std::optional<uint64_t> id = TakeEventId(&record);
      if (!id) {
        kept.push_back(std::move(record));
        continue;
      }
      auto [it, inserted] = ids_.try_emplace(*id, IdState::kPending);
      if (inserted) {
        ids.insert(*id);
        kept.push_back(std::move(record));
        continue;
      }
      // Pending from this very request: a duplicate line within it.
      const bool ours = it->second == IdState::kPending && ids.contains(*id);
      if (it->second == IdState::kStored || ours) {
        ++duplicates;
        continue;
      }
      for (uint64_t taken : ids) ids_.erase(taken);
      conflict = true;
      break;
    }
  }
  if (conflict) {
    conflicts_->Add();
    return done(absl::UnavailableError(
        "records with the same event ids (_id) are being stored by another request"));
  }
  duplicates_->Add(duplicates);
  if (kept.empty()) return done(absl::OkStatus());
  if (ids.empty()) return inner()->Append(std::move(kept), std::move(done));
  auto shared_ids = std::make_shared<absl::flat_hash_set<uint64_t>>(std::move(ids));
  inner()->Append(std::move(kept), [this, shared_ids, done = std::move(done)](absl::Status status) {
    Finish(*shared_ids, status.ok());
    done(std::move(status));
  });
}

void DedupLogStore::Finish(const absl::flat_hash_set<uint64_t>& ids, bool stored) {
  absl::MutexLock lock(&mu_);
  if (!stored) {
    for (uint64_t id : ids) ids_.erase(id);
    return;
  }
  std::vector<uint64_t> fresh(ids.begin(), ids.end());
  for (uint64_t id : fresh) {
    ids_[id] = IdState::kStored;
    stored_order_.push_back(id);
  }
  while (stored_order_.size() > window_) {
    ids_.erase(stored_order_.front());
    stored_order_.pop_front();
  }
  if (journal_ != nullptr) Journal(fresh);
}

void DedupLogStore::Journal(const std::vector<uint64_t>& ids) {
  // Before the reply: a server killed after it has the ids of what it
  // stored (written, not fsynced: the process may die, the kernel keeps them).
  // Once a write failed, the file lacks ids: it is written anew from the
  // window (which holds them) until that succeeds, at most once a second.
  const auto now = std::chrono::steady_clock::now();
  if (journal_failed_ && now - last_rewrite_ < std::chrono::seconds(1)) return;
  absl::Status written = journal_failed_ ? absl::OkStatus() : journal_->Append(ids);
  if (journal_failed_ || !written.ok() || journal_->Full()) {
    last_rewrite_ = now;
    written = journal_->Rewrite(stored_order_);
  }
  if (!written.ok() && !journal_failed_) {
    LogWarn(
        "cannot write the event ids to their journal; resends after a restart may be stored twice",
        {{"path", journal_->path()}, {"error", std::string(written.message())}});
  }
  journal_failed_ = !written.ok();
}

}  // namespace mayak
