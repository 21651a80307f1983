// An Env that passes through to another and fails on command: writes as if
// the disk were full, fsyncs with EIO. Tests use it to check that a failing
// disk loses nothing acknowledged and that storage recovers when the fault
// clears.
#pragma once

#include <atomic>
#include <string>

#include "absl/synchronization/mutex.h"
#include "storage/env.h"

namespace mayak {

class FaultInjectionEnv final : public Env {
 public:
  explicit FaultInjectionEnv(Env* base) : base_(base) {}

  // While set, appends fail with ENOSPC (nothing is written).
  void SetDiskFull(bool full) { disk_full_ = full; }
  // While set, syncs of files and directories fail with EIO.
  void SetSyncFails(bool fails) { sync_fails_ = fails; }
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

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  absl::StatusOr<std::string> ReadFile(const std::string& path) override {
    return base_->ReadFile(path);
  }
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    return base_->NewRandomAccessFile(path);
  }
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
  bool Faulty(const std::string& path) const {
    absl::MutexLock lock(&mu_);
    return path.find(faulty_paths_) != std::string::npos;
  }

  Env* base_;
  mutable absl::Mutex mu_;
  std::string faulty_paths_ ABSL_GUARDED_BY(mu_);
  bool sync_paused_ ABSL_GUARDED_BY(mu_) = false;
  mutable int paused_syncs_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<bool> disk_full_{false};
  std::atomic<bool> sync_fails_{false};
};

}  // namespace mayak
