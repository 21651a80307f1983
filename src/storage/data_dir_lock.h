// Keeps two servers from using one data directory: an flock on DIR/LOCK,
// released when the process exits, however it exits.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace mayak {

class DataDirLock {
 public:
  // Creates `dir` if needed. Fails with the other holder's pid if locked.
  static absl::StatusOr<std::unique_ptr<DataDirLock>> Acquire(const std::string& dir);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace mayak
