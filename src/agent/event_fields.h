// What a line parser fills: the fields of one event, written as members of
// its JSON object (the NDJSON line the agent sends). Fields the input's
// configuration sets, and those the agent writes itself, are left out: they
// win over a line's own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "common/json_writer.h"
#include "common/string_hash.h"

namespace mayak::agent {

using ReservedFields = absl::flat_hash_set<std::string, StringHash, StringEq>;

// A time as logs write it: RFC 3339 (a space for 'T', a comma before the
// fraction as log4j writes it, "UTC"/"GMT" after it), or epoch seconds,
// milliseconds, microseconds or nanoseconds. Zone-less times are UTC.
std::optional<int64_t> ParseLogTime(std::string_view text);

// The names parsers read an event's time from: timestamp, @timestamp, time, ts.
inline bool IsTimeFieldName(std::string_view name) {
  return name == "timestamp" || name == "@timestamp" || name == "time" || name == "ts";
}

class EventFields {
 public:
  EventFields(const ReservedFields* reserved, JsonWriter* out) : reserved_(reserved), out_(out) {}

  void String(std::string_view key, std::string_view value);
  void Int(std::string_view key, int64_t value);
  // Integers, decimals, true and false keep their type; anything else is text.
  void Typed(std::string_view key, std::string_view value);
  // JSON text as is (a parser that validated it).
  void Raw(std::string_view key, std::string_view json);
  // Members of a JSON object as they are ("\"a\":1,\"b\":2"), none reserved.
  void RawMembers(std::string_view members) { out_->RawMembers(members); }
  // A time under any name (timestamp, time, ts, @timestamp): @timestamp
  // when it parses, else a parse error that keeps the text.
  void Time(std::string_view key, std::string_view text);
  void Timestamp(int64_t unix_nanos);
  // Why (part of) a line was not understood (`agent.parse_error`); the
  // event is still sent, with its text.
  void ParseError(std::string_view why);

  bool Reserved(std::string_view key) const { return reserved_->contains(key); }
  bool has_timestamp() const { return has_timestamp_; }
  bool has_message() const { return has_message_; }
  // For parsers that copy a line's members as they are (JSON).
  void NoteKey(std::string_view key);

 private:
  bool Begin(std::string_view key);

  const ReservedFields* reserved_;
  JsonWriter* out_;
  bool has_timestamp_ = false;
  bool has_message_ = false;
  bool has_error_ = false;
};

}  // namespace mayak::agent
