#include "api/body_encoding.h"

#include <zlib.h>

#include "common/strings.h"
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

// Raw deflate of `text` (no header), for building members by hand.
std::string RawDeflate(const std::string& text) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&stream, text.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::string LittleEndian32(uint32_t v) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[static_cast<size_t>(i)] = static_cast<char>(v >> (8 * i));
  return out;
}

// The other shapes senders use: a gzip member naming its file (as the gzip
// tool writes), zlib-wrapped deflate, bodies of many megabytes; and damage
// found by the gzip trailer's checksum or after the last member.
TEST(BodyEncodingTest, NamedMembersZlibWrappersAndDamage) {
  std::string decoded;
  const std::string text = "{\"message\":\"hello\"}\n";
  const auto crc = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size())));
  const std::string named = std::string("\x1f\x8b\x08\x08\0\0\0\0\0\x03logs.ndjson\0", 22) +
                            RawDeflate(text) + LittleEndian32(crc) +
                            LittleEndian32(static_cast<uint32_t>(text.size()));
  auto from_named = DecodeContentEncoding("gzip", named, 1 << 20, &decoded);
  ASSERT_TRUE(from_named.ok()) << from_named.status();
  EXPECT_EQ(*from_named, text);
  std::string wrong_crc = named;
  wrong_crc[wrong_crc.size() - 8] ^= 1;
  EXPECT_EQ(DecodeContentEncoding("gzip", wrong_crc, 1 << 20, &decoded).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeContentEncoding("gzip", Gzip(text) + "junk", 1 << 20, &decoded).status().code(),
            absl::StatusCode::kInvalidArgument);

  std::string zlib(compressBound(text.size()), '\0');
  uLongf zlib_size = zlib.size();
  ASSERT_EQ(compress(reinterpret_cast<Bytef*>(zlib.data()), &zlib_size,
                     reinterpret_cast<const Bytef*>(text.data()), text.size()),
            Z_OK);
  zlib.resize(zlib_size);
  auto from_zlib = DecodeContentEncoding("deflate", zlib, 1 << 20, &decoded);
  ASSERT_TRUE(from_zlib.ok()) << from_zlib.status();
  EXPECT_EQ(*from_zlib, text);

  std::string big;
  for (int i = 0; big.size() < (3 << 20); ++i) big += StrCat("{\"n\":", i, "}\n");
  auto from_big = DecodeContentEncoding("gzip", Gzip(big), 8 << 20, &decoded);
  ASSERT_TRUE(from_big.ok()) << from_big.status();
  EXPECT_EQ(*from_big, big);
  EXPECT_EQ(DecodeContentEncoding("gzip", "", 1 << 20, &decoded).status().code(),
            absl::StatusCode::kInvalidArgument);
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
