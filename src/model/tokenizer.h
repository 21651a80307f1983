// Splits text into the lower-cased words that text search matches: runs of
// letters, digits and '_' (bytes >= 0x80 count as letters, so UTF-8 words stay
// whole). "Connection refused: 10.0.0.7" -> connection, refused, 10, 0, 0, 7.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mayak {

std::vector<std::string> Tokenize(std::string_view text);

constexpr bool IsWordByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Calls fn(word) for each word of `text` as written (not lower-cased),
// without allocating: index building runs this over every stored message.
template <typename Fn>
void ForEachWord(std::string_view text, Fn&& fn) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !IsWordByte(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && IsWordByte(text[i])) ++i;
    if (i > start) fn(text.substr(start, i - start));
  }
}

// True when `tokens` appear contiguously, in order, in `text`.
bool ContainsTokenSequence(std::string_view text, const std::vector<std::string>& tokens);

}  // namespace mayak
