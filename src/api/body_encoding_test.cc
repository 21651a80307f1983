#include "api/body_encoding.h"

#include "gtest/gtest.h"
#include "support/compression.h"

namespace mayak {
namespace {

using testing::Gzip;
using testing::Zstd;

TEST(BodyEncodingTest, DecodesGzipConcatenatedGzipAndZstd) {
  std::string decoded;
  const std::string text = "{\"message\":\"hello\"}\n";
  EXPECT_EQ(*DecodeContentEncoding("gzip", Gzip(text), 1 << 20, &decoded), text);
  EXPECT_EQ(*DecodeContentEncoding("GZIP", Gzip(text) + Gzip(text), 1 << 20, &decoded),
            text + text);
  EXPECT_EQ(*DecodeContentEncoding("zstd", Zstd(text), 1 << 20, &decoded), text);
  EXPECT_EQ(*DecodeContentEncoding("", text, 1 << 20, &decoded), text);
  EXPECT_EQ(*DecodeContentEncoding("identity", text, 1 << 20, &decoded), text);
  // A body sent as it is is not copied; a decoded one lies in `decoded`.
  EXPECT_EQ(DecodeContentEncoding("", text, 1 << 20, &decoded)->data(), text.data());
  const auto unpacked = DecodeContentEncoding("zstd", Zstd(text), 1 << 20, &decoded);
  EXPECT_EQ(unpacked->data(), decoded.data());
}

TEST(BodyEncodingTest, StopsAtTheLimitInsteadOfInflatingABomb) {
  std::string decoded;
  const std::string zeros(10 << 20, '0');
  auto gz = DecodeContentEncoding("gzip", Gzip(zeros), 1 << 20, &decoded);
  EXPECT_EQ(gz.status().code(), absl::StatusCode::kResourceExhausted);
  auto zs = DecodeContentEncoding("zstd", Zstd(zeros), 1 << 20, &decoded);
  EXPECT_EQ(zs.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(BodyEncodingTest, CorruptAndUnknownEncodingsAreDistinct) {
  std::string decoded;
  EXPECT_EQ(DecodeContentEncoding("gzip", "nope", 100, &decoded).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string truncated = Gzip(std::string(1000, 'x')).substr(0, 12);
  EXPECT_EQ(DecodeContentEncoding("gzip", truncated, 1 << 20, &decoded).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string zs = Zstd(std::string(1000, 'x'));
  EXPECT_EQ(
      DecodeContentEncoding("zstd", zs.substr(0, zs.size() - 4), 1 << 20, &decoded).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeContentEncoding("br", "x", 100, &decoded).status().code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace mayak
