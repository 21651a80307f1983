// A file's identity, for the agent: the hash of its first line (at most
// kFingerprintBytes), so that a file keeps its identity through renames
// (rotation), a copy of it (copytruncate) is recognised as the same file,
// and a new file that reuses a deleted file's inode is not mistaken for it.
// Device and inode only tell open files apart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace mayak::agent {

inline constexpr size_t kFingerprintBytes = 1024;

// The fingerprint of the open file `fd`, or nullopt while it has neither a
// whole first line nor kFingerprintBytes (an empty or just-created file:
// try again later).
absl::StatusOr<std::optional<uint64_t>> FingerprintOf(int fd);

// The fingerprint as 16 hex digits, as event ids and the registry write it.
std::string FingerprintHex(uint64_t fingerprint);

}  // namespace mayak::agent
