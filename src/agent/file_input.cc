#include "agent/file_input.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "absl/time/clock.h"
#include "agent/file_fingerprint.h"
#include "common/logging.h"
#include "common/strings.h"

namespace mayak::agent {

absl::StatusOr<std::unique_ptr<FileInput>> FileInput::Create(const FileInputConfig& config,
                                                             const OutputConfig& output,
                                                             FileRegistry* registry) {
  auto parser = MakeLineParser(config);
  if (!parser.ok()) return parser.status();
  // Checked here once, so that opening a file cannot fail on it.
  auto grouper = MultilineGrouper::Create(config.multiline, config.max_line_bytes);
  if (!grouper.ok()) return grouper.status();
  auto encoder = std::make_unique<EventEncoder>(config.fields, output, *std::move(parser));
  return std::unique_ptr<FileInput>(new FileInput(config, registry, std::move(encoder)));
}

std::vector<std::string> FileInput::MatchedPaths() const {
  std::set<std::string> paths;
  for (const std::string& pattern : config_.paths) {
    glob_t matches{};
    if (glob(pattern.c_str(), GLOB_NOSORT, nullptr, &matches) == 0) {
      for (size_t i = 0; i < matches.gl_pathc; ++i) paths.insert(matches.gl_pathv[i]);
    }
    globfree(&matches);
  }
  std::vector<std::string> out;
  for (const std::string& path : paths) {
    bool excluded = false;
    for (const std::string& pattern : config_.exclude) {
      if (fnmatch(pattern.c_str(), path.c_str(), 0) == 0) excluded = true;
    }
    if (!excluded) out.push_back(path);
  }
  return out;
}

size_t FileInput::Scan(bool first) {
  size_t opened = 0;
  // Which open files are still where they were.
  for (auto& source : sources_) {
    struct stat st;
    if (!source->detached &&
        (stat(source->path().c_str(), &st) != 0 || st.st_dev != source->identity().device ||
         st.st_ino != source->identity().inode)) {
      source->detached = true;
    }
  }
  for (const std::string& path : MatchedPaths()) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    auto known = by_inode_.find({st.st_dev, st.st_ino});
    if (known != by_inode_.end()) {
      FileSource* source = known->second;
      if (source->path() != path) {
        // Renamed to another matched name: still the same file, still read.
        source->set_path(path);
      }
      source->detached = false;
      continue;
    }
    if (Open(path, first)) ++opened;
  }
  if (first) ResumeRotated();
  return opened;
}

bool FileInput::Open(const std::string& path, bool first) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    // Once a path: the next scans try again, quietly.
    if (unreadable_.insert(path).second) {
      LogWarn("agent: cannot open a matched file (is it readable by the agent's user?)",
              {{"input", config_.name}, {"path", path}, {"error", std::strerror(errno)}});
    }
    return false;
  }
  unreadable_.erase(path);
  struct stat st;
  auto fingerprint = FingerprintOf(fd);
  if (fstat(fd, &st) != 0 || !fingerprint.ok() || !fingerprint->has_value()) {
    close(fd);  // not readable yet, or no first line yet: next scan
    return false;
  }
  const uint64_t fp = **fingerprint;
  if (by_fingerprint_.contains(fp)) {
    close(fd);  // the same content as an open file: a copy or a link of it
    return false;
  }
  int64_t offset = 0;
  if (std::optional<RegistryEntry> entry = registry_->Find(fp)) {
    offset = entry->offset <= st.st_size ? entry->offset : 0;
  } else if (config_.start_at_end && first) {
    offset = st.st_size;
  }
  auto grouper = MultilineGrouper::Create(config_.multiline, config_.max_line_bytes);
  auto source =
      std::make_unique<FileSource>(fd, path, FileIdentity{fp, st.st_dev, st.st_ino}, offset,
                                   config_.max_line_bytes, *std::move(grouper), encoder_.get());
  LogInfo("agent: reading a file", {{"input", config_.name},
                                    {"path", path},
                                    {"fingerprint", FingerprintHex(fp)},
                                    {"offset", offset}});
  by_fingerprint_[fp] = source.get();
  by_inode_[{st.st_dev, st.st_ino}] = source.get();
  sources_.push_back(std::move(source));
  // Known from now on, even before anything of it is acknowledged: if it is
  // rotated away while the agent is down, the next start still finds it.
  registry_->Advance(fp, path, offset, absl::GetCurrentTimeNanos());
  return true;
}

namespace {

struct RotatedFile {
  int fd = -1;
  std::string path;
  struct stat st {};
};

// A file beside `path` whose name begins with its name (app.log.1,
// app.log-20261207: where logrotate puts it) with the fingerprint
// `fingerprint` and more than `min_size` bytes; its descriptor is the
// caller's.
std::optional<RotatedFile> FindRotated(const std::string& path, uint64_t fingerprint,
                                       int64_t min_size) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  DIR* listing = opendir(dir.c_str());
  if (listing == nullptr) return std::nullopt;
  std::optional<RotatedFile> found;
  while (dirent* entry = readdir(listing)) {
    const std::string_view name = entry->d_name;
    if (name == base || name.rfind(base, 0) != 0) continue;
    RotatedFile candidate;
    candidate.path = StrCat(dir, "/", name);
    candidate.fd = open(candidate.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (candidate.fd < 0) continue;
    auto fp = FingerprintOf(candidate.fd);
    if (fstat(candidate.fd, &candidate.st) == 0 && candidate.st.st_size > min_size && fp.ok() &&
        *fp == fingerprint) {
      found = std::move(candidate);
      break;
    }
    close(candidate.fd);
  }
  closedir(listing);
  return found;
}

}  // namespace

bool FileInput::SwitchToRotatedCopy(FileSource* source) {
  std::optional<RotatedFile> copy =
      FindRotated(source->path(), source->identity().fingerprint, source->read_offset() - 1);
  if (!copy) return false;
  LogInfo("agent: file truncated (copytruncate); reading the rest from its copy",
          {{"input", config_.name}, {"path", source->path()}, {"copy", copy->path}});
  by_inode_.erase({source->identity().device, source->identity().inode});
  source->SwitchTo(copy->fd, copy->path);
  return true;
}

void FileInput::ResumeRotated() {
  for (const auto& [fingerprint, entry] : registry_->Entries()) {
    if (by_fingerprint_.contains(fingerprint)) continue;
    bool ours = false;
    for (const std::string& pattern : config_.paths) {
      if (fnmatch(pattern.c_str(), entry.path.c_str(), FNM_PATHNAME) == 0) ours = true;
    }
    if (!ours) continue;
    std::optional<RotatedFile> rotated = FindRotated(entry.path, fingerprint, entry.offset);
    if (!rotated) continue;
    LogInfo("agent: a file was rotated while the agent was away; reading the rest of it",
            {{"input", config_.name},
             {"path", entry.path},
             {"rotated_to", rotated->path},
             {"offset", entry.offset}});
    auto grouper = MultilineGrouper::Create(config_.multiline, config_.max_line_bytes);
    auto source = std::make_unique<FileSource>(
        rotated->fd, rotated->path,
        FileIdentity{fingerprint, rotated->st.st_dev, rotated->st.st_ino}, entry.offset,
        config_.max_line_bytes, *std::move(grouper), encoder_.get());
    source->detached = true;
    by_fingerprint_[fingerprint] = source.get();
    sources_.push_back(std::move(source));
  }
}

size_t FileInput::Read(size_t budget, int64_t now_ns, BatchQueue* queue) {
  size_t total = 0;
  for (auto& owned : sources_) {
    FileSource* source = owned.get();
    if (!queue->HasRoom()) break;
    const int64_t before = source->read_offset();
    auto outcome = source->Read(budget, now_ns, queue);
    if (!outcome.ok()) {
      LogWarn("agent: read failed", {{"input", config_.name},
                                     {"path", source->path()},
                                     {"error", std::string(outcome.status().message())}});
      continue;
    }
    if (*outcome == FileSource::ReadOutcome::kTruncated) {
      if (SwitchToRotatedCopy(source)) continue;
      LogInfo("agent: file truncated; reading it again from the start",
              {{"input", config_.name}, {"path", source->path()}});
      // What was read of the old content still goes; the file, with new
      // content (and so a new fingerprint), is opened again by the next scan.
      source->detached = true;
      to_close_.push_back(source);
      continue;
    }
    total += static_cast<size_t>(source->read_offset() - before);
  }
  for (FileSource* source : to_close_) Close(source, now_ns, queue);
  to_close_.clear();
  return total;
}

void FileInput::Tick(int64_t now_ns, BatchQueue* queue) {
  for (auto& source : sources_) {
    const bool idle = now_ns - source->last_read_ns() >= config_.multiline.timeout_ns;
    if (source->grouping() && idle) source->Flush(now_ns, false, queue);
    if (source->detached && now_ns - source->last_read_ns() >= config_.close_inactive_ns) {
      struct stat st;
      // Finished only when everything the descriptor holds was read.
      if (fstat(source->fd(), &st) == 0 && st.st_size <= source->read_offset()) {
        to_close_.push_back(source.get());
      }
    }
  }
  for (FileSource* source : to_close_) Close(source, now_ns, queue);
  to_close_.clear();
}

void FileInput::Close(FileSource* source, int64_t now_ns, BatchQueue* queue) {
  source->Flush(now_ns, /*final=*/true, queue);
  LogInfo("agent: closing a file",
          {{"input", config_.name}, {"path", source->path()}, {"offset", source->read_offset()}});
  by_fingerprint_.erase(source->identity().fingerprint);
  auto inode = by_inode_.find({source->identity().device, source->identity().inode});
  if (inode != by_inode_.end() && inode->second == source) by_inode_.erase(inode);
  std::erase_if(sources_, [source](const auto& s) { return s.get() == source; });
}

void FileInput::FlushAll(int64_t now_ns, BatchQueue* queue) {
  for (auto& source : sources_) source->Flush(now_ns, false, queue);
}

std::vector<FileLag> FileInput::Lags() const {
  std::vector<FileLag> lags;
  for (const auto& source : sources_) {
    struct stat st;
    const int64_t size = fstat(source->fd(), &st) == 0 ? st.st_size : source->read_offset();
    lags.push_back({config_.name, source->path(), size, source->read_offset()});
  }
  return lags;
}

}  // namespace mayak::agent
