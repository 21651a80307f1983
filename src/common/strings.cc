#include "common/strings.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace mayak {
namespace {

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char UpperAscii(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

std::string_view StripWhitespace(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

std::string ToUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = UpperAscii(c);
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char separator, bool skip_empty) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = s.find(separator, start);
    const std::string_view part =
        s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (!(skip_empty && part.empty())) parts.push_back(part);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

std::string ReplaceAll(std::string_view s, std::string_view from, std::string_view to) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t found = from.empty() ? std::string_view::npos : s.find(from, pos);
    if (found == std::string_view::npos) {
      out.append(s.substr(pos));
      return out;
    }
    out.append(s.substr(pos, found - pos)).append(to);
    pos = found + from.size();
  }
}

bool ParseDouble(std::string_view s, double* out) {
  s = StripWhitespace(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto result = std::from_chars(s.data(), s.data() + s.size(), *out);
  return result.ec == std::errc() && result.ptr == s.data() + s.size();
}

std::string FormatDouble(double value) {
  char buf[32];
  for (int precision = 6; precision < 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) return buf;
  }
  std::snprintf(buf, sizeof(buf), "%.17g", value);
  return buf;
}

bool ParseBool(std::string_view s, bool* out) {
  s = StripWhitespace(s);
  for (std::string_view t : {"true", "yes", "on", "1"}) {
    if (EqualsIgnoreCase(s, t)) {
      *out = true;
      return true;
    }
  }
  for (std::string_view f : {"false", "no", "off", "0"}) {
    if (EqualsIgnoreCase(s, f)) {
      *out = false;
      return true;
    }
  }
  return false;
}

bool WildcardMatch(std::string_view pattern, std::string_view text) {
  const size_t star = pattern.find('*');
  if (star == std::string_view::npos) return pattern == text;
  if (!text.starts_with(pattern.substr(0, star))) return false;
  pattern.remove_prefix(star + 1);
  text.remove_prefix(star);
  for (size_t skip = 0; skip <= text.size(); ++skip) {
    if (WildcardMatch(pattern, text.substr(skip))) return true;
  }
  return false;
}

}  // namespace mayak
