#include "client/body_compression.h"

#include <string>

#include "api/body_encoding.h"
#include "gtest/gtest.h"

namespace mayak {
namespace {

std::string Lines(int count, int seed) {
  std::string text;
  for (int i = 0; i < count; ++i) {
    text += "{\"message\":\"order " + std::to_string(seed * 100000 + i) + " shipped\"}\n";
  }
  return text;
}

// One compressor, bodies that grow and shrink: each decodes to itself, so
// nothing of an earlier body's state or output leaks into a later one.
TEST(BodyCompressorTest, ReusedForBodiesOfEverySizeEachDecodesToItself) {
  for (auto codec : {BodyCompressor::Codec::kZstd, BodyCompressor::Codec::kGzip}) {
    BodyCompressor compressor(codec, 1);
    for (int count : {10, 5000, 1, 0, 20000, 300}) {
      const std::string body = Lines(count, count);
      absl::StatusOr<std::string_view> compressed = compressor.Compress(body);
      ASSERT_TRUE(compressed.ok()) << compressed.status();
      if (count > 100) {
        EXPECT_LT(compressed->size(), body.size() / 4);
      }
      std::string storage;
      absl::StatusOr<std::string_view> decoded =
          DecodeContentEncoding(compressor.content_encoding(), *compressed, 64 << 20, &storage);
      ASSERT_TRUE(decoded.ok()) << compressor.content_encoding() << ": " << decoded.status();
      EXPECT_EQ(*decoded, body) << compressor.content_encoding() << ", " << count << " lines";
    }
  }
}

}  // namespace
}  // namespace mayak
