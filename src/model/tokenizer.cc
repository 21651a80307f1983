#include "model/tokenizer.h"

#include "common/strings.h"

namespace mayak {
std::vector<std::string> Tokenize(std::string_view text) {
  std::vector<std::string> tokens;
  ForEachWord(text, [&tokens](std::string_view word) { tokens.push_back(ToLower(word)); });
  return tokens;
}

bool ContainsTokenSequence(std::string_view text, const std::vector<std::string>& tokens) {
  if (tokens.empty()) return true;
  // Walks the words of `text` without allocating: this runs for every message
  // a search scans.
  const auto equals_lower = [](std::string_view word, const std::string& token) {
    if (word.size() != token.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      char c = word[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != token[i]) return false;
    }
    return true;
  };
  size_t i = 0;
  size_t matched = 0;  // tokens matched so far in a run of consecutive words
  size_t restart = 0;  // where the word after the run's first one begins
  while (i < text.size()) {
    while (i < text.size() && !IsWordByte(text[i])) ++i;
    const size_t start = i;
    while (i < text.size() && IsWordByte(text[i])) ++i;
    if (i == start) break;
    const std::string_view word = text.substr(start, i - start);
    if (equals_lower(word, tokens[matched])) {
      if (matched == 0) restart = i;
      if (++matched == tokens.size()) return true;
    } else if (matched > 0) {
      // Retry the sequence from the word after where this run began.
      matched = 0;
      i = restart;
    }
  }
  return false;
}

}  // namespace mayak
