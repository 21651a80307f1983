// WAL replay on damaged files. Every byte of a file is accounted for (replayed
// entry, torn tail or damage); truncating a torn tail keeps every intact
// entry and is done once: a second replay finds the same entries and nothing
// more to cut.
//
// Input: mode u8, then
//   even mode: the bytes of two WAL files, split at a position given by the
//              next byte (mutations of real files reach the header checks);
//   odd mode:  entries [length u8 | type u8 | payload] framed with valid
//              checksums into the newest file, then cut at a position given
//              by the next two bytes (torn writes past the checksums).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/logging.h"
#include "fuzz_check.h"
#include "storage/env.h"
#include "storage/wal_format.h"
#include "storage/wal_reader.h"

namespace {

struct Replay {
  bool ok = false;
  mayak::WalReplayStats stats;
  std::vector<std::string> payloads;
};

Replay Run(const std::string& dir, bool read_only) {
  Replay replay;
  auto on_entry = [&](mayak::wal::EntryType, std::string_view payload) {
    replay.payloads.emplace_back(payload);
    return absl::OkStatus();
  };
  replay.ok = mayak::ReplayWal(mayak::Env::Default(), dir, on_entry, &replay.stats, read_only).ok();
  return replay;
}

void WriteFile(const std::string& path, std::string_view bytes) {
  auto file = mayak::Env::Default()->NewWritableFile(path);
  FUZZ_CHECK(file.ok(), "cannot create a WAL file in the temporary directory");
  FUZZ_CHECK((*file)->Append(bytes).ok(), "cannot write a WAL file");
}

std::string FramedEntries(std::string_view input) {
  std::string file = mayak::wal::FileHeader();
  size_t pos = 0;
  while (pos + 2 <= input.size()) {
    const size_t length = static_cast<uint8_t>(input[pos]);
    const auto type = static_cast<uint8_t>(input[pos + 1]) % 3;  // 0 and 2 are unknown types
    pos += 2;
    const std::string_view payload = input.substr(pos, length);
    pos += payload.size();
    mayak::wal::AppendEntry(static_cast<mayak::wal::EntryType>(type), payload, &file);
  }
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = [] {
    // Torn tails and damage are what this target makes: not worth a log line each.
    mayak::SetMinLogSeverity(
        static_cast<mayak::LogSeverity>(static_cast<int>(mayak::LogSeverity::kError) + 1));
    std::string path =
        std::filesystem::temp_directory_path() / ("mayak-wal-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
    return path;
  }();
  if (size < 3) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 3, size - 3);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  std::string older;
  std::string newest;
  if (data[0] % 2 == 0) {
    const size_t split = input.size() * data[1] / 256;
    older = input.substr(0, split);
    newest = input.substr(split);
  } else {
    newest = FramedEntries(input);
    newest.resize(newest.size() * (data[1] | (data[2] << 8)) / 65535);
  }
  if (!older.empty()) WriteFile(dir + "/" + mayak::wal::FileName(1), older);
  WriteFile(dir + "/" + mayak::wal::FileName(2), newest);

  const Replay looked = Run(dir, /*read_only=*/true);
  if (!looked.ok) return 0;  // an unsupported version is refused, not replayed
  FUZZ_CHECK(looked.stats.bytes + looked.stats.truncated_tail_bytes + looked.stats.damaged_bytes ==
                 older.size() + newest.size(),
             "replay does not account for every byte");

  const Replay repaired = Run(dir, /*read_only=*/false);
  FUZZ_CHECK(repaired.ok, "a replay that could read the files fails to repair them");
  FUZZ_CHECK(repaired.payloads == looked.payloads, "repairing changes the entries replayed");

  const Replay again = Run(dir, /*read_only=*/true);
  FUZZ_CHECK(again.ok && again.payloads == looked.payloads, "entries differ after the repair");
  // A newest file torn inside its header is removed, which makes the older
  // file the newest; otherwise nothing is left to cut.
  const bool newest_removed = !std::filesystem::exists(dir + "/" + mayak::wal::FileName(2));
  FUZZ_CHECK(newest_removed || again.stats.truncated_tail_bytes == 0,
             "a torn tail is left after the repair");
  return 0;
}
