// String helpers on std::string_view. Debian's Abseil is built with its own
// absl::string_view (not std::string_view), so Abseil's string functions do
// not accept the std::string_view that the rest of Mayak, simdjson and Beast
// use; these take std types and, where Abseil does the work, adapt.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"

namespace mayak {
namespace strings_internal {

template <typename T>
decltype(auto) Adapt(const T& value) {
  if constexpr (std::is_convertible_v<const T&, std::string_view> && !std::is_same_v<T, char>) {
    const std::string_view s(value);
    return absl::string_view(s.data(), s.size());
  } else {
    return (value);
  }
}

}  // namespace strings_internal

// Concatenates strings, string views and numbers.
template <typename... Args>
std::string StrCat(const Args&... args) {
  return absl::StrCat(strings_internal::Adapt(args)...);
}
template <typename... Args>
void StrAppend(std::string* out, const Args&... args) {
  absl::StrAppend(out, strings_internal::Adapt(args)...);
}

inline bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsAsciiAlnum(char c) {
  return IsAsciiDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view StripWhitespace(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ToLower(std::string_view s);
std::string ToUpper(std::string_view s);
inline bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}
std::vector<std::string_view> Split(std::string_view s, char separator, bool skip_empty = false);
std::string ReplaceAll(std::string_view s, std::string_view from, std::string_view to);

template <typename Container>
std::string Join(const Container& parts, std::string_view separator) {
  std::string out;
  bool first = true;
  for (const auto& part : parts) {
    if (!first) out.append(separator);
    first = false;
    out.append(std::string_view(part));
  }
  return out;
}

// Whole-string number parsing (surrounding whitespace allowed); false on any
// other character or overflow.
template <typename Int>
bool ParseInt(std::string_view s, Int* out) {
  s = StripWhitespace(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto result = std::from_chars(s.data(), s.data() + s.size(), *out);
  return result.ec == std::errc() && result.ptr == s.data() + s.size();
}
bool ParseDouble(std::string_view s, double* out);
// The shortest text that reads back as `value` ("0.1", "1e+21", "123").
std::string FormatDouble(double value);
// Whether all of `text` matches `pattern`, where `*` matches any text.
bool WildcardMatch(std::string_view pattern, std::string_view text);

// true/false, yes/no, on/off, 1/0, any case.
bool ParseBool(std::string_view s, bool* out);

}  // namespace mayak
