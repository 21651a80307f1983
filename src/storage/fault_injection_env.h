// An Env that passes through to another and fails on command: writes as if
// the disk were full, fsyncs and reads with EIO. Tests use it to check that a failing
// disk loses nothing acknowledged and that storage recovers when the fault
// clears.
#pragma once

#include <algorithm>
#include <atomic>
#include <climits>
#include <string>

#include "absl/synchronization/mutex.h"
#include "storage/env.h"

namespace mayak {

class FaultInjectionEnv final : public Env {
 public:
  explicit FaultInjectionEnv(Env* base) : base_(base) {}

  // While set, appends fail with ENOSPC (nothing is written).
  void SetDiskFull(bool full) { disk_full_ = full; }
  // The disk fills after `bytes` more (negative: never): the append that
  // crosses it writes what fits, then fails with ENOSPC, as write(2) does.
  void SetSpaceLeft(int64_t bytes) {
    absl::MutexLock lock(&mu_);
    space_left_ = bytes;
  }
  // How much of an append of `n` bytes fits, taken from the space left.
  size_t TakeSpace(size_t n) const {
    absl::MutexLock lock(&mu_);
    if (space_left_ < 0) return n;
    const size_t fits = std::min(n, static_cast<size_t>(space_left_));
    space_left_ -= static_cast<int64_t>(fits);
    return fits;
  }
  // While set, syncs of files and directories fail with EIO.
  void SetSyncFails(bool fails) { sync_fails_ = fails; }
  // The next `times` syncs of exactly this directory fail with EIO (empty:
  // none), such as the data directory's after a MANIFEST is renamed into
  // place.
  void SetDirSyncFails(std::string dir, int times = INT_MAX) {
    absl::MutexLock lock(&mu_);
    dir_syncs_ = {std::move(dir), /*exact=*/true, /*successes=*/0, times};
  }
  bool dir_sync_fails(const std::string& dir) const {
    absl::MutexLock lock(&mu_);
    return dir_syncs_.Fails(dir);
  }
  // Syncs of files whose path contains `part` fail with EIO after the next
  // `successes` of them (empty `part`: none), e.g. a second MANIFEST.tmp.
  void SetFileSyncFails(std::string part, int successes) {
    absl::MutexLock lock(&mu_);
    file_syncs_ = {std::move(part), /*exact=*/false, successes, INT_MAX};
  }
  bool file_sync_fails(const std::string& path) const {
    absl::MutexLock lock(&mu_);
    return file_syncs_.Fails(path);
  }
  // While set, reads of files opened for random access (segments) fail
  // with EIO: a failing disk, not damaged bytes.
  void SetReadsFail(bool fails) { reads_fail_ = fails; }
  // While set, syncs of files wait until it is cleared (a slow disk: a
  // test can hold a flush in the middle).
  void SetSyncPaused(bool paused) {
    absl::MutexLock lock(&mu_);
    sync_paused_ = paused;
  }
  void WaitWhileSyncPaused(const std::string& path) const {
    absl::MutexLock lock(&mu_);
    if (path.find(faulty_paths_) == std::string::npos) return;
    ++paused_syncs_;
    mu_.Await(absl::Condition(
        +[](const bool* paused) { return !*paused; }, &sync_paused_));
    --paused_syncs_;
  }
  // Syncs waiting in WaitWhileSyncPaused now.
  int paused_syncs() const {
    absl::MutexLock lock(&mu_);
    return paused_syncs_;
  }
  // Limits the faults to paths containing `part` (empty: every path), e.g.
  // "/logs/" to fail segment writes while the WAL works.
  void SetFaultyPaths(std::string part) {
    absl::MutexLock lock(&mu_);
    faulty_paths_ = std::move(part);
  }
  bool disk_full(const std::string& path) const { return disk_full_ && Faulty(path); }
  bool sync_fails(const std::string& path) const { return sync_fails_ && Faulty(path); }
  bool reads_fail(const std::string& path) const { return reads_fail_ && Faulty(path); }

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  absl::StatusOr<std::string> ReadFile(const std::string& path) override {
    return base_->ReadFile(path);
  }
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override;
  absl::Status TruncateFile(const std::string& path, uint64_t size) override {
    return base_->TruncateFile(path, size);
  }
  absl::Status RemoveFile(const std::string& path) override { return base_->RemoveFile(path); }
  absl::Status RemoveDir(const std::string& dir) override { return base_->RemoveDir(dir); }
  absl::Status RenameFile(const std::string& from, const std::string& to) override {
    return base_->RenameFile(from, to);
  }
  absl::Status SyncDir(const std::string& dir) override;
  absl::Status CreateDirs(const std::string& dir) override { return base_->CreateDirs(dir); }
  std::vector<std::string> ListDir(const std::string& dir) override { return base_->ListDir(dir); }
  absl::StatusOr<uint64_t> FileSize(const std::string& path) override {
    return base_->FileSize(path);
  }

 private:
  // Calls on the paths `part` names (the path itself, or any containing it)
  // succeed `successes` times, then fail `failures` times.
  struct CountedFault {
    std::string part;  // empty: none
    bool exact = false;
    int successes = 0;
    int failures = 0;
    bool Fails(const std::string& path) {
      if (part.empty() || (exact ? path != part : path.find(part) == std::string::npos)) {
        return false;
      }
      if (successes > 0) {
        --successes;
        return false;
      }
      if (failures == 0) return false;
      --failures;
      return true;
    }
  };

  bool Faulty(const std::string& path) const {
    absl::MutexLock lock(&mu_);
    return path.find(faulty_paths_) != std::string::npos;
  }

  Env* base_;
  mutable absl::Mutex mu_;
  std::string faulty_paths_ ABSL_GUARDED_BY(mu_);
  mutable CountedFault dir_syncs_ ABSL_GUARDED_BY(mu_);
  mutable CountedFault file_syncs_ ABSL_GUARDED_BY(mu_);
  mutable int64_t space_left_ ABSL_GUARDED_BY(mu_) = -1;
  bool sync_paused_ ABSL_GUARDED_BY(mu_) = false;
  mutable int paused_syncs_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<bool> disk_full_{false};
  std::atomic<bool> sync_fails_{false};
  std::atomic<bool> reads_fail_{false};
};

}  // namespace mayak
