// Every file operation of the storage engine goes through Env, as in LevelDB:
// the POSIX implementation serves the server, and tests wrap it to inject
// faults (a full disk, a failing fsync) without touching the real disk's
// behaviour. Errors are statuses: ResourceExhausted for a full disk (ENOSPC,
// EDQUOT), Unavailable for other I/O errors, NotFound for a missing file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mayak {

// A file open for appending. Not thread-safe: one owner at a time.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual absl::Status Append(std::string_view data) = 0;
  // Makes everything appended so far durable (fdatasync).
  virtual absl::Status Sync() = 0;
  // Cuts the file to `size` bytes and continues appending from there.
  virtual absl::Status Truncate(uint64_t size) = 0;
  virtual uint64_t Size() const = 0;
  virtual const std::string& path() const = 0;
};

// A file open for reading at any offset (pread). Thread-safe.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads exactly `n` bytes at `offset` into `out`; reading past the end is
  // a DataLoss error (the file is shorter than its metadata says).
  virtual absl::Status Read(uint64_t offset, size_t n, std::string* out) const = 0;
  virtual uint64_t Size() const = 0;
  virtual const std::string& path() const = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX Env.
  static Env* Default();

  // Creates (or truncates) `path` for appending.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) = 0;
  virtual absl::StatusOr<std::string> ReadFile(const std::string& path) = 0;
  virtual absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  virtual absl::Status TruncateFile(const std::string& path, uint64_t size) = 0;
  virtual absl::Status RemoveFile(const std::string& path) = 0;
  // Removes an empty directory.
  virtual absl::Status RemoveDir(const std::string& dir) = 0;
  virtual absl::Status RenameFile(const std::string& from, const std::string& to) = 0;
  // Makes the directory's entries (new, renamed, removed files) durable.
  virtual absl::Status SyncDir(const std::string& dir) = 0;
  virtual absl::Status CreateDirs(const std::string& dir) = 0;
  // Names (not paths) of the entries of `dir`, unsorted; empty if it is missing.
  virtual std::vector<std::string> ListDir(const std::string& dir) = 0;
  virtual absl::StatusOr<uint64_t> FileSize(const std::string& path) = 0;
};

// Replaces `path` with `data` so that a crash leaves the old file or the new
// one, never a mix: writes PATH.tmp, fsyncs it, renames it over `path` and
// fsyncs the directory. On failure the temporary file is removed.
// `renamed`, if given, says whether the rename was done: a failure after it
// (the directory's fsync) may leave the new file in place, or not.
absl::Status WriteFileAtomically(Env* env, const std::string& path, std::string_view data,
                                 bool* renamed = nullptr);

// The status for a failed system call: `what` and `path` with strerror(err).
absl::Status IoError(std::string_view what, const std::string& path, int err);

}  // namespace mayak
