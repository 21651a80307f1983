#include "storage/record_codec.h"

#include <bit>
#include <cstring>

#include "common/strings.h"
#include "storage/coding.h"

namespace mayak {
namespace {

enum class ValueTag : uint8_t { kString = 0, kInt = 1, kDouble = 2, kBool = 3 };

absl::Status Corrupt(std::string_view what) {
  return absl::DataLossError(StrCat("record batch is malformed: ", what));
}

}  // namespace

void EncodeRecordBatch(const std::vector<LogRecord>& records, std::string* out) {
  PutVarint(out, records.size());
  for (const LogRecord& r : records) {
    PutVarint(out, ZigZag(r.timestamp_ns));
    PutVarint(out, ZigZag(r.observed_timestamp_ns));
    out->push_back(static_cast<char>(r.level));
    PutString(out, r.message);
    PutString(out, r.system);
    PutString(out, r.service);
    PutVarint(out, r.attributes.size());
    for (const Attribute& a : r.attributes) {
      PutString(out, a.key);
      if (const auto* s = std::get_if<std::string>(&a.value)) {
        out->push_back(static_cast<char>(ValueTag::kString));
        PutString(out, *s);
      } else if (const auto* i = std::get_if<int64_t>(&a.value)) {
        out->push_back(static_cast<char>(ValueTag::kInt));
        PutVarint(out, ZigZag(*i));
      } else if (const auto* d = std::get_if<double>(&a.value)) {
        out->push_back(static_cast<char>(ValueTag::kDouble));
        PutFixed64(out, std::bit_cast<uint64_t>(*d));
      } else {
        out->push_back(static_cast<char>(ValueTag::kBool));
        out->push_back(std::get<bool>(a.value) ? 1 : 0);
      }
    }
  }
}

absl::StatusOr<std::vector<LogRecord>> DecodeRecordBatch(std::string_view data) {
  ByteReader in(data);
  uint64_t count = 0;
  if (!in.Varint(&count)) return Corrupt("no record count");
  // Each record takes at least 7 bytes: a bound that stops absurd reservations.
  if (count > data.size() / 7 + 1) return Corrupt("record count exceeds the data");
  std::vector<LogRecord> records(count);
  for (LogRecord& r : records) {
    uint64_t ts = 0;
    uint64_t observed = 0;
    uint8_t level = 0;
    uint64_t attribute_count = 0;
    if (!in.Varint(&ts) || !in.Varint(&observed) || !in.Byte(&level) || !in.String(&r.message) ||
        !in.String(&r.system) || !in.String(&r.service) || !in.Varint(&attribute_count)) {
      return Corrupt("truncated record");
    }
    if (level > static_cast<uint8_t>(Level::kFatal)) return Corrupt("bad level");
    if (attribute_count > data.size()) return Corrupt("attribute count exceeds the data");
    r.timestamp_ns = UnZigZag(ts);
    r.observed_timestamp_ns = UnZigZag(observed);
    r.level = static_cast<Level>(level);
    r.attributes.resize(attribute_count);
    for (Attribute& a : r.attributes) {
      uint8_t tag = 0;
      if (!in.String(&a.key) || !in.Byte(&tag)) return Corrupt("truncated attribute");
      switch (static_cast<ValueTag>(tag)) {
        case ValueTag::kString: {
          std::string s;
          if (!in.String(&s)) return Corrupt("truncated string value");
          a.value = std::move(s);
          break;
        }
        case ValueTag::kInt: {
          uint64_t v = 0;
          if (!in.Varint(&v)) return Corrupt("truncated integer value");
          a.value = UnZigZag(v);
          break;
        }
        case ValueTag::kDouble: {
          uint64_t bits = 0;
          if (!in.Fixed64(&bits)) return Corrupt("truncated double value");
          a.value = std::bit_cast<double>(bits);
          break;
        }
        case ValueTag::kBool: {
          uint8_t b = 0;
          if (!in.Byte(&b) || b > 1) return Corrupt("bad boolean value");
          a.value = b == 1;
          break;
        }
        default:
          return Corrupt("unknown value type");
      }
    }
  }
  if (!in.AtEnd()) return Corrupt("trailing bytes");
  return records;
}

}  // namespace mayak
