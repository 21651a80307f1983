// Write-ahead log layout; docs/format/wal.md describes it for people.
//
//   file   := header entry*
//   header := "MAYAKWAL" (8 bytes) | version u32 LE (= 1) | reserved u32 (= 0)
//   entry  := crc u32 LE | length u32 LE | type u8 | payload[length]
//
// crc is the CRC-32 (zlib's polynomial) of the length field, the type byte and
// the payload, so that a damaged length is detected too. Files are named
// 00000001.wal, 00000002.wal, ... and replayed in that order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mayak::wal {

inline constexpr std::string_view kMagic = "MAYAKWAL";
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kFileHeaderSize = 16;
inline constexpr size_t kEntryHeaderSize = 9;
// An entry larger than this is refused when written and taken as damage when read.
inline constexpr uint32_t kMaxEntryPayload = 1u << 30;

enum class EntryType : uint8_t {
  kLogBatch = 1,  // payload: a record batch (storage/record_codec.h)
};

std::string FileHeader();
// Appends one framed entry to `out`.
void AppendEntry(EntryType type, std::string_view payload, std::string* out);
// The CRC stored in an entry header, over length + type + payload.
uint32_t EntryCrc(uint32_t length, uint8_t type, std::string_view payload);

// "00000042.wal"
std::string FileName(uint64_t number);
// The number of a WAL file name, or 0 if `name` is not one.
uint64_t ParseFileName(std::string_view name);

}  // namespace mayak::wal
