#include "query/filter.h"

#include <cmath>

#include "common/strings.h"
#include "model/tokenizer.h"

namespace mayak {
namespace {

absl::Status SyntaxError(size_t position, std::string_view what) {
  return absl::InvalidArgumentError(
      StrCat("query syntax error at position ", position, ": ", what));
}

// Reads a quoted string starting at query[*pos] == '"'; backslash escapes.
absl::StatusOr<std::string> ReadQuoted(std::string_view query, size_t* pos) {
  const size_t start = *pos;
  std::string out;
  ++*pos;
  while (*pos < query.size()) {
    const char c = query[*pos];
    if (c == '\\' && *pos + 1 < query.size()) {
      out.push_back(query[*pos + 1]);
      *pos += 2;
      continue;
    }
    if (c == '"') {
      ++*pos;
      return out;
    }
    out.push_back(c);
    ++*pos;
  }
  return SyntaxError(start, "unterminated quote");
}

// Reads an unquoted word: up to whitespace; a backslash escapes the next byte.
std::string ReadWord(std::string_view query, size_t* pos, bool stop_at_colon) {
  std::string out;
  while (*pos < query.size()) {
    const char c = query[*pos];
    if (IsAsciiSpace(c)) break;
    if (stop_at_colon && c == ':') break;
    if (c == '\\' && *pos + 1 < query.size()) {
      out.push_back(query[*pos + 1]);
      *pos += 2;
      continue;
    }
    out.push_back(c);
    ++*pos;
  }
  return out;
}

bool ValueEquals(const AttributeValue& actual, const FilterTerm& term) {
  if (const auto* s = std::get_if<std::string>(&actual)) return *s == term.value;
  if (const auto* i = std::get_if<int64_t>(&actual)) {
    int64_t v = 0;
    if (ParseInt(term.value, &v)) return v == *i;
    double d = 0;
    return ParseDouble(term.value, &d) && d == static_cast<double>(*i);
  }
  if (const auto* d = std::get_if<double>(&actual)) {
    double v = 0;
    return ParseDouble(term.value, &v) && v == *d;
  }
  bool b = false;
  return ParseBool(term.value, &b) && b == std::get<bool>(actual);
}

}  // namespace

absl::StatusOr<Filter> Filter::Parse(std::string_view query) {
  Filter filter;
  size_t pos = 0;
  bool expect_term = true;  // after `and` a term must follow
  bool any_term = false;    // `*` counts, though it adds no condition
  size_t and_position = 0;
  while (true) {
    while (pos < query.size() && IsAsciiSpace(query[pos])) ++pos;
    if (pos >= query.size()) break;
    const size_t start = pos;
    FilterTerm term;
    if (query[pos] == '"') {
      auto phrase = ReadQuoted(query, &pos);
      if (!phrase.ok()) return phrase.status();
      term.value = *std::move(phrase);
    } else if (query[pos] == '(' || query[pos] == ')') {
      return SyntaxError(pos, "parentheses are not supported yet: join terms with `and`");
    } else {
      std::string word = ReadWord(query, &pos, /*stop_at_colon=*/true);
      const std::string lower = ToLower(word);
      if (pos >= query.size() || query[pos] != ':') {
        if (lower == "and") {
          if (expect_term) return SyntaxError(start, "`and` needs a term on each side");
          expect_term = true;
          and_position = start;
          continue;
        }
        if (lower == "or" || lower == "not") {
          return SyntaxError(start, StrCat("`", lower,
                                           "` is not supported yet: only terms joined by "
                                           "`and` (field:value, words, \"phrases\")"));
        }
        if (word == "*") {
          // Kibana's "everything": a term every record matches.
          expect_term = false;
          any_term = true;
          continue;
        }
        term.value = std::move(word);
      } else {
        if (word.empty()) return SyntaxError(start, "a field name is missing before ':'");
        term.field = std::move(word);
        ++pos;  // ':'
        if (pos >= query.size() || IsAsciiSpace(query[pos])) {
          return SyntaxError(pos, StrCat("a value is missing after '", term.field, ":'"));
        }
        if (query[pos] == '"') {
          auto value = ReadQuoted(query, &pos);
          if (!value.ok()) return value.status();
          term.value = *std::move(value);
        } else {
          term.value = ReadWord(query, &pos, /*stop_at_colon=*/false);
          term.exists = term.value == "*";
        }
      }
    }
    term.tokens = Tokenize(term.value);
    if (term.field.empty() && term.tokens.empty()) {
      return SyntaxError(start, StrCat("'", term.value, "' has no words to search for"));
    }
    filter.terms_.push_back(std::move(term));
    expect_term = false;
    any_term = true;
  }
  if (expect_term && any_term) {
    return SyntaxError(and_position, "`and` needs a term on each side");
  }
  return filter;
}

bool Filter::Matches(const LogRecord& record) const {
  for (const FilterTerm& term : terms_) {
    if (term.field.empty() || term.field == field::kMessage) {
      if (!ContainsTokenSequence(record.message, term.tokens)) return false;
      continue;
    }
    std::optional<AttributeValue> value = GetFieldValue(record, term.field);
    if (!value) return false;
    if (term.exists) continue;
    if (term.field == field::kLevel) {
      if (!EqualsIgnoreCase(std::get<std::string>(*value), term.value)) return false;
      continue;
    }
    if (!ValueEquals(*value, term)) return false;
  }
  return true;
}

}  // namespace mayak
