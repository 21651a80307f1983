// Compression of request bodies a client sends (`Content-Encoding: gzip` or
// `zstd`): the agent's batches, and tests.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mayak {

// gzip (RFC 1952) at zlib's `level` (1 fastest .. 9 smallest).
std::string GzipCompress(std::string_view input, int level = 6);
// zstd at `level` (1 fastest; 3 zstd's default).
std::string ZstdCompress(std::string_view input, int level = 3);

// Compresses one body after another with the same codec, keeping its
// compression state and its output memory from body to body: a fresh zstd
// context and fresh output megabytes for each would cost allocations, page
// faults and clearing (a quarter of the agent's compression time).
class BodyCompressor {
 public:
  enum class Codec { kGzip, kZstd };
  BodyCompressor(Codec codec, int level);
  ~BodyCompressor();
  BodyCompressor(const BodyCompressor&) = delete;
  BodyCompressor& operator=(const BodyCompressor&) = delete;

  // The compressed `input`: valid until the next call.
  absl::StatusOr<std::string_view> Compress(std::string_view input);
  // The `Content-Encoding` it writes: "gzip" or "zstd".
  const char* content_encoding() const { return codec_ == Codec::kGzip ? "gzip" : "zstd"; }

 private:
  char* Reserve(size_t bytes);

  const Codec codec_;
  const int level_;
  void* zstd_ = nullptr;         // ZSTD_CCtx
  std::unique_ptr<char[]> out_;  // not value-initialized: no clearing
  size_t capacity_ = 0;
};

}  // namespace mayak
