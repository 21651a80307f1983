// The protobuf wire format (varints, fixed 32/64-bit, length-delimited),
// read and written by hand: OTLP needs a handful of messages, and a reader
// that checks every length against the input is smaller than a generated
// parser and its library.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace mayak::protobuf {

enum class WireType : uint8_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

// Reads the fields of one message. Every read checks the input's bounds;
// an error names the byte offset from the start of the outermost message.
class WireReader {
 public:
  explicit WireReader(std::string_view data, size_t base_offset = 0)
      : data_(data), base_(base_offset) {}

  // Reads the next field's key; false at the end or on an error (see status()).
  bool Next(uint32_t* field, WireType* type);
  uint64_t Varint();
  uint64_t Fixed64();
  uint32_t Fixed32();
  std::string_view Bytes();
  // A reader of the length-delimited field just read by Bytes(): nested
  // messages report offsets from the same origin.
  WireReader Nested(std::string_view bytes) const {
    return WireReader(bytes, base_ + static_cast<size_t>(bytes.data() - data_.data()));
  }
  // Skips the value of a field of `type` (unknown fields are skipped).
  void Skip(WireType type);

  const absl::Status& status() const { return status_; }
  bool ok() const { return status_.ok(); }
  // Records an error at the current offset (for checks of the caller's).
  void Fail(std::string_view why);

 private:
  std::string_view data_;
  size_t base_;
  size_t at_ = 0;
  absl::Status status_;
};

// Appends fields to a message.
void PutVarintField(std::string* out, uint32_t field, uint64_t value);
void PutBytesField(std::string* out, uint32_t field, std::string_view bytes);
void PutFixed64Field(std::string* out, uint32_t field, uint64_t value);

}  // namespace mayak::protobuf
