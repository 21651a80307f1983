#include "storage/wal_reader.h"

#include <algorithm>
#include <cstring>

#include "common/logging.h"
#include "common/strings.h"

namespace mayak {
namespace {

uint32_t ReadFixed32(const char* p) {
  uint32_t v = 0;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace

std::vector<uint64_t> ListWalFiles(Env* env, const std::string& dir) {
  std::vector<uint64_t> numbers;
  for (const std::string& name : env->ListDir(dir)) {
    const uint64_t n = wal::ParseFileName(name);
    if (n > 0) numbers.push_back(n);
  }
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

absl::Status ReplayWal(
    Env* env, const std::string& dir,
    const std::function<absl::Status(wal::EntryType, std::string_view)>& on_entry,
    WalReplayStats* stats, bool read_only) {
  const std::vector<uint64_t> numbers = ListWalFiles(env, dir);
  for (size_t i = 0; i < numbers.size(); ++i) {
    const bool newest = i + 1 == numbers.size();
    const std::string path = StrCat(dir, "/", wal::FileName(numbers[i]));
    auto data = env->ReadFile(path);
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
      stats->truncated_tail_bytes += rest;
      if (read_only) continue;
      LogWarn("wal: truncating torn tail",
              {{"file", path}, {"offset", pos}, {"bytes", rest}, {"reason", problem}});
      if (pos < wal::kFileHeaderSize) {
        absl::Status status = env->RemoveFile(path);
        if (!status.ok()) return status;
      } else {
        absl::Status status = env->TruncateFile(path, pos);
        if (!status.ok()) return status;
      }
    } else {
      stats->damaged_bytes += rest;
      if (read_only) continue;
      LogError("wal: damaged file, skipping its remainder",
               {{"file", path}, {"offset", pos}, {"bytes", rest}, {"reason", problem}});
    }
  }
  return absl::OkStatus();
}

}  // namespace mayak
