// Splits text into the lower-cased words that text search matches: runs of
// letters, digits and '_' (bytes >= 0x80 count as letters, so UTF-8 words stay
// whole). "Connection refused: 10.0.0.7" -> connection, refused, 10, 0, 0, 7.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mayak {

std::vector<std::string> Tokenize(std::string_view text);

// True when `tokens` appear contiguously, in order, in `text`.
bool ContainsTokenSequence(std::string_view text, const std::vector<std::string>& tokens);

}  // namespace mayak
