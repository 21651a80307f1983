#include "model/tokenizer.h"

#include "common/strings.h"

namespace mayak {
namespace {

bool IsWordByte(char c) {
  return IsAsciiAlnum(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

}  // namespace

std::vector<std::string> Tokenize(std::string_view text) {
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !IsWordByte(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && IsWordByte(text[i])) ++i;
    if (i > start) tokens.push_back(ToLower(text.substr(start, i - start)));
  }
  return tokens;
}

bool ContainsTokenSequence(std::string_view text, const std::vector<std::string>& tokens) {
  if (tokens.empty()) return true;
  const std::vector<std::string> words = Tokenize(text);
  if (words.size() < tokens.size()) return false;
  for (size_t start = 0; start + tokens.size() <= words.size(); ++start) {
    size_t k = 0;
    while (k < tokens.size() && words[start + k] == tokens[k]) ++k;
    if (k == tokens.size()) return true;
  }
  return false;
}

}  // namespace mayak
