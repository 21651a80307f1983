#include "storage/column_encoding.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "common/strings.h"
#include "storage/coding.h"

namespace mayak {
namespace {

absl::Status Damaged(std::string_view column_kind) {
  return absl::DataLossError(StrCat("damaged ", column_kind, " column"));
}

}  // namespace

void EncodeTimestamps(const std::vector<int64_t>& values, std::string* out) {
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

absl::StatusOr<std::vector<int64_t>> DecodeTimestamps(std::string_view data, size_t count) {
  if (count > data.size()) return Damaged("timestamp");  // at least a byte a value
  ByteReader in(data);
  std::vector<int64_t> values(count);
  uint64_t previous = 0;
  uint64_t previous_delta = 0;
  for (int64_t& v : values) {
    uint64_t encoded = 0;
    if (!in.Varint(&encoded)) return Damaged("timestamp");
    const uint64_t delta = previous_delta + static_cast<uint64_t>(UnZigZag(encoded));
    previous += delta;
    previous_delta = delta;
    v = static_cast<int64_t>(previous);
  }
  if (!in.AtEnd()) return Damaged("timestamp");
  return values;
}

void EncodeIntegers(const std::vector<int64_t>& values, std::string* out) {
  const int64_t min = values.empty() ? 0 : *std::min_element(values.begin(), values.end());
  PutVarint(out, ZigZag(min));
  for (int64_t v : values) PutVarint(out, static_cast<uint64_t>(v) - static_cast<uint64_t>(min));
}

absl::StatusOr<std::vector<int64_t>> DecodeIntegers(std::string_view data, size_t count) {
  if (count > data.size()) return Damaged("integer");
  ByteReader in(data);
  uint64_t min = 0;
  if (!in.Varint(&min)) return Damaged("integer");
  const auto base = static_cast<uint64_t>(UnZigZag(min));
  std::vector<int64_t> values(count);
  for (int64_t& v : values) {
    uint64_t offset = 0;
    if (!in.Varint(&offset)) return Damaged("integer");
    v = static_cast<int64_t>(base + offset);
  }
  if (!in.AtEnd()) return Damaged("integer");
  return values;
}

void EncodeStrings(const std::vector<std::string_view>& values, std::string* out,
                   size_t max_dictionary, std::vector<std::string_view>* distinct) {
  if (distinct != nullptr) distinct->clear();
  absl::flat_hash_map<std::string_view, uint32_t> index;
  size_t plain_size = 0;
  for (std::string_view v : values) {
    plain_size += v.size() + 1;
    if (index.size() <= max_dictionary) index.emplace(v, 0);
  }
  if (index.size() <= max_dictionary) {
    std::vector<std::string_view> dictionary;
    dictionary.reserve(index.size());
    size_t dictionary_size = 0;
    for (const auto& [value, unused] : index) {
      dictionary.push_back(value);
      dictionary_size += value.size() + 1;
    }
    // Indexes take a byte each below 128 distinct values, two below 16384.
    const size_t index_bytes = values.size() * (dictionary.size() < 128 ? 1 : 2);
    if (dictionary_size + index_bytes < plain_size) {
      std::sort(dictionary.begin(), dictionary.end());
      for (uint32_t i = 0; i < dictionary.size(); ++i) index[dictionary[i]] = i;
      out->push_back(static_cast<char>(StringEncoding::kDictionary));
      PutVarint(out, dictionary.size());
      for (std::string_view v : dictionary) PutString(out, v);
      for (std::string_view v : values) PutVarint(out, index[v]);
      if (distinct != nullptr) *distinct = std::move(dictionary);
      return;
    }
  }
  out->push_back(static_cast<char>(StringEncoding::kPlain));
  for (std::string_view v : values) PutString(out, v);
}

absl::StatusOr<StringViews> DecodeStringViews(std::string_view data, size_t count) {
  if (count > data.size()) return Damaged("string");
  ByteReader in(data);
  uint8_t encoding = 0;
  if (!in.Byte(&encoding)) return Damaged("string");
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
  auto views = DecodeStringViews(data, count);
  if (!views.ok()) return views.status();
  std::vector<std::string> values(count);
  for (size_t i = 0; i < count; ++i) values[i].assign(views->Get(i));
  return values;
}

}  // namespace mayak
