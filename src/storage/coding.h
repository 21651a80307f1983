// Byte-level encodings shared by the on-disk formats: LEB128 varints,
// zigzag for signed values, length-prefixed strings, little-endian fixed
// integers, and a bounds-checked reader that fails instead of reading past
// its input (every decoder of untrusted or damaged bytes uses it).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace mayak {

// The longest varint: 64 bits, 7 a byte.
inline constexpr size_t kMaxVarintLength = 10;
// Writes `v` as a varint at `dst`, which has room for kMaxVarintLength
// bytes; returns the end of what it wrote.
inline char* EncodeVarint(char* dst, uint64_t v) {
  while (v >= 0x80) {
    *dst++ = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  *dst++ = static_cast<char>(v);
  return dst;
}
void PutVarint(std::string* out, uint64_t v);
// The bytes PutVarint writes for `v`.
inline size_t VarintLength(uint64_t v) {
  return (static_cast<size_t>(std::bit_width(v | 1)) + 6) / 7;
}
inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1)); }
inline void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}
// Little-endian hosts only (x86-64, aarch64), as the formats are little-endian.
inline void PutFixed32(std::string* out, uint32_t v) {
  out->append(reinterpret_cast<const char*>(&v), 4);
}
inline void PutFixed64(std::string* out, uint64_t v) {
  out->append(reinterpret_cast<const char*>(&v), 8);
}

// CRC-32 (zlib's polynomial) of `data`, the checksum of every on-disk block.
uint32_t Crc32(std::string_view data, uint32_t crc = 0);

class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}

  // Inline for one and two bytes: column decoders call it once per value.
  [[nodiscard]] bool Varint(uint64_t* v) {
    if (pos_ + 1 < data_.size()) {
      const auto b0 = static_cast<uint8_t>(data_[pos_]);
      if (b0 < 0x80) {
        *v = b0;
        pos_ += 1;
        return true;
      }
      const auto b1 = static_cast<uint8_t>(data_[pos_ + 1]);
      if (b1 < 0x80) {
        *v = (b0 & 0x7Fu) | (static_cast<uint64_t>(b1) << 7);
        pos_ += 2;
        return true;
      }
    }
    return VarintSlow(v);
  }
  // Reads `n` varints, calling fn(i, value) for each in order. The one-byte
  // varints of small numbers (the common case of integer columns) are taken
  // from eight bytes loaded at once, up to the first longer one.
  template <typename Fn>
  [[nodiscard]] bool Varints(size_t n, Fn&& fn) {
    size_t i = 0;
    while (i < n) {
      if (data_.size() - pos_ >= 8) {
        uint64_t word = 0;
        std::memcpy(&word, data_.data() + pos_, 8);
        const uint64_t long_bytes = word & 0x8080808080808080ULL;
        size_t small = long_bytes == 0 ? 8 : static_cast<size_t>(std::countr_zero(long_bytes)) / 8;
        small = std::min(small, n - i);
        for (size_t k = 0; k < small; ++k) fn(i + k, (word >> (8 * k)) & 0xFF);
        i += small;
        pos_ += small;
        if (small == 8 || i == n) continue;
      }
      uint64_t v = 0;
      if (!Varint(&v)) return false;
      fn(i++, v);
    }
    return true;
  }
  [[nodiscard]] bool Byte(uint8_t* b);
  [[nodiscard]] bool String(std::string* s);
  // A view into the input, valid while the input is.
  [[nodiscard]] bool StringView(std::string_view* s);
  // The next `n` bytes, as a view into the input.
  [[nodiscard]] bool Bytes(size_t n, std::string_view* s);
  [[nodiscard]] bool Fixed32(uint32_t* v);
  [[nodiscard]] bool Fixed64(uint64_t* v);
  bool AtEnd() const { return pos_ == data_.size(); }
  size_t remaining() const { return data_.size() - pos_; }

 private:
  bool VarintSlow(uint64_t* v);

  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace mayak
