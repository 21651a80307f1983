#include "storage/column_encoding.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <numeric>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "common/string_hash.h"
#include "common/strings.h"
#include "storage/coding.h"
#include "storage/row_references.h"

namespace mayak {
namespace {

absl::Status Damaged(std::string_view column_kind) {
  return absl::DataLossError(StrCat("damaged ", column_kind, " column"));
}

}  // namespace

namespace {

// The encoding byte of a version 3 timestamp or integer chunk.
enum class NumberEncoding : uint8_t {
  kPlain = 0,         // timestamps: delta-of-delta; integers: offsets from the minimum
  kScaled = 1,        // the same of (value - base) / step, after the base and the step
  kDictionary = 2,    // integers, version 4: distinct values ascending, a byte per value
  kDeltas = 3,        // timestamps, version 6: deltas instead of deltas of deltas
  kScaledDeltas = 4,  // the same of (value - base) / step, after the base and the step
};

// The distinct values of `values`, ascending, when there are at most
// kMaxIntegerDictionary of them.
std::optional<std::vector<int64_t>> SmallDictionary(const std::vector<int64_t>& values) {
  absl::flat_hash_set<int64_t> distinct;
  for (int64_t v : values) {
    if (distinct.insert(v).second && distinct.size() > kMaxIntegerDictionary) return std::nullopt;
  }
  std::vector<int64_t> dictionary(distinct.begin(), distinct.end());
  std::sort(dictionary.begin(), dictionary.end());
  return dictionary;
}

// kDictionary after its encoding byte: the count, the first value (zigzag),
// the gaps between the next ones, then each value's index as one byte.
void PutIntegerDictionary(const std::vector<int64_t>& values,
                          const std::vector<int64_t>& dictionary, std::string* out) {
  PutVarint(out, dictionary.size());
  for (size_t i = 0; i < dictionary.size(); ++i) {
    PutVarint(out, i == 0 ? ZigZag(dictionary[0])
                          : static_cast<uint64_t>(dictionary[i]) -
                                static_cast<uint64_t>(dictionary[i - 1]));
  }
  const size_t start = out->size();
  out->resize(start + values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const auto it = std::lower_bound(dictionary.begin(), dictionary.end(), values[i]);
    (*out)[start + i] = static_cast<char>(it - dictionary.begin());
  }
}

// kDictionary after its encoding byte, `count` values: the entries and the
// codes, checked to name entries that exist.
bool GetIntegerDictionary(ByteReader* in, size_t count, IntegerCodes* out) {
  uint64_t size = 0;
  if (!in->Varint(&size) || size == 0 || size > kMaxIntegerDictionary) return false;
  out->dictionary.resize(size);
  uint64_t value = 0;
  for (size_t i = 0; i < size; ++i) {
    uint64_t v = 0;
    if (!in->Varint(&v)) return false;
    value = i == 0 ? static_cast<uint64_t>(UnZigZag(v)) : value + v;
    out->dictionary[i] = static_cast<int64_t>(value);
  }
  if (!in->Bytes(count, &out->codes) || !in->AtEnd()) return false;
  uint8_t largest = 0;
  for (char c : out->codes) largest = std::max(largest, static_cast<uint8_t>(c));
  return out->codes.empty() || largest < size;
}

uint64_t Distance(int64_t a, int64_t b) {
  return a >= b ? static_cast<uint64_t>(a) - static_cast<uint64_t>(b)
                : static_cast<uint64_t>(b) - static_cast<uint64_t>(a);
}

// The greatest step all values are apart from `base` by (0 when all equal
// it), or 1 when any is further than an int64 can say.
uint64_t CommonStep(const std::vector<int64_t>& values, int64_t base) {
  uint64_t step = 0;
  for (int64_t v : values) {
    const uint64_t d = Distance(v, base);
    if (d > static_cast<uint64_t>(INT64_MAX)) return 1;
    step = std::gcd(step, d);
    if (step == 1) return 1;
  }
  return step;
}

void PutDeltaOfDelta(const std::vector<int64_t>& values, std::string* out) {
  int64_t previous = 0;
  int64_t previous_delta = 0;
  for (int64_t v : values) {
    // Wrapping arithmetic: any int64 sequence round-trips.
    const auto delta =
        static_cast<int64_t>(static_cast<uint64_t>(v) - static_cast<uint64_t>(previous));
    PutVarint(out, ZigZag(static_cast<int64_t>(static_cast<uint64_t>(delta) -
                                               static_cast<uint64_t>(previous_delta))));
    previous = v;
    previous_delta = delta;
  }
}

void PutDeltas(const std::vector<int64_t>& values, std::string* out) {
  int64_t previous = 0;
  for (int64_t v : values) {
    PutVarint(out, ZigZag(static_cast<int64_t>(static_cast<uint64_t>(v) -
                                               static_cast<uint64_t>(previous))));
    previous = v;
  }
}

// Whether PutDeltas writes fewer bytes than PutDeltaOfDelta, counted
// without writing either.
bool DeltasAreSmaller(const std::vector<int64_t>& values) {
  size_t deltas = 0;
  size_t deltas_of_deltas = 0;
  uint64_t previous = 0;
  uint64_t previous_delta = 0;
  for (int64_t v : values) {
    const uint64_t delta = static_cast<uint64_t>(v) - previous;
    deltas += VarintLength(ZigZag(static_cast<int64_t>(delta)));
    deltas_of_deltas += VarintLength(ZigZag(static_cast<int64_t>(delta - previous_delta)));
    previous = static_cast<uint64_t>(v);
    previous_delta = delta;
  }
  return deltas < deltas_of_deltas;
}

bool GetDeltas(ByteReader* in, std::vector<int64_t>* values) {
  uint64_t previous = 0;
  for (int64_t& v : *values) {
    uint64_t encoded = 0;
    if (!in->Varint(&encoded)) return false;
    previous += static_cast<uint64_t>(UnZigZag(encoded));
    v = static_cast<int64_t>(previous);
  }
  return true;
}

bool GetDeltaOfDelta(ByteReader* in, std::vector<int64_t>* values) {
  uint64_t previous = 0;
  uint64_t previous_delta = 0;
  for (int64_t& v : *values) {
    uint64_t encoded = 0;
    if (!in->Varint(&encoded)) return false;
    const uint64_t delta = previous_delta + static_cast<uint64_t>(UnZigZag(encoded));
    previous += delta;
    previous_delta = delta;
    v = static_cast<int64_t>(previous);
  }
  return true;
}

void PutOffsets(const std::vector<int64_t>& values, int64_t min, std::string* out) {
  PutVarint(out, ZigZag(min));
  for (int64_t v : values) PutVarint(out, static_cast<uint64_t>(v) - static_cast<uint64_t>(min));
}

// Reads what PutOffsets wrote; each value is then scale_base + value *
// step (0 and 1 when the values were not scaled), in wrapping arithmetic.
bool GetOffsets(ByteReader* in, std::vector<int64_t>* values, int64_t scale_base, uint64_t step) {
  uint64_t min = 0;
  if (!in->Varint(&min)) return false;
  const auto base = static_cast<uint64_t>(UnZigZag(min));
  int64_t* out = values->data();
  const auto scaled_base = static_cast<uint64_t>(scale_base);
  return in->Varints(values->size(), [&](size_t i, uint64_t offset) {
    out[i] = static_cast<int64_t>(scaled_base + (base + offset) * step);
  });
}

// (value - base) / step, exactly (CommonStep divides every distance).
std::vector<int64_t> Scaled(const std::vector<int64_t>& values, int64_t base, uint64_t step) {
  std::vector<int64_t> scaled(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const uint64_t q = Distance(values[i], base) / step;
    scaled[i] = values[i] >= base ? static_cast<int64_t>(q) : -static_cast<int64_t>(q);
  }
  return scaled;
}

void Unscale(int64_t base, uint64_t step, std::vector<int64_t>* values) {
  for (int64_t& v : *values) {
    v = static_cast<int64_t>(static_cast<uint64_t>(base) + static_cast<uint64_t>(v) * step);
  }
}

// Writes the encoding byte and, for a common step of 2 or more, the base and
// the step; returns the values to encode (scaled or as they are).
std::vector<int64_t> PutNumberHeader(const std::vector<int64_t>& values, int64_t base,
                                     std::string* out) {
  const uint64_t step = values.empty() ? 1 : CommonStep(values, base);
  if (step < 2) {
    out->push_back(static_cast<char>(NumberEncoding::kPlain));
    return values;
  }
  out->push_back(static_cast<char>(NumberEncoding::kScaled));
  PutVarint(out, ZigZag(base));
  PutVarint(out, step);
  return Scaled(values, base, step);
}

// Reads what PutNumberHeader wrote: whether the values are scaled, and how;
// with `deltas` (timestamps of version 6), whether they are stored as deltas.
bool GetNumberHeader(ByteReader* in, bool* scaled, int64_t* base, uint64_t* step,
                     bool* deltas = nullptr) {
  uint8_t encoding = 0;
  if (!in->Byte(&encoding)) return false;
  if (deltas != nullptr) {
    *deltas = encoding == static_cast<uint8_t>(NumberEncoding::kDeltas) ||
              encoding == static_cast<uint8_t>(NumberEncoding::kScaledDeltas);
    if (*deltas) encoding = encoding == static_cast<uint8_t>(NumberEncoding::kDeltas) ? 0 : 1;
  }
  *scaled = encoding == static_cast<uint8_t>(NumberEncoding::kScaled);
  if (!*scaled) return encoding == static_cast<uint8_t>(NumberEncoding::kPlain);
  uint64_t zigzag_base = 0;
  if (!in->Varint(&zigzag_base) || !in->Varint(step) || *step < 2) return false;
  *base = UnZigZag(zigzag_base);
  return true;
}

}  // namespace

void EncodeTimestamps(const std::vector<int64_t>& values, std::string* out, uint32_t version) {
  if (version < kTaggedNumbersVersion) return PutDeltaOfDelta(values, out);
  const size_t header = out->size();
  const std::vector<int64_t> encoded = PutNumberHeader(values, values.empty() ? 0 : values[0], out);
  if (version >= kTimestampDeltasVersion && DeltasAreSmaller(encoded)) {
    (*out)[header] = static_cast<char>((*out)[header] == static_cast<char>(NumberEncoding::kPlain)
                                           ? NumberEncoding::kDeltas
                                           : NumberEncoding::kScaledDeltas);
    return PutDeltas(encoded, out);
  }
  PutDeltaOfDelta(encoded, out);
}

absl::StatusOr<std::vector<int64_t>> DecodeTimestamps(std::string_view data, size_t count,
                                                      uint32_t version) {
  if (count > data.size()) return Damaged("timestamp");  // at least a byte a value
  ByteReader in(data);
  bool scaled = false;
  bool deltas = false;
  int64_t base = 0;
  uint64_t step = 1;
  if (version >= kTaggedNumbersVersion &&
      !GetNumberHeader(&in, &scaled, &base, &step,
                       version >= kTimestampDeltasVersion ? &deltas : nullptr)) {
    return Damaged("timestamp");
  }
  std::vector<int64_t> values(count);
  if (!(deltas ? GetDeltas(&in, &values) : GetDeltaOfDelta(&in, &values)) || !in.AtEnd()) {
    return Damaged("timestamp");
  }
  if (scaled) Unscale(base, step, &values);
  return values;
}

void EncodeIntegers(const std::vector<int64_t>& values, std::string* out, uint32_t version) {
  const int64_t min = values.empty() ? 0 : *std::min_element(values.begin(), values.end());
  if (version < kTaggedNumbersVersion) return PutOffsets(values, min, out);
  if (version >= kIntegerDictionaryVersion && !values.empty()) {
    if (std::optional<std::vector<int64_t>> dictionary = SmallDictionary(values)) {
      out->push_back(static_cast<char>(NumberEncoding::kDictionary));
      return PutIntegerDictionary(values, *dictionary, out);
    }
  }
  const std::vector<int64_t> encoded = PutNumberHeader(values, min, out);
  PutOffsets(encoded, encoded.empty() ? 0 : *std::min_element(encoded.begin(), encoded.end()), out);
}

bool IsIntegerDictionary(std::string_view data, uint32_t version) {
  return version >= kIntegerDictionaryVersion && !data.empty() &&
         static_cast<uint8_t>(data[0]) == static_cast<uint8_t>(NumberEncoding::kDictionary);
}

absl::StatusOr<IntegerCodes> DecodeIntegerCodes(std::string_view data, size_t count) {
  ByteReader in(data);
  uint8_t encoding = 0;
  IntegerCodes codes;
  if (count > data.size() || !in.Byte(&encoding) ||
      encoding != static_cast<uint8_t>(NumberEncoding::kDictionary) ||
      !GetIntegerDictionary(&in, count, &codes)) {
    return Damaged("integer");
  }
  return codes;
}

absl::StatusOr<std::vector<int64_t>> DecodeIntegers(std::string_view data, size_t count,
                                                    uint32_t version) {
  if (count > data.size()) return Damaged("integer");
  ByteReader in(data);
  if (IsIntegerDictionary(data, version)) {
    auto codes = DecodeIntegerCodes(data, count);
    if (!codes.ok()) return codes.status();
    std::vector<int64_t> values(count);
    for (size_t i = 0; i < count; ++i) {
      values[i] = codes->dictionary[static_cast<uint8_t>(codes->codes[i])];
    }
    return values;
  }
  bool scaled = false;
  int64_t base = 0;
  uint64_t step = 1;
  if (version >= kTaggedNumbersVersion && !GetNumberHeader(&in, &scaled, &base, &step)) {
    return Damaged("integer");
  }
  std::vector<int64_t> values(count);
  // Unscaled values have base 0 and step 1, which GetOffsets leaves as they are.
  if (!GetOffsets(&in, &values, base, step) || !in.AtEnd()) return Damaged("integer");
  return values;
}

namespace {

bool IsLowerHex(std::string_view v) {
  static constexpr auto kIsHex = [] {
    std::array<bool, 256> table{};
    for (char c : std::string_view("0123456789abcdef")) table[static_cast<uint8_t>(c)] = true;
    return table;
  }();
  return std::ranges::all_of(v, [](char c) { return kIsHex[static_cast<uint8_t>(c)]; });
}

}  // namespace

size_t HexLength(const std::vector<std::string_view>& values) {
  if (values.empty()) return 0;
  const size_t length = values[0].size();
  if (length == 0 || length % 2 != 0 || length > 510) return 0;
  for (std::string_view v : values) {
    if (v.size() != length || !IsLowerHex(v)) return 0;
  }
  return length;
}

std::string_view StringEncodingName(std::string_view values) {
  if (values.empty()) return "unknown";
  switch (static_cast<StringEncoding>(values[0])) {
    case StringEncoding::kPlain:
      return "plain";
    case StringEncoding::kDictionary:
      return "dictionary";
    case StringEncoding::kHex:
      return "hex";
    case StringEncoding::kIpv4:
      return "ipv4";
    case StringEncoding::kPrefixedNumber:
      return "prefixed-number";
    case StringEncoding::kTemplate:
      return "templates";
    case StringEncoding::kRowReferences:
      return "row-references";
  }
  return "unknown";
}

std::string_view NumberEncodingName(std::string_view values, bool timestamps, uint32_t version) {
  if (version < kTaggedNumbersVersion) return timestamps ? "delta-of-delta" : "offsets";
  if (values.empty()) return "unknown";
  switch (static_cast<NumberEncoding>(values[0])) {
    case NumberEncoding::kPlain:
      return timestamps ? "delta-of-delta" : "offsets";
    case NumberEncoding::kScaled:
      return timestamps ? "scaled delta-of-delta" : "scaled offsets";
    case NumberEncoding::kDictionary:
      return "dictionary";
    case NumberEncoding::kDeltas:
      return "deltas";
    case NumberEncoding::kScaledDeltas:
      return "scaled deltas";
  }
  return "unknown";
}

bool MostlyHexIds(const std::vector<std::string_view>& values) {
  constexpr size_t kSample = 256;
  constexpr size_t kShortestId = 16;
  const size_t sample = std::min(values.size(), kSample);
  absl::flat_hash_map<size_t, size_t> ids_by_length;
  size_t most = 0;
  for (size_t i = 0; i < sample; ++i) {
    const std::string_view v = values[i];
    if (v.size() >= kShortestId && v.size() % 2 == 0 && IsLowerHex(v)) {
      most = std::max(most, ++ids_by_length[v.size()]);
    }
  }
  return sample > 0 && most * 4 >= sample * 3;
}

uint8_t HexDigit(char c) { return static_cast<uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10); }

void PutHexStrings(const std::vector<std::string_view>& values, size_t length, std::string* out) {
  out->push_back(static_cast<char>(StringEncoding::kHex));
  PutVarint(out, length / 2);
  const size_t start = out->size();
  out->resize(start + values.size() * (length / 2));
  char* bytes = out->data() + start;
  for (std::string_view v : values) {
    for (size_t i = 0; i < length; i += 2) {
      *bytes++ = static_cast<char>((HexDigit(v[i]) << 4) | HexDigit(v[i + 1]));
    }
  }
}

// Writes a kHex chunk's values (after its encoding byte) as plain text.
// Searches that read whole rows decode every id of a row group: straight
// writes into a buffer sized once, two digits a byte from a table.
bool ExpandHexStrings(ByteReader* in, size_t count, std::string* plain) {
  static constexpr auto kDigitPairs = [] {
    std::array<char, 512> pairs{};
    constexpr char kDigits[] = "0123456789abcdef";
    for (size_t b = 0; b < 256; ++b) {
      pairs[2 * b] = kDigits[b >> 4];
      pairs[2 * b + 1] = kDigits[b & 0xF];
    }
    return pairs;
  }();
  uint64_t bytes = 0;
  if (!in->Varint(&bytes) || bytes == 0 || bytes > 255) return false;
  std::string_view data;
  if (count > 0 && !in->Bytes(count * bytes, &data)) return false;
  if (!in->AtEnd()) return false;
  const size_t text = 2 * bytes;  // below 128: a one-byte length
  const size_t stride = (text < 128 ? 1 : 2) + text;
  plain->assign(1 + count * stride, '\0');
  char* out = plain->data();
  *out++ = static_cast<char>(StringEncoding::kPlain);
  const auto* in_bytes = reinterpret_cast<const uint8_t*>(data.data());
  for (size_t k = 0; k < count; ++k) {
    if (text < 128) {
      *out++ = static_cast<char>(text);
    } else {
      *out++ = static_cast<char>((text & 0x7F) | 0x80);
      *out++ = static_cast<char>(text >> 7);
    }
    for (size_t i = 0; i < bytes; ++i) {
      std::memcpy(out, &kDigitPairs[size_t{2} * *in_bytes++], 2);
      out += 2;
    }
  }
  return true;
}

// The address of an IPv4 address in its usual form: four decimal numbers
// 0-255 without leading zeros, joined by dots. Any other spelling ("010.1.2.3",
// " 1.2.3.4") would not come back the same from four bytes.
bool ParseIpv4(std::string_view text, uint32_t* address) {
  uint32_t result = 0;
  size_t pos = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (pos >= text.size() || text[pos] != '.') return false;
      ++pos;
    }
    const size_t start = pos;
    uint32_t octet = 0;
    while (pos < text.size() && pos - start < 3 && text[pos] >= '0' && text[pos] <= '9') {
      octet = octet * 10 + static_cast<uint32_t>(text[pos] - '0');
      ++pos;
    }
    const size_t digits = pos - start;
    if (digits == 0 || octet > 255 || (digits > 1 && text[start] == '0')) return false;
    result = (result << 8) | octet;
  }
  if (pos != text.size()) return false;
  *address = result;
  return true;
}

bool AllIpv4(const std::vector<std::string_view>& values) {
  uint32_t address = 0;
  return !values.empty() &&
         std::ranges::all_of(values, [&](std::string_view v) { return ParseIpv4(v, &address); });
}

void PutIpv4Strings(const std::vector<std::string_view>& values, std::string* out) {
  out->push_back(static_cast<char>(StringEncoding::kIpv4));
  for (std::string_view v : values) {
    uint32_t address = 0;
    (void)ParseIpv4(v, &address);  // AllIpv4 checked every value
    for (int shift = 24; shift >= 0; shift -= 8) {
      out->push_back(static_cast<char>((address >> shift) & 0xFF));
    }
  }
}

// Writes a kIpv4 chunk's values (after its encoding byte) as plain text,
// each octet's digits from a table (this runs for every address of a row
// group a search reads whole).
bool ExpandIpv4Strings(ByteReader* in, size_t count, std::string* plain) {
  struct Octet {
    char digits[3];
    uint8_t size;
  };
  static constexpr auto kOctets = [] {
    std::array<Octet, 256> octets{};
    for (int b = 0; b < 256; ++b) {
      Octet& o = octets[static_cast<size_t>(b)];
      if (b >= 100) o.digits[o.size++] = static_cast<char>('0' + b / 100);
      if (b >= 10) o.digits[o.size++] = static_cast<char>('0' + b / 10 % 10);
      o.digits[o.size++] = static_cast<char>('0' + b % 10);
    }
    return octets;
  }();
  std::string_view data;
  if (!in->Bytes(count * 4, &data) || !in->AtEnd()) return false;
  plain->assign(1 + count * 16, '\0');  // a length byte and at most 15 characters each
  char* out = plain->data();
  *out++ = static_cast<char>(StringEncoding::kPlain);
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  for (size_t k = 0; k < count; ++k) {
    char* length = out++;
    char* start = out;
    for (int i = 0; i < 4; ++i) {
      if (i > 0) *out++ = '.';
      const Octet& o = kOctets[*bytes++];
      std::memcpy(out, o.digits, 3);  // the table has room for three; size says how many count
      out += o.size;
    }
    *length = static_cast<char>(out - start);
  }
  plain->resize(static_cast<size_t>(out - plain->data()));
  return true;
}

// The number of `text` after `prefix`: digits without a leading zero (or
// "0" alone), at most 18 of them, so that it prints back the same.
bool ParsePrefixedNumber(std::string_view text, std::string_view prefix, int64_t* number) {
  if (!text.starts_with(prefix)) return false;
  const std::string_view digits = text.substr(prefix.size());
  if (digits.empty() || digits.size() > 18 || (digits.size() > 1 && digits[0] == '0')) {
    return false;
  }
  int64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  *number = n;
  return true;
}

// The prefix shared by `values` when each is that prefix (up to 64 bytes,
// not ending in a digit) and a number; the numbers go to `numbers`.
std::optional<std::string_view> PrefixedNumbers(const std::vector<std::string_view>& values,
                                                std::vector<int64_t>* numbers) {
  if (values.empty()) return std::nullopt;
  const std::string_view first = values[0];
  size_t digits = 0;
  while (digits < first.size() && first[first.size() - 1 - digits] >= '0' &&
         first[first.size() - 1 - digits] <= '9') {
    ++digits;
  }
  const std::string_view prefix = first.substr(0, first.size() - digits);
  if (digits == 0 || prefix.size() > 64) return std::nullopt;
  numbers->resize(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (!ParsePrefixedNumber(values[i], prefix, &(*numbers)[i])) return std::nullopt;
  }
  return prefix;
}

// Writes a kPrefixedNumber chunk's values (after its encoding byte) as
// plain text.
bool ExpandPrefixedNumbers(ByteReader* in, size_t count, uint32_t version, std::string* plain) {
  std::string_view prefix;
  std::string_view rest;
  if (!in->StringView(&prefix) || prefix.size() > 64 || !in->Bytes(in->remaining(), &rest)) {
    return false;
  }
  auto numbers = DecodeIntegers(rest, count, version);
  if (!numbers.ok()) return false;
  plain->assign(1 + count * (1 + prefix.size() + 20), '\0');
  char* out = plain->data();
  *out++ = static_cast<char>(StringEncoding::kPlain);
  for (int64_t n : *numbers) {
    if (n < 0) return false;  // written from digits: never negative
    char* length = out++;     // prefix and digits: at most 84 bytes, one length byte
    std::memcpy(out, prefix.data(), prefix.size());
    const auto [end, ec] = std::to_chars(out + prefix.size(), out + prefix.size() + 20, n);
    if (ec != std::errc()) return false;
    *length = static_cast<char>(end - out);
    out = end;
  }
  plain->resize(static_cast<size_t>(out - plain->data()));
  return true;
}

void EncodeStrings(const std::vector<std::string_view>& values, std::string* out,
                   size_t max_dictionary, std::vector<std::string_view>* distinct,
                   uint32_t version) {
  if (distinct != nullptr) distinct->clear();
  // One pass hashes each value once: it finds the distinct values, in order
  // of first appearance, and each row's code among them, and stops counting
  // once there are too many for a dictionary.
  absl::flat_hash_map<std::string_view, uint32_t, StringHash, StringEq> index;
  std::vector<std::string_view> dictionary;
  std::vector<uint32_t> codes;
  codes.reserve(values.size());
  size_t plain_size = 0;
  std::string_view previous;
  for (std::string_view v : values) {
    plain_size += v.size() + 1;
    if (dictionary.size() > max_dictionary) continue;
    // Rows sorted by service repeat a value in runs (system, service,
    // host): a run costs one hash.
    if (!codes.empty() && v == previous) {
      codes.push_back(codes.back());
      continue;
    }
    previous = v;
    const auto [it, inserted] = index.try_emplace(v, static_cast<uint32_t>(dictionary.size()));
    if (inserted) dictionary.push_back(v);
    codes.push_back(it->second);
  }
  if (dictionary.size() <= max_dictionary) {
    size_t dictionary_size = 0;
    for (std::string_view v : dictionary) dictionary_size += v.size() + 1;
    // Indexes take a byte each below 128 distinct values, two below 16384.
    const size_t index_bytes = values.size() * (dictionary.size() < 128 ? 1 : 2);
    if (dictionary_size + index_bytes < plain_size) {
      // Sorted dictionary: first-appearance codes are renumbered.
      std::vector<uint32_t> order(dictionary.size());
      std::iota(order.begin(), order.end(), 0u);
      std::sort(order.begin(), order.end(),
                [&](uint32_t a, uint32_t b) { return dictionary[a] < dictionary[b]; });
      std::vector<uint32_t> sorted_code(dictionary.size());
      std::vector<std::string_view> sorted(dictionary.size());
      for (uint32_t i = 0; i < order.size(); ++i) {
        sorted_code[order[i]] = i;
        sorted[i] = dictionary[order[i]];
      }
      out->push_back(static_cast<char>(StringEncoding::kDictionary));
      PutVarint(out, sorted.size());
      for (std::string_view v : sorted) PutString(out, v);
      for (uint32_t code : codes) PutVarint(out, sorted_code[code]);
      if (distinct != nullptr) *distinct = std::move(sorted);
      return;
    }
  }
  if (version >= kHexStringsVersion) {
    if (const size_t length = HexLength(values); length > 0) {
      return PutHexStrings(values, length, out);
    }
    if (AllIpv4(values)) return PutIpv4Strings(values, out);
    std::vector<int64_t> numbers;
    if (std::optional<std::string_view> prefix = PrefixedNumbers(values, &numbers)) {
      out->push_back(static_cast<char>(StringEncoding::kPrefixedNumber));
      PutString(out, *prefix);
      return EncodeIntegers(numbers, out, version);
    }
  }
  out->push_back(static_cast<char>(StringEncoding::kPlain));
  for (std::string_view v : values) PutString(out, v);
}

absl::StatusOr<StringViews> DecodeStringViews(std::string_view data, size_t count,
                                              std::string* expanded, uint32_t version,
                                              const TemplateContext* templates) {
  if (count > data.size()) return Damaged("string");
  ByteReader in(data);
  uint8_t encoding = 0;
  if (!in.Byte(&encoding)) return Damaged("string");
  // Encodings stored as bytes or numbers are written out as plain text
  // first; the views point into that.
  const auto as_text = [&](bool expanded_ok, std::string_view what) -> absl::StatusOr<StringViews> {
    if (!expanded_ok) return Damaged(what);
    return DecodeStringViews(*expanded, count);
  };
  switch (static_cast<StringEncoding>(encoding)) {
    case StringEncoding::kHex:
      return as_text(expanded != nullptr && ExpandHexStrings(&in, count, expanded),
                     "hexadecimal string");
    case StringEncoding::kIpv4:
      return as_text(expanded != nullptr && ExpandIpv4Strings(&in, count, expanded),
                     "IPv4 address");
    case StringEncoding::kPrefixedNumber:
      return as_text(expanded != nullptr && ExpandPrefixedNumbers(&in, count, version, expanded),
                     "prefixed number");
    case StringEncoding::kTemplate: {
      // Written out one value after another, without lengths: the views
      // are made as the values are.
      StringViews out;
      if (version < kTemplateVersion || expanded == nullptr || templates == nullptr ||
          !ExpandTemplatedStrings(&in, count, templates->rows, templates->resolve, version,
                                  expanded, &out.values, templates->wanted)) {
        return Damaged("templated string");
      }
      return out;
    }
    case StringEncoding::kRowReferences: {
      StringViews out;
      if (version < kRowReferencesVersion || expanded == nullptr || templates == nullptr ||
          !ExpandRowReferences(&in, count, templates->column, templates->rows, templates->resolve,
                               version, expanded, &out.values, &out.codes)) {
        return Damaged("string of row references");
      }
      return out;
    }
    default:
      break;
  }
  StringViews out;
  if (encoding == static_cast<uint8_t>(StringEncoding::kPlain)) {
    out.values.resize(count);
    for (std::string_view& v : out.values) {
      if (!in.StringView(&v)) return Damaged("string");
    }
  } else if (encoding == static_cast<uint8_t>(StringEncoding::kDictionary)) {
    uint64_t size = 0;
    if (!in.Varint(&size) || size > in.remaining()) return Damaged("string dictionary");
    out.values.resize(size);
    for (std::string_view& d : out.values) {
      if (!in.StringView(&d)) return Damaged("string dictionary");
    }
    out.codes.resize(count);
    for (uint32_t& code : out.codes) {
      uint64_t i = 0;
      if (!in.Varint(&i) || i >= size) return Damaged("string");
      code = static_cast<uint32_t>(i);
    }
  } else {
    return Damaged("string");
  }
  if (!in.AtEnd()) return Damaged("string");
  return out;
}

absl::StatusOr<std::vector<std::string>> DecodeStrings(std::string_view data, size_t count) {
  std::string expanded;
  auto views = DecodeStringViews(data, count, &expanded);
  if (!views.ok()) return views.status();
  std::vector<std::string> values(count);
  for (size_t i = 0; i < count; ++i) values[i].assign(views->Get(i));
  return values;
}

}  // namespace mayak
