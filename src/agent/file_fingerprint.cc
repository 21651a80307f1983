#include "agent/file_fingerprint.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/strings.h"
#include "xxhash.h"

namespace mayak::agent {

absl::StatusOr<std::optional<uint64_t>> FingerprintOf(int fd) {
  char buffer[kFingerprintBytes];
  size_t have = 0;
  while (have < sizeof(buffer)) {
    const ssize_t n = pread(fd, buffer + have, sizeof(buffer) - have, static_cast<off_t>(have));
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(StrCat("cannot read the first bytes: ", std::strerror(errno)));
    }
    if (n == 0) break;
    have += static_cast<size_t>(n);
  }
  const void* newline = std::memchr(buffer, '\n', have);
  size_t length = have;
  if (newline != nullptr) {
    length = static_cast<size_t>(static_cast<const char*>(newline) - buffer) + 1;
  } else if (have < sizeof(buffer)) {
    return std::optional<uint64_t>();
  }
  return std::optional<uint64_t>(XXH3_64bits(buffer, length));
}

std::string FingerprintHex(uint64_t fingerprint) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(16, '0');
  for (int i = 15; i >= 0; --i) {
    hex[static_cast<size_t>(i)] = kDigits[fingerprint & 15];
    fingerprint >>= 4;
  }
  return hex;
}

}  // namespace mayak::agent
