// A streaming JSON writer that appends straight to a std::string. Replies such
// as search results are written without building a document tree first.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/inlined_vector.h"

namespace mayak {

// Appends `s` as a quoted JSON string with the escapes RFC 8259 requires.
// Invalid UTF-8 bytes are replaced by U+FFFD so that the output always parses.
void AppendJsonString(std::string* out, std::string_view s);

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // Object key; the next call writes its value.
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  // Non-finite doubles have no JSON form and are written as null.
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Inserts already-serialized JSON as one value.
  JsonWriter& Raw(std::string_view json);
  // Inserts already-serialized members ("\"a\":1,\"b\":2") into the open
  // object, as if each had been written with Key and a value.
  JsonWriter& RawMembers(std::string_view members);

 private:
  void BeforeValue();

  std::string* out_;
  // One entry per open container: true once it holds an element. Inline:
  // a writer an event, as the agent has, allocates nothing for it.
  absl::InlinedVector<bool, 8> has_element_;
  bool after_key_ = false;
};

}  // namespace mayak
