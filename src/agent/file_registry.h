// The agent's registry: for each file it reads (by fingerprint), the offset
// up to which the server has acknowledged its events. It advances only after
// an acknowledgement, and is saved atomically (a new file, fsynced, renamed
// over the old), so after a crash the agent resumes at or before the first
// event the server never confirmed: at least once, never a gap.
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace mayak::agent {

struct RegistryEntry {
  std::string path;        // where the file was last seen
  int64_t offset = 0;      // bytes acknowledged
  int64_t updated_ns = 0;  // when `offset` last moved
};

class FileRegistry {
 public:
  // Loads `dir`/registry.json if it exists. A damaged registry is an error
  // naming the file: the agent does not guess where to resume.
  static absl::StatusOr<std::unique_ptr<FileRegistry>> Open(const std::string& dir);

  std::optional<RegistryEntry> Find(uint64_t fingerprint) const;
  // Every entry, by fingerprint (a copy).
  std::vector<std::pair<uint64_t, RegistryEntry>> Entries() const;

  // Records that the server acknowledged the file's events up to `offset`
  // (never moves an offset back).
  void Advance(uint64_t fingerprint, const std::string& path, int64_t offset, int64_t now_ns);

  // Drops entries not advanced since `cutoff_ns` whose fingerprint
  // `in_use` says no open file has.
  template <typename InUse>
  size_t Prune(int64_t cutoff_ns, InUse in_use) {
    absl::MutexLock lock(&mu_);
    size_t dropped = 0;
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second.updated_ns < cutoff_ns && !in_use(it->first)) {
        entries_.erase(it++);
        ++dropped;
        dirty_ = true;
      } else {
        ++it;
      }
    }
    return dropped;
  }

  // Writes the registry if it changed since the last save.
  absl::Status Save();

  size_t size() const;
  const std::string& path() const { return path_; }

 private:
  explicit FileRegistry(std::string path) : path_(std::move(path)) {}

  const std::string path_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, RegistryEntry> entries_ ABSL_GUARDED_BY(mu_);
  bool dirty_ ABSL_GUARDED_BY(mu_) = false;
  absl::Mutex save_mu_;  // one save at a time
};

}  // namespace mayak::agent
