#include "agent/event_fields.h"

#include "common/strings.h"
#include "common/timestamps.h"

namespace mayak::agent {
std::optional<int64_t> ParseLogTime(std::string_view text) {
  text = StripWhitespace(text);
  int64_t epoch = 0;
  if (ParseInt(text, &epoch)) return EpochIntegerToNanos(epoch);
  // Epoch with a fraction ("1796637600.25"), exactly: the unit from the
  // whole part's digits, as for whole numbers.
  if (const size_t dot = text.find('.'); dot != std::string_view::npos && dot > 0 &&
                                         ParseInt(text.substr(0, dot), &epoch) && epoch >= 0) {
    const std::string_view fraction = text.substr(dot + 1);
    int64_t fraction_value = 0;
    if (!fraction.empty() && ParseInt(fraction, &fraction_value) && fraction_value >= 0) {
      // The same magnitudes as EpochIntegerToNanos tells units by.
      const int scale_digits = epoch < 100'000'000'000LL           ? 9
                               : epoch < 100'000'000'000'000LL     ? 6
                               : epoch < 100'000'000'000'000'000LL ? 3
                                                                   : 0;
      std::string padded(fraction.substr(0, static_cast<size_t>(scale_digits)));
      padded.resize(static_cast<size_t>(scale_digits), '0');
      int64_t below = 0;
      if (!padded.empty()) ParseInt(padded, &below);
      return EpochIntegerToNanos(epoch) + below;
    }
  }
  std::string s(text);
  if (s.size() > 20 && s[19] == ',') s[19] = '.';  // 2026-12-07 10:00:00,123
  for (std::string_view zone : {" UTC", " GMT", " Z"}) {
    if (s.size() > zone.size() && std::string_view(s).substr(s.size() - zone.size()) == zone) {
      s.resize(s.size() - zone.size());
      break;
    }
  }
  auto parsed = ParseRfc3339(s);
  if (!parsed.ok() || s.size() < 19) return std::nullopt;  // a bare date is no event time
  return *parsed;
}

bool EventFields::Begin(std::string_view key) {
  if (reserved_->contains(key)) return false;
  if (key == "message" || key == "msg") has_message_ = true;
  out_->Key(key);
  return true;
}

void EventFields::NoteKey(std::string_view key) {
  // The names the server reads the event time from.
  if (key == "@timestamp" || key == "timestamp") has_timestamp_ = true;
  if (key == "message" || key == "msg") has_message_ = true;
}

void EventFields::String(std::string_view key, std::string_view value) {
  if (Begin(key)) out_->String(value);
}

void EventFields::Int(std::string_view key, int64_t value) {
  if (Begin(key)) out_->Int(value);
}

void EventFields::Raw(std::string_view key, std::string_view json) {
  if (Begin(key)) out_->Raw(json);
}

void EventFields::Typed(std::string_view key, std::string_view value) {
  int64_t integer = 0;
  double decimal = 0;
  if (ParseInt(value, &integer)) return Int(key, integer);
  if (!value.empty() && (IsAsciiDigit(value[0]) || value[0] == '-') &&
      ParseDouble(value, &decimal)) {
    if (Begin(key)) out_->Double(decimal);
    return;
  }
  if (value == "true" || value == "false") {
    if (Begin(key)) out_->Bool(value == "true");
    return;
  }
  String(key, value);
}

void EventFields::Time(std::string_view key, std::string_view text) {
  if (!has_timestamp_ && !reserved_->contains("@timestamp")) {
    if (std::optional<int64_t> nanos = ParseLogTime(text)) return Timestamp(*nanos);
    ParseError(StrCat(key, ": '", text, "' is not a time the agent knows"));
  }
  // Kept as text, under a name the server does not read as the event time
  // (which would refuse the whole event for a time it cannot parse).
  const bool server_time = key == "@timestamp" || key == "timestamp";
  String(server_time ? "log.time_text" : key, text);
}

void EventFields::Timestamp(int64_t unix_nanos) {
  if (has_timestamp_ || !Begin("@timestamp")) return;
  has_timestamp_ = true;
  out_->String(FormatRfc3339(unix_nanos));
}

void EventFields::ParseError(std::string_view why) {
  if (has_error_ || !Begin("agent.parse_error")) return;
  has_error_ = true;
  out_->String(why);
}

}  // namespace mayak::agent
