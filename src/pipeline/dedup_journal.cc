#include "pipeline/dedup_journal.h"

#include "common/status_macros.h"
#include "common/strings.h"
#include "storage/coding.h"

namespace mayak {
namespace {

std::string Encode(const uint64_t* ids, size_t count) {
  std::string out;
  out.reserve(count * 8);
  for (size_t i = 0; i < count; ++i) PutFixed64(&out, ids[i]);
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<DedupJournal>> DedupJournal::Open(Env* env, std::string path,
                                                                 size_t window) {
  auto journal = std::unique_ptr<DedupJournal>(new DedupJournal(env, std::move(path), window));
  std::string text;
  if (env->FileSize(journal->path_).ok()) {
    ASSIGN_OR_RETURN(text, env->ReadFile(journal->path_));
  }
  const size_t count = text.size() / 8;  // a torn last id is left out
  const size_t first = count > window ? count - window : 0;
  journal->loaded_.reserve(count - first);
  ByteReader reader(std::string_view(text).substr(first * 8, (count - first) * 8));
  uint64_t id = 0;
  while (reader.Fixed64(&id)) journal->loaded_.push_back(id);
  RETURN_IF_ERROR(journal->Replace(journal->loaded_));
  return journal;
}

template <typename Ids>
absl::Status DedupJournal::Replace(const Ids& ids) {
  const std::string fresh = StrCat(path_, ".new");
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env_->NewWritableFile(fresh));
  absl::Status written;
  std::string chunk;
  for (auto it = ids.begin(); written.ok() && it != ids.end();) {
    chunk.clear();
    for (size_t n = 0; n < 8192 && it != ids.end(); ++n, ++it) PutFixed64(&chunk, *it);
    written = file->Append(chunk);
  }
  if (written.ok()) written = file->Sync();
  if (written.ok()) written = env_->RenameFile(fresh, path_);
  if (!written.ok()) {
    // What it wrote would take a full disk's last bytes from the WAL.
    if (!env_->RemoveFile(fresh).ok()) {
      // Gone already; the next rewrite truncates it anyway.
    }
    return written;
  }
  const size_t slash = path_.rfind('/');
  RETURN_IF_ERROR(env_->SyncDir(slash == std::string::npos ? "." : path_.substr(0, slash)));
  // Appends go on in the renamed file.
  file_ = std::move(file);
  entries_ = ids.size();
  return absl::OkStatus();
}

absl::Status DedupJournal::Append(const std::vector<uint64_t>& ids) {
  if (ids.empty()) return absl::OkStatus();
  if (file_ == nullptr) return absl::FailedPreconditionError(StrCat(path_, " is not open"));
  if (absl::Status written = file_->Append(Encode(ids.data(), ids.size())); !written.ok()) {
    // A write cut short (the disk filled) must not stay: every id after it
    // would be read shifted by its bytes. Without the cut, the file is
    // given up until Rewrite makes a new one.
    if (!file_->Truncate(entries_ * 8).ok()) file_.reset();
    return written;
  }
  entries_ += ids.size();
  return absl::OkStatus();
}

absl::Status DedupJournal::Rewrite(const std::deque<uint64_t>& window) { return Replace(window); }

}  // namespace mayak
