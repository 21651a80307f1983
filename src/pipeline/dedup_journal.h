// The event ids a DedupLogStore has stored, on disk, so that its window
// survives a restart and a crash of the server: a resend after the server
// was killed between storing a batch and answering it is still known.
//
// The file holds 64-bit id hashes, oldest first, appended as batches are
// stored: written, not fsynced, so a killed process loses none, and a power
// cut may lose the newest (which means a duplicate, never a lost record).
// When it holds twice the window, it is rewritten with the window alone
// (a new file, fsynced, renamed over the old).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/env.h"

namespace mayak {

class DedupJournal {
 public:
  // Reads `path` (missing: none), keeps its newest `window` ids and starts
  // the file anew with them. A torn last id (a crash while writing) is
  // dropped.
  static absl::StatusOr<std::unique_ptr<DedupJournal>> Open(Env* env, std::string path,
                                                            size_t window);

  // The ids the file held, oldest first (at most the window).
  const std::vector<uint64_t>& loaded() const { return loaded_; }
  // Frees `loaded()` once the store took them.
  void ReleaseLoaded() { std::vector<uint64_t>().swap(loaded_); }

  absl::Status Append(const std::vector<uint64_t>& ids);
  // Whether the file holds twice the window: time to Rewrite.
  bool Full() const { return entries_ >= 2 * window_; }
  // Starts the file anew with `window` (the ids the store keeps, oldest first).
  absl::Status Rewrite(const std::deque<uint64_t>& window);

  const std::string& path() const { return path_; }

 private:
  DedupJournal(Env* env, std::string path, size_t window)
      : env_(env), path_(std::move(path)), window_(window) {}

  template <typename Ids>
  absl::Status Replace(const Ids& ids);

  Env* const env_;
  const std::string path_;
  const size_t window_;
  std::unique_ptr<WritableFile> file_;
  size_t entries_ = 0;  // ids in the file
  std::vector<uint64_t> loaded_;
};

}  // namespace mayak
