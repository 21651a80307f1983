#include "storage/fault_injection_env.h"

#include <cerrno>

#include "common/status_macros.h"

namespace mayak {
namespace {

class FaultyFile final : public WritableFile {
 public:
  FaultyFile(std::unique_ptr<WritableFile> base, const FaultInjectionEnv* env)
      : base_(std::move(base)), env_(env) {}

  absl::Status Append(std::string_view data) override {
    if (env_->disk_full(base_->path())) return IoError("cannot write", base_->path(), ENOSPC);
    const size_t fits = env_->TakeSpace(data.size());
    if (fits < data.size()) {
      if (fits > 0) RETURN_IF_ERROR(base_->Append(data.substr(0, fits)));
      return IoError("cannot write", base_->path(), ENOSPC);
    }
    return base_->Append(data);
  }
  absl::Status Sync() override {
    env_->WaitWhileSyncPaused(base_->path());
    if (env_->sync_fails(base_->path()) || env_->file_sync_fails(base_->path())) {
      return IoError("cannot fsync", base_->path(), EIO);
    }
    return base_->Sync();
  }
  absl::Status Truncate(uint64_t size) override { return base_->Truncate(size); }
  uint64_t Size() const override { return base_->Size(); }
  const std::string& path() const override { return base_->path(); }

 private:
  std::unique_ptr<WritableFile> base_;
  const FaultInjectionEnv* env_;
};

class FaultyReadFile final : public RandomAccessFile {
 public:
  FaultyReadFile(std::unique_ptr<RandomAccessFile> base, const FaultInjectionEnv* env)
      : base_(std::move(base)), env_(env) {}

  absl::Status Read(uint64_t offset, size_t n, std::string* out) const override {
    if (env_->reads_fail(base_->path())) return IoError("cannot read", base_->path(), EIO);
    return base_->Read(offset, n, out);
  }
  uint64_t Size() const override { return base_->Size(); }
  const std::string& path() const override { return base_->path(); }

 private:
  std::unique_ptr<RandomAccessFile> base_;
  const FaultInjectionEnv* env_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<RandomAccessFile>> FaultInjectionEnv::NewRandomAccessFile(
    const std::string& path) {
  auto file = base_->NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  return std::unique_ptr<RandomAccessFile>(new FaultyReadFile(*std::move(file), this));
}

absl::StatusOr<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewWritableFile(
    const std::string& path) {
  if (disk_full(path)) return IoError("cannot create", path, ENOSPC);
  auto file = base_->NewWritableFile(path);
  if (!file.ok()) return file.status();
  return std::unique_ptr<WritableFile>(new FaultyFile(*std::move(file), this));
}

absl::Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  if (sync_fails(dir + "/") || dir_sync_fails(dir)) {
    return IoError("cannot sync directory", dir, EIO);
  }
  return base_->SyncDir(dir);
}

}  // namespace mayak
