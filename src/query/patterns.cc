#include "query/patterns.h"

#include "common/strings.h"

namespace mayak {
namespace {

bool IsHexDigit(char c) {
  return IsAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Characters that separate the tokens whose shape decides what is masked.
bool IsSeparator(char c) {
  return IsAsciiSpace(c) || c == ',' || c == ';' || c == '(' || c == ')' || c == '[' || c == ']' ||
         c == '{' || c == '}' || c == '=' || c == '/' || c == '"' || c == '\'' || c == '<' ||
         c == '>' || c == '#' || c == '&' || c == '?';
}

bool IsIpv4(std::string_view t) {
  int parts = 0;
  size_t i = 0;
  while (i < t.size()) {
    size_t digits = 0;
    while (i < t.size() && IsAsciiDigit(t[i]) && digits < 4) {
      ++i;
      ++digits;
    }
    if (digits == 0 || digits > 3) return false;
    ++parts;
    if (i == t.size()) break;
    if (t[i] != '.' || parts == 4) return false;
    ++i;
  }
  return parts == 4 && !t.ends_with('.');
}

bool IsUuid(std::string_view t) {
  if (t.size() != 36) return false;
  for (size_t i = 0; i < t.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? t[i] != '-' : !IsHexDigit(t[i])) return false;
  }
  return true;
}

// 0x and hex digits, or 8 or more hex digits with both decimal digits and
// letters among them (digits alone are a number).
bool IsHexId(std::string_view t) {
  const bool prefixed = t.starts_with("0x") || t.starts_with("0X");
  if (prefixed) t.remove_prefix(2);
  if (t.empty() || (!prefixed && t.size() < 8)) return false;
  bool digit = false;
  bool letter = false;
  for (char c : t) {
    if (!IsHexDigit(c)) return false;
    digit |= IsAsciiDigit(c);
    letter |= !IsAsciiDigit(c);
  }
  return prefixed || (digit && letter);
}

// A token with its digit runs (and their decimals) masked: u17 -> u<num>,
// 12ms -> <num>ms, 3.25s -> <num>s.
void AppendMaskedNumbers(std::string_view t, std::string* out) {
  size_t i = 0;
  while (i < t.size()) {
    if (!IsAsciiDigit(t[i])) {
      out->push_back(t[i++]);
      continue;
    }
    while (i < t.size() && IsAsciiDigit(t[i])) ++i;
    if (i + 1 < t.size() && t[i] == '.' && IsAsciiDigit(t[i + 1])) {
      ++i;
      while (i < t.size() && IsAsciiDigit(t[i])) ++i;
    }
    out->append("<num>");
  }
}

void AppendToken(std::string_view t, std::string* out) {
  if (IsIpv4(t)) {
    out->append("<ip>");
  } else if (IsUuid(t)) {
    out->append("<uuid>");
  } else if (IsHexId(t)) {
    out->append("<hex>");
  } else {
    AppendMaskedNumbers(t, out);
  }
}

}  // namespace

std::string MessagePattern(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"' || c == '\'') {
      // A quoted string closed on the same line is masked whole.
      const size_t close = text.find(c, i + 1);
      const size_t line_end = text.find('\n', i + 1);
      if (close != std::string_view::npos && close < line_end) {
        out.push_back(c);
        out.append("<str>");
        out.push_back(c);
        i = close + 1;
        continue;
      }
      out.push_back(c);
      ++i;
      continue;
    }
    if (IsAsciiSpace(c)) {
      while (i < text.size() && IsAsciiSpace(text[i])) ++i;
      if (!out.empty() && i < text.size()) out.push_back(' ');
      continue;
    }
    if (IsSeparator(c)) {
      out.push_back(c);
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < text.size() && !IsSeparator(text[i])) ++i;
    // A trailing ':' or '.' belongs to the sentence, not the token.
    size_t end = i;
    while (end > start && (text[end - 1] == ':' || text[end - 1] == '.')) --end;
    AppendToken(text.substr(start, end - start), &out);
    out.append(text.substr(end, i - end));
  }
  return out;
}

}  // namespace mayak
