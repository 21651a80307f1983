#include "storage/coding.h"

#include <zlib.h>

#include <random>
#include <string>

#include "gtest/gtest.h"

namespace mayak {
namespace {

// The formats define their checksum as zlib's CRC-32: whatever computes it
// must agree with zlib on every length (the fast paths work 16 and 64
// bytes at a time) and when a checksum is carried over several pieces.
TEST(CodingTest, Crc32IsZlibsCrc32) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);  // the standard check value
  EXPECT_EQ(Crc32(""), 0u);
  std::mt19937_64 random(42);
  std::string data(5000, '\0');
  for (char& c : data) c = static_cast<char>(random());
  const auto zlib = [](std::string_view piece, uLong crc) {
    return static_cast<uint32_t>(
        crc32(crc, reinterpret_cast<const Bytef*>(piece.data()), static_cast<uInt>(piece.size())));
  };
  for (size_t n = 0; n <= 300; ++n) {
    const std::string_view piece = std::string_view(data).substr(n, n);
    ASSERT_EQ(Crc32(piece), zlib(piece, 0)) << n << " bytes";
  }
  uint32_t ours = 0;
  uLong theirs = 0;
  for (size_t at = 0, n = 1; at < data.size(); at += n, n = n * 3 % 997 + 1) {
    const std::string_view piece = std::string_view(data).substr(at, n);
    ours = Crc32(piece, ours);
    theirs = zlib(piece, theirs);
    ASSERT_EQ(ours, theirs) << "after " << at + piece.size() << " bytes";
  }
  EXPECT_EQ(ours, zlib(data, 0));
}

}  // namespace
}  // namespace mayak
