#include "storage/record_codec.h"

#include <algorithm>
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

// The most bytes EncodeRecord writes for `r`: every varint at its longest.
size_t EncodedBound(const LogRecord& r) {
  size_t bytes = 7 * kMaxVarintLength + 1 + r.message.size() + r.system.size() + r.service.size();
  for (const Attribute& a : r.attributes) {
    // Key length, key, tag, and a value: a varint, 8 bytes, a byte or a string.
    bytes += 2 * kMaxVarintLength + 1 + a.key.size();
    if (const auto* s = std::get_if<std::string>(&a.value)) bytes += s->size();
  }
  return bytes;
}

// Writes through a pointer into room made beforehand (EncodedBound): the
// WAL encodes every record ingested, and appending byte by byte, each
// append checking the string's capacity, was most of that work.
class RecordWriter {
 public:
  explicit RecordWriter(char* at) : at_(at) {}
  char* at() const { return at_; }

  void Varint(uint64_t v) { at_ = EncodeVarint(at_, v); }
  void Byte(uint8_t b) { *at_++ = static_cast<char>(b); }
  void String(std::string_view s) {
    Varint(s.size());
    if (!s.empty()) std::memcpy(at_, s.data(), s.size());
    at_ += s.size();
  }
  void Fixed64(uint64_t v) {
    std::memcpy(at_, &v, 8);  // little-endian, as the format
    at_ += 8;
  }

 private:
  char* at_;
};

void EncodeRecord(const LogRecord& r, RecordWriter* out) {
  out->Varint(ZigZag(r.timestamp_ns));
  out->Varint(ZigZag(r.observed_timestamp_ns));
  out->Byte(static_cast<uint8_t>(r.level));
  out->String(r.message);
  out->String(r.system);
  out->String(r.service);
  out->Varint(r.attributes.size());
  for (const Attribute& a : r.attributes) {
    out->String(a.key);
    if (const auto* s = std::get_if<std::string>(&a.value)) {
      out->Byte(static_cast<uint8_t>(ValueTag::kString));
      out->String(*s);
    } else if (const auto* i = std::get_if<int64_t>(&a.value)) {
      out->Byte(static_cast<uint8_t>(ValueTag::kInt));
      out->Varint(ZigZag(*i));
    } else if (const auto* d = std::get_if<double>(&a.value)) {
      out->Byte(static_cast<uint8_t>(ValueTag::kDouble));
      out->Fixed64(std::bit_cast<uint64_t>(*d));
    } else {
      out->Byte(static_cast<uint8_t>(ValueTag::kBool));
      out->Byte(std::get<bool>(a.value) ? 1 : 0);
    }
  }
}

}  // namespace

void EncodeRecordBatch(const std::vector<LogRecord>& records, std::string* out) {
  PutVarint(out, records.size());
  // Room is made 64 KiB at a time (resizing fills it with zeros: not all
  // the caller reserved at once), and cut to what was written at the end.
  constexpr size_t kRoom = size_t{64} << 10;
  size_t used = out->size();
  for (const LogRecord& r : records) {
    const size_t bound = EncodedBound(r);
    if (out->size() - used < bound) out->resize(used + std::max(bound, kRoom));
    RecordWriter writer(out->data() + used);
    EncodeRecord(r, &writer);
    used = static_cast<size_t>(writer.at() - out->data());
  }
  out->resize(used);
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
