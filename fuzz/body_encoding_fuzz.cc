// Compressed request bodies from clients: corrupt gzip, deflate and zstd
// streams are refused, and no stream, however small, decodes past the size
// limit (a compression bomb gets ResourceExhausted, not the memory).
//
// Input: encoding selector u8 | body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/body_encoding.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static constexpr std::string_view kEncodings[] = {"gzip", "deflate", "zstd", "identity"};
  const std::string_view encoding = kEncodings[data[0] % 4];
  constexpr uint64_t kLimit = uint64_t{64} * 1024;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string storage;
  auto decoded = mayak::DecodeContentEncoding(encoding, body, kLimit, &storage);
  if (decoded.ok()) {
    FUZZ_CHECK(encoding == "identity" || decoded->size() <= kLimit,
               "a body decoded past the size limit");
  }
  return 0;
}
