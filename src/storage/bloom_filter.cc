#include "storage/bloom_filter.h"

#include <xxhash.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

#include "model/tokenizer.h"

namespace mayak::bloom {
namespace {

// The eight odd multipliers of the split-block filter (Parquet's salts).
constexpr uint32_t kSalt[8] = {0x47b6137bU, 0x44974d91U, 0x8824ad5bU, 0xa2b7289dU,
                               0x705495c7U, 0x2df1424bU, 0x9efc4947U, 0x5c6bfb31U};
constexpr uint64_t kWordSeed = 0;
constexpr uint64_t kValueSeed = 0x6d61796b;  // any constant other than kWordSeed

size_t BlockIndex(uint64_t hash, size_t blocks) {
  return static_cast<size_t>(((hash >> 32) * blocks) >> 32);
}

uint32_t BitMask(uint64_t hash, int word) {
  const auto key = static_cast<uint32_t>(hash);
  return 1u << ((key * kSalt[word]) >> 27);
}

void LowerInto(std::string_view word, std::string* out) {
  out->assign(word);
  for (char& c : *out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

uint64_t HashLowered(std::string_view lowered) {
  return XXH3_64bits_withSeed(lowered.data(), lowered.size(), kWordSeed);
}

bool IsOneLowerCaseWord(std::string_view value) {
  return !value.empty() && std::ranges::all_of(value, [](char c) {
    return IsWordByte(c) && !(c >= 'A' && c <= 'Z');
  });
}

}  // namespace

uint64_t WordHash(std::string_view word) {
  std::string lowered;
  LowerInto(word, &lowered);
  return HashLowered(lowered);
}

uint64_t ExactValueHash(std::string_view value) {
  if (IsOneLowerCaseWord(value)) return HashLowered(value);
  return XXH3_64bits_withSeed(value.data(), value.size(), kValueSeed);
}

uint64_t IntegerHash(int64_t value) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), value);
  return ExactValueHash(std::string_view(digits, static_cast<size_t>(end - digits)));
}

namespace {

// The first bit at or after `from` in `bits` that is set (`set`) or clear,
// or the end of the bitmap.
size_t NextBit(const std::vector<uint64_t>& bits, size_t from, bool set) {
  size_t w = from / 64;
  if (w >= bits.size()) return bits.size() * 64;
  const uint64_t flip = set ? 0 : ~uint64_t{0};
  uint64_t x = (bits[w] ^ flip) & (~uint64_t{0} << (from % 64));
  while (x == 0) {
    if (++w == bits.size()) return bits.size() * 64;
    x = bits[w] ^ flip;
  }
  return w * 64 + static_cast<size_t>(std::countr_zero(x));
}

}  // namespace

// The words of `text` hashed as WordHash does, in one pass: the text is
// lower-cased once, and each word hashed where it lies in that copy. Returns
// true when `text` is a single lower-case word (its ExactValueHash is then
// its word hash).
bool FilterBuilder::HashWords(std::string_view text) {
  // Word bytes lower-cased, others 0, by arithmetic rather than a table so
  // that the compiler can fold 16 or 32 bytes at a time: this runs over
  // every stored string. The copy is padded with zeros to whole 64-byte
  // blocks for the bitmap below.
  const size_t n = text.size();
  const size_t padded = (n + 63) / 64 * 64;
  lowered_.resize(padded);
  char* lowered = lowered_.data();
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  unsigned char any_upper = 0;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = bytes[i];
    // Bitwise, not short-circuit, operators: no branches in the loop.
    const unsigned char upper = static_cast<unsigned char>(c - 'A') < 26;
    const unsigned char word =
        upper | static_cast<unsigned char>(static_cast<unsigned char>(c - 'a') < 26) |
        static_cast<unsigned char>(static_cast<unsigned char>(c - '0') < 10) |
        static_cast<unsigned char>(c == '_') | static_cast<unsigned char>(c >= 0x80);
    // 'A' | 0x20 is 'a'; a byte that is no word byte becomes 0.
    lowered[i] = static_cast<char>((c | (upper << 5)) & -word);
    any_upper |= upper;
  }
  std::memset(lowered + n, 0, padded - n);
  // A bit per byte, set for word bytes: words are then found a 64-byte
  // block at a time, not byte by byte.
  word_bits_.resize(padded / 64);
  for (size_t b = 0; b < word_bits_.size(); ++b) {
    const char* block = lowered + b * 64;
    uint64_t bits = 0;
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    for (int k = 0; k < 4; ++k) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + k * 16));
      const auto zeros = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero)));
      bits |= static_cast<uint64_t>(~zeros & 0xFFFFu) << (k * 16);
    }
#else
    for (int k = 0; k < 64; ++k) bits |= static_cast<uint64_t>(block[k] != 0) << k;
#endif
    word_bits_[b] = bits;
  }
  bool one_word = false;  // the first word spans the whole text
  for (size_t start = NextBit(word_bits_, 0, true); start < n;) {
    const size_t end = NextBit(word_bits_, start, false);  // a zero pad ends the last
    hashes_.insert(HashLowered(std::string_view(lowered + start, end - start)));
    one_word = start == 0 && end == n;
    start = NextBit(word_bits_, end, true);
  }
  return one_word && any_upper == 0;
}

void FilterBuilder::AddWords(std::string_view text) { HashWords(text); }

void FilterBuilder::AddWordsAndValue(std::string_view value) {
  if (!HashWords(value)) hashes_.insert(ExactValueHash(value));
}

std::string FilterBuilder::Finish() {
  const auto bits = static_cast<double>(hashes_.size()) * kBitsPerKey;
  const size_t blocks = std::max<size_t>(1, static_cast<size_t>(std::ceil(bits / 256)));
  std::vector<uint32_t> words(blocks * 8, 0);
  for (uint64_t hash : hashes_) {
    uint32_t* block = &words[BlockIndex(hash, blocks) * 8];
    for (int w = 0; w < 8; ++w) block[w] |= BitMask(hash, w);
  }
  hashes_.clear();
  std::string filter(blocks * kBlockBytes, '\0');
  std::memcpy(filter.data(), words.data(), filter.size());  // little-endian, as the format
  return filter;
}

bool MayContain(std::string_view filter, uint64_t hash) {
  const size_t blocks = filter.size() / kBlockBytes;
  if (blocks == 0) return true;  // no filter: cannot rule anything out
  const char* block = filter.data() + BlockIndex(hash, blocks) * kBlockBytes;
  for (int w = 0; w < 8; ++w) {
    uint32_t word = 0;
    std::memcpy(&word, block + static_cast<ptrdiff_t>(w) * 4, 4);
    if ((word & BitMask(hash, w)) == 0) return false;
  }
  return true;
}

}  // namespace mayak::bloom
