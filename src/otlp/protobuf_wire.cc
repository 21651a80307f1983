#include "otlp/protobuf_wire.h"

#include <cstring>

#include "common/strings.h"

namespace mayak::protobuf {

void WireReader::Fail(std::string_view why) {
  if (status_.ok()) {
    status_ =
        absl::InvalidArgumentError(StrCat("invalid protobuf at byte ", base_ + at_, ": ", why));
  }
  at_ = data_.size();
}

bool WireReader::Next(uint32_t* field, WireType* type) {
  if (!ok() || at_ >= data_.size()) return false;
  const uint64_t key = Varint();
  if (!ok()) return false;
  const uint64_t number = key >> 3;
  const auto wire = static_cast<uint8_t>(key & 7);
  if (number == 0 || number > (1u << 29) - 1) {
    Fail(StrCat("field number ", number, " is out of range"));
    return false;
  }
  if (wire != 0 && wire != 1 && wire != 2 && wire != 5) {
    Fail(StrCat("wire type ", wire, " of field ", number, " is not supported"));
    return false;
  }
  *field = static_cast<uint32_t>(number);
  *type = static_cast<WireType>(wire);
  return true;
}

uint64_t WireReader::Varint() {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (at_ >= data_.size()) {
      Fail("a varint runs past the end");
      return 0;
    }
    const auto byte = static_cast<uint8_t>(data_[at_++]);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  Fail("a varint is longer than 10 bytes");
  return 0;
}

uint64_t WireReader::Fixed64() {
  if (data_.size() - at_ < 8) {
    Fail("a fixed64 runs past the end");
    return 0;
  }
  uint64_t value = 0;
  std::memcpy(&value, data_.data() + at_, 8);  // little-endian, as the wire
  at_ += 8;
  return value;
}

uint32_t WireReader::Fixed32() {
  if (data_.size() - at_ < 4) {
    Fail("a fixed32 runs past the end");
    return 0;
  }
  uint32_t value = 0;
  std::memcpy(&value, data_.data() + at_, 4);
  at_ += 4;
  return value;
}

std::string_view WireReader::Bytes() {
  const uint64_t length = Varint();
  if (!ok()) return {};
  if (length > data_.size() - at_) {
    Fail(StrCat("a length of ", length, " runs past the end (", data_.size() - at_, " left)"));
    return {};
  }
  const std::string_view bytes = data_.substr(at_, length);
  at_ += length;
  return bytes;
}

void WireReader::Skip(WireType type) {
  switch (type) {
    case WireType::kVarint:
      Varint();
      return;
    case WireType::kFixed64:
      Fixed64();
      return;
    case WireType::kFixed32:
      Fixed32();
      return;
    case WireType::kLengthDelimited:
      Bytes();
      return;
  }
}

namespace {
void PutVarint(std::string* out, uint64_t value) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}
}  // namespace

void PutVarintField(std::string* out, uint32_t field, uint64_t value) {
  PutVarint(out, (static_cast<uint64_t>(field) << 3) | 0);
  PutVarint(out, value);
}

void PutFixed64Field(std::string* out, uint32_t field, uint64_t value) {
  PutVarint(out, (static_cast<uint64_t>(field) << 3) | 1);
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void PutBytesField(std::string* out, uint32_t field, std::string_view bytes) {
  PutVarint(out, (static_cast<uint64_t>(field) << 3) | 2);
  PutVarint(out, bytes.size());
  out->append(bytes);
}

}  // namespace mayak::protobuf
