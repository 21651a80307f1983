#include "storage/wal_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/status/statusor.h"
#include "common/logging.h"
#include "common/strings.h"

namespace mayak {
namespace {

uint32_t ReadFixed32(const char* p) {
  uint32_t v = 0;
  std::memcpy(&v, p, 4);
  return v;
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InternalError(StrCat("cannot open ", path, ": ", strerror(errno)));
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return absl::InternalError(StrCat("cannot read ", path));
  return data;
}

absl::Status TruncateFile(const std::string& path, uint64_t size) {
  const int fd = ::open(path.c_str(), O_WRONLY);
  if (fd < 0) return absl::InternalError(StrCat("cannot open ", path, ": ", strerror(errno)));
  const bool ok = ::ftruncate(fd, static_cast<off_t>(size)) == 0 && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ::close(fd);
  if (!ok) {
    return absl::InternalError(StrCat("cannot truncate ", path, ": ", strerror(saved_errno)));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<uint64_t> ListWalFiles(const std::string& dir) {
  std::vector<uint64_t> numbers;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const uint64_t n = wal::ParseFileName(entry.path().filename().string());
    if (n > 0) numbers.push_back(n);
  }
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

absl::Status ReplayWal(
    const std::string& dir,
    const std::function<absl::Status(wal::EntryType, std::string_view)>& on_entry,
    WalReplayStats* stats) {
  const std::vector<uint64_t> numbers = ListWalFiles(dir);
  for (size_t i = 0; i < numbers.size(); ++i) {
    const bool newest = i + 1 == numbers.size();
    const std::string path = StrCat(dir, "/", wal::FileName(numbers[i]));
    auto data = ReadWholeFile(path);
    if (!data.ok()) return data.status();
    ++stats->files;
    stats->last_file_number = numbers[i];

    size_t pos = 0;
    std::string problem;
    if (data->size() < wal::kFileHeaderSize ||
        std::string_view(*data).substr(0, wal::kMagic.size()) != wal::kMagic) {
      problem = "missing or incomplete file header";
    } else if (ReadFixed32(data->data() + 8) != wal::kVersion) {
      return absl::FailedPreconditionError(
          StrCat(path, ": WAL version ", ReadFixed32(data->data() + 8),
                 " is not supported by this version of mayak (expects ", wal::kVersion, ")"));
    } else {
      pos = wal::kFileHeaderSize;
    }
    while (problem.empty() && pos < data->size()) {
      if (data->size() - pos < wal::kEntryHeaderSize) {
        problem = "incomplete entry header";
        break;
      }
      const uint32_t crc = ReadFixed32(data->data() + pos);
      const uint32_t length = ReadFixed32(data->data() + pos + 4);
      const auto type = static_cast<uint8_t>((*data)[pos + 8]);
      if (length > wal::kMaxEntryPayload || length > data->size() - pos - wal::kEntryHeaderSize) {
        problem = "incomplete entry";
        break;
      }
      const std::string_view payload(data->data() + pos + wal::kEntryHeaderSize, length);
      if (wal::EntryCrc(length, type, payload) != crc) {
        problem = "checksum mismatch";
        break;
      }
      if (type != static_cast<uint8_t>(wal::EntryType::kLogBatch)) {
        problem = StrCat("unknown entry type ", type);
        break;
      }
      absl::Status status = on_entry(static_cast<wal::EntryType>(type), payload);
      if (!status.ok()) {
        return absl::Status(status.code(),
                            StrCat(path, " at offset ", pos, ": ", status.message()));
      }
      ++stats->entries;
      pos += wal::kEntryHeaderSize + length;
    }
    stats->bytes += pos;
    if (problem.empty()) continue;
    const uint64_t rest = data->size() - pos;
    if (newest) {
      // A crash during a group commit leaves a partial write at the end of
      // the newest file. It was never acknowledged, so dropping it loses no
      // acknowledged record; refusing to start would help no one.
      LogWarn("wal: truncating torn tail",
              {{"file", path}, {"offset", pos}, {"bytes", rest}, {"reason", problem}});
      stats->truncated_tail_bytes += rest;
      if (pos < wal::kFileHeaderSize) {
        std::error_code ec;
        std::filesystem::remove(path, ec);
      } else {
        absl::Status status = TruncateFile(path, pos);
        if (!status.ok()) return status;
      }
    } else {
      LogError("wal: damaged file, skipping its remainder",
               {{"file", path}, {"offset", pos}, {"bytes", rest}, {"reason", problem}});
      stats->damaged_bytes += rest;
    }
  }
  return absl::OkStatus();
}

}  // namespace mayak
