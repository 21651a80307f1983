#include "storage/wal_format.h"

#include <cstring>

#include "absl/strings/str_format.h"
#include "common/strings.h"
#include "storage/coding.h"

namespace mayak::wal {
std::string FileHeader() {
  std::string header(kMagic);
  PutFixed32(&header, kVersion);
  PutFixed32(&header, 0);
  return header;
}

uint32_t EntryCrc(uint32_t length, uint8_t type, std::string_view payload) {
  char head[5];
  std::memcpy(head, &length, 4);
  head[4] = static_cast<char>(type);
  return Crc32(payload, Crc32(std::string_view(head, 5)));
}

void AppendEntry(EntryType type, std::string_view payload, std::string* out) {
  const auto length = static_cast<uint32_t>(payload.size());
  const auto type_byte = static_cast<uint8_t>(type);
  PutFixed32(out, EntryCrc(length, type_byte, payload));
  PutFixed32(out, length);
  out->push_back(static_cast<char>(type_byte));
  out->append(payload);
}

std::string FileName(uint64_t number) { return absl::StrFormat("%08d.wal", number); }

uint64_t ParseFileName(std::string_view name) {
  if (!name.ends_with(".wal")) return 0;
  name.remove_suffix(4);
  if (name.size() < 8) return 0;
  uint64_t number = 0;
  if (!ParseInt(name, &number)) return 0;
  return number;
}

}  // namespace mayak::wal
