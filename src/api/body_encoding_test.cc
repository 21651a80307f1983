#include "api/body_encoding.h"

#include <zlib.h>
#include <zstd.h>

#include "gtest/gtest.h"

namespace mayak {
namespace {

std::string Gzip(const std::string& input) {
  z_stream stream{};
  deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, input.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::string Zstd(const std::string& input) {
  std::string out(ZSTD_compressBound(input.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), input.data(), input.size(), 3));
  return out;
}

TEST(BodyEncodingTest, DecodesGzipConcatenatedGzipAndZstd) {
  const std::string text = "{\"message\":\"hello\"}\n";
  EXPECT_EQ(*DecodeContentEncoding("gzip", Gzip(text), 1 << 20), text);
  EXPECT_EQ(*DecodeContentEncoding("GZIP", Gzip(text) + Gzip(text), 1 << 20), text + text);
  EXPECT_EQ(*DecodeContentEncoding("zstd", Zstd(text), 1 << 20), text);
  EXPECT_EQ(*DecodeContentEncoding("", text, 1 << 20), text);
  EXPECT_EQ(*DecodeContentEncoding("identity", text, 1 << 20), text);
}

TEST(BodyEncodingTest, StopsAtTheLimitInsteadOfInflatingABomb) {
  const std::string zeros(10 << 20, '0');
  auto gz = DecodeContentEncoding("gzip", Gzip(zeros), 1 << 20);
  EXPECT_EQ(gz.status().code(), absl::StatusCode::kResourceExhausted);
  auto zs = DecodeContentEncoding("zstd", Zstd(zeros), 1 << 20);
  EXPECT_EQ(zs.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST(BodyEncodingTest, CorruptAndUnknownEncodingsAreDistinct) {
  EXPECT_EQ(DecodeContentEncoding("gzip", "nope", 100).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string truncated = Gzip(std::string(1000, 'x')).substr(0, 12);
  EXPECT_EQ(DecodeContentEncoding("gzip", truncated, 1 << 20).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string zs = Zstd(std::string(1000, 'x'));
  EXPECT_EQ(DecodeContentEncoding("zstd", zs.substr(0, zs.size() - 4), 1 << 20).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeContentEncoding("br", "x", 100).status().code(),
            absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace mayak
