#include "model/record_id.h"

#include <xxhash.h>

#include <charconv>

#include "absl/strings/str_format.h"
#include "common/strings.h"

namespace mayak {
namespace {

bool HexToUint64(std::string_view hex, uint64_t* out) {
  const auto [end, error] = std::from_chars(hex.data(), hex.data() + hex.size(), *out, 16);
  return error == std::errc() && end == hex.data() + hex.size();
}

}  // namespace

uint64_t RecordHash(const LogRecord& record) {
  const std::optional<AttributeValue> host = GetFieldValue(record, "host.name");
  const std::string* host_name = host ? std::get_if<std::string>(&*host) : nullptr;
  // NUL between the parts: "ab" + "c" is not "a" + "bc".
  std::string text = record.system;
  text.push_back('\0');
  text += record.service;
  text.push_back('\0');
  if (host_name != nullptr) text += *host_name;
  text.push_back('\0');
  text += record.message;
  return XXH3_64bits(text.data(), text.size());
}

std::string RecordId(const LogRecord& record) {
  return absl::StrFormat("%d-%016x", record.timestamp_ns, RecordHash(record));
}

absl::StatusOr<RecordIdParts> ParseRecordId(std::string_view id) {
  const size_t dash = id.rfind('-');
  RecordIdParts parts;
  const bool ok = dash != std::string_view::npos && dash > 0 && id.size() - dash - 1 == 16 &&
                  ParseInt(id.substr(0, dash), &parts.timestamp_ns) &&
                  HexToUint64(id.substr(dash + 1), &parts.hash);
  if (!ok) {
    return absl::InvalidArgumentError(StrCat("'", id,
                                             "' is not a record id: use the _id of a hit, such as "
                                             "1795510800123456789-9f86d081884c7d65"));
  }
  return parts;
}

}  // namespace mayak
