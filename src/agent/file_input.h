// A file input of the agent: matches its globs, keeps every matched file
// open as a FileSource, and follows files through rotation:
//   renamed away     the open descriptor is read to the end, then closed
//                    once idle for close_inactive;
//   copytruncate     what was not read yet is read from the copy (a file of
//                    the same fingerprint beside it, app.log.1), then the
//                    truncated file is read again from its start;
//   deleted          as renamed: read to the end, then closed;
//   inode reused     a different fingerprint: a new file;
//   rotated while the agent was down: found beside its old path by its
//                    fingerprint and read on from the registry's offset.
// Where to start in a file comes from the registry (acknowledged offsets).
// Used by the agent's reader thread only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "agent/agent_config.h"
#include "agent/batch_queue.h"
#include "agent/event_encoder.h"
#include "agent/file_registry.h"
#include "agent/file_source.h"
#include "agent/multiline.h"

namespace mayak::agent {

// Per-file lag and counts, for /metrics.
struct FileLag {
  std::string input;
  std::string path;
  int64_t size = 0;
  int64_t read_offset = 0;
};

class FileInput {
 public:
  static absl::StatusOr<std::unique_ptr<FileInput>> Create(const FileInputConfig& config,
                                                           const OutputConfig& output,
                                                           FileRegistry* registry);

  // Matches the globs: opens new files, notices renamed and deleted ones.
  // `first` for the agent's first scan (start_at: end applies to it).
  // Returns how many files it opened (each now in the registry).
  size_t Scan(bool first);
  // Reads from every open file while the queue has room, at most
  // `budget` bytes each. Returns the bytes read.
  size_t Read(size_t budget, int64_t now_ns, BatchQueue* queue);
  // Multiline events that waited their timeout are queued; rotated files
  // idle for close_inactive are closed.
  void Tick(int64_t now_ns, BatchQueue* queue);
  // Queues every event being grouped (at shutdown).
  void FlushAll(int64_t now_ns, BatchQueue* queue);

  bool HasOpen(uint64_t fingerprint) const { return by_fingerprint_.contains(fingerprint); }
  std::vector<FileLag> Lags() const;
  const std::string& name() const { return config_.name; }
  size_t open_files() const { return sources_.size(); }

 private:
  FileInput(FileInputConfig config, FileRegistry* registry, std::unique_ptr<EventEncoder> encoder)
      : config_(std::move(config)), registry_(registry), encoder_(std::move(encoder)) {}

  std::vector<std::string> MatchedPaths() const;
  // Opens `path` unless it is open, unreadable or empty; whether it did.
  bool Open(const std::string& path, bool first);
  // copytruncate: the copy of `source`'s file beside it, if there is one
  // with at least what was read. Switches the source to it.
  bool SwitchToRotatedCopy(FileSource* source);
  void Close(FileSource* source, int64_t now_ns, BatchQueue* queue);
  // At the first scan: files of the registry rotated away while the agent
  // was not running (renamed, or copied and truncated) and not read to
  // their end are found beside their old path and read from their offset.
  void ResumeRotated();

  const FileInputConfig config_;
  FileRegistry* registry_;
  std::unique_ptr<EventEncoder> encoder_;
  std::vector<std::unique_ptr<FileSource>> sources_;
  absl::flat_hash_map<uint64_t, FileSource*> by_fingerprint_;
  std::map<std::pair<dev_t, ino_t>, FileSource*> by_inode_;
  std::vector<FileSource*> to_close_;
  std::set<std::string> unreadable_;  // matched paths that could not be opened (warned once)
};

}  // namespace mayak::agent
