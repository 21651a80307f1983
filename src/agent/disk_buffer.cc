#include "agent/disk_buffer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "common/logging.h"
#include "common/strings.h"
#include "storage/coding.h"
#include "storage/env.h"

namespace mayak::agent {
namespace {

// "MAYAKBF1" (version 1); the CRC-32 of what follows; then the batch, its
// numbers as 64-bit little-endian fields.
constexpr std::string_view kMagic = "MAYAKBF1";

}  // namespace

std::string EncodeBufferedBatch(const Batch& batch) {
  std::string payload;
  PutFixed64(&payload, batch.files.size());
  for (const auto& [fingerprint, progress] : batch.files) {
    PutFixed64(&payload, fingerprint);
    PutFixed64(&payload, static_cast<uint64_t>(progress.end_offset));
    PutFixed64(&payload, progress.path.size());
    payload.append(progress.path);
  }
  PutFixed64(&payload, batch.event_starts.size());
  for (uint32_t start : batch.event_starts) PutFixed64(&payload, start);
  PutFixed64(&payload, batch.body.size());
  payload.append(batch.body);
  std::string out(kMagic);
  PutFixed64(&out, Crc32(payload));
  out.append(payload);
  return out;
}

absl::StatusOr<Batch> DecodeBufferedBatch(std::string_view data) {
  const auto damaged = [](std::string_view what) {
    return absl::DataLossError(StrCat("damaged buffered batch: ", what));
  };
  if (data.substr(0, kMagic.size()) != kMagic) return damaged("not a buffered batch");
  data.remove_prefix(kMagic.size());
  ByteReader in(data);
  uint64_t crc = 0;
  if (!in.Fixed64(&crc)) return damaged("cut short");
  if (crc != Crc32(data.substr(8))) return damaged("checksum mismatch");
  Batch batch;
  uint64_t files = 0;
  if (!in.Fixed64(&files)) return damaged("cut short");
  for (uint64_t i = 0; i < files; ++i) {
    uint64_t fingerprint = 0, end = 0, length = 0;
    std::string_view path;
    if (!in.Fixed64(&fingerprint) || !in.Fixed64(&end) || !in.Fixed64(&length) ||
        !in.Bytes(length, &path)) {
      return damaged("cut short");
    }
    batch.files[fingerprint] = {std::string(path), static_cast<int64_t>(end)};
  }
  uint64_t events = 0;
  if (!in.Fixed64(&events) || events > in.remaining() / 8) return damaged("cut short");
  for (uint64_t i = 0; i < events; ++i) {
    uint64_t start = 0;
    if (!in.Fixed64(&start)) return damaged("cut short");
    batch.event_starts.push_back(static_cast<uint32_t>(start));
  }
  uint64_t length = 0;
  std::string_view body;
  if (!in.Fixed64(&length) || !in.Bytes(length, &body) || !in.AtEnd()) {
    return damaged("cut short");
  }
  batch.body = std::string(body);
  for (size_t i = 0; i < batch.event_starts.size(); ++i) {
    const uint64_t end =
        i + 1 < batch.event_starts.size() ? batch.event_starts[i + 1] : body.size();
    if (batch.event_starts[i] > end || end > body.size()) return damaged("events out of order");
  }
  return batch;
}

absl::StatusOr<std::unique_ptr<DiskBuffer>> DiskBuffer::Open(const std::string& dir,
                                                             uint64_t max_bytes) {
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return absl::PermissionDeniedError(
        StrCat("cannot create the agent's disk buffer ", dir, ": ", std::strerror(errno)));
  }
  std::unique_ptr<DiskBuffer> buffer(new DiskBuffer(dir, max_bytes));
  DIR* listing = opendir(dir.c_str());
  if (listing == nullptr) {
    return absl::PermissionDeniedError(StrCat("cannot read ", dir, ": ", std::strerror(errno)));
  }
  std::vector<File> found;
  while (dirent* entry = readdir(listing)) {
    const std::string_view name = entry->d_name;
    uint64_t sequence = 0;
    uint64_t events = 0;
    const size_t end = name.size() > 6 ? name.size() - 6 : 0;
    if (name.size() < 28 || name[20] != '-' || name.substr(end) != ".batch" ||
        !ParseInt(name.substr(0, 20), &sequence) || !ParseInt(name.substr(21, end - 21), &events)) {
      if (name.size() > 4 && name.substr(name.size() - 4) == ".tmp") {
        unlink(StrCat(dir, "/", name).c_str());  // a write a crash cut short
      }
      continue;
    }
    struct stat st;
    if (stat(StrCat(dir, "/", name).c_str(), &st) != 0) continue;
    found.push_back({sequence, static_cast<uint64_t>(st.st_size), events});
  }
  closedir(listing);
  std::sort(found.begin(), found.end(),
            [](const File& a, const File& b) { return a.sequence < b.sequence; });
  for (const File& file : found) {
    buffer->files_.push_back(file);
    buffer->bytes_ += file.bytes;
    buffer->events_ += file.events;
    buffer->next_sequence_ = file.sequence + 1;
  }
  return buffer;
}

std::string DiskBuffer::PathOf(const File& file) const {
  std::string digits = StrCat(file.sequence);
  return StrCat(dir_, "/", std::string(20 - digits.size(), '0'), digits, "-", file.events,
                ".batch");
}

bool DiskBuffer::HasRoom(const Batch& batch) const {
  return bytes_ + batch.body.size() + 64 * (batch.files.size() + batch.events()) <= max_bytes_;
}

absl::Status DiskBuffer::Write(const Batch& batch) {
  const std::string data = EncodeBufferedBatch(batch);
  const File file{next_sequence_, data.size(), batch.events()};
  if (absl::Status written = WriteFileAtomically(Env::Default(), PathOf(file), data);
      !written.ok()) {
    return written;
  }
  ++next_sequence_;
  files_.push_back(file);
  bytes_ += file.bytes;
  events_ += file.events;
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Batch>> DiskBuffer::Oldest() {
  while (!files_.empty()) {
    const std::string path = PathOf(files_.front());
    absl::StatusOr<std::string> data = Env::Default()->ReadFile(path);
    absl::StatusOr<Batch> batch = data.ok() ? DecodeBufferedBatch(*data) : data.status();
    if (batch.ok()) return std::optional<Batch>(*std::move(batch));
    LogError("agent: a buffered batch is damaged; set aside, not sent",
             {{"file", path}, {"error", std::string(batch.status().message())}});
    rename(path.c_str(), StrCat(path, ".bad").c_str());
    bytes_ -= files_.front().bytes;
    events_ -= files_.front().events;
    files_.pop_front();
  }
  return std::optional<Batch>();
}

absl::Status DiskBuffer::RemoveOldest() {
  if (files_.empty()) return absl::OkStatus();
  const std::string path = PathOf(files_.front());
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return absl::InternalError(StrCat("cannot delete ", path, ": ", std::strerror(errno)));
  }
  bytes_ -= files_.front().bytes;
  events_ -= files_.front().events;
  files_.pop_front();
  return absl::OkStatus();
}

}  // namespace mayak::agent
