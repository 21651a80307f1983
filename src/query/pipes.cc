#include "query/pipes.h"

#include "common/strings.h"
#include "common/timestamps.h"
#include "common/units.h"

namespace mayak {
namespace {

absl::Status SyntaxError(size_t position, std::string_view what) {
  return absl::InvalidArgumentError(
      StrCat("query syntax error at position ", position, ": ", what));
}

// Where the first `|` outside double quotes is, or npos.
size_t FindPipe(std::string_view query) {
  bool quoted = false;
  for (size_t i = 0; i < query.size(); ++i) {
    if (query[i] == '\\') {
      ++i;
    } else if (query[i] == '"') {
      quoted = !quoted;
    } else if (query[i] == '|' && !quoted) {
      return i;
    }
  }
  return std::string_view::npos;
}

// A word of a pipe stage and where it starts in the whole query.
struct Word {
  std::string_view text;
  size_t position;
};

// Splits a stage into words at spaces and commas (`by a, b` = `by a b`).
std::vector<Word> Words(std::string_view stage, size_t offset) {
  std::vector<Word> words;
  size_t i = 0;
  while (i < stage.size()) {
    while (i < stage.size() && (IsAsciiSpace(stage[i]) || stage[i] == ',')) ++i;
    const size_t start = i;
    while (i < stage.size() && !IsAsciiSpace(stage[i]) && stage[i] != ',') ++i;
    if (i > start) words.push_back({stage.substr(start, i - start), offset + start});
  }
  return words;
}

}  // namespace

absl::StatusOr<PipedQuery> ParsePipes(std::string_view query) {
  PipedQuery parsed;
  const size_t pipe = FindPipe(query);
  parsed.filter = std::string(query.substr(0, pipe));
  if (pipe == std::string_view::npos) return parsed;
  const std::string_view rest = query.substr(pipe + 1);
  if (const size_t second = FindPipe(rest); second != std::string_view::npos) {
    return SyntaxError(pipe + 1 + second,
                       "only one pipe stage (stats or timechart) is supported so far");
  }
  const std::vector<Word> words = Words(rest, pipe + 1);
  if (words.empty()) return SyntaxError(query.size(), "expected stats or timechart after `|`");
  CountPipe count;
  size_t i = 1;
  const std::string command = ToLower(words[0].text);
  if (command == "timechart") {
    count.timechart = true;
    if (i < words.size() && ToLower(words[i].text).starts_with("span=")) {
      auto span = ParseDurationNanos(words[i].text.substr(5));
      if (!span.ok() || *span <= 0) {
        return SyntaxError(words[i].position + 5,
                           StrCat("span '", words[i].text.substr(5),
                                  "' is not a positive duration such as 30s, 1m or 1h"));
      }
      count.span_ns = *span;
      ++i;
    }
  } else if (command != "stats") {
    return SyntaxError(words[0].position, StrCat("unknown pipe command '", words[0].text,
                                                 "': expected stats or timechart"));
  }
  if (i >= words.size() || ToLower(words[i].text) != "count()") {
    const size_t at = i < words.size() ? words[i].position : query.size();
    return SyntaxError(at, "expected count() (the only aggregation so far)");
  }
  ++i;
  if (i < words.size()) {
    if (ToLower(words[i].text) != "by") {
      return SyntaxError(words[i].position,
                         StrCat("expected `by` after count(), found '", words[i].text, "'"));
    }
    ++i;
    if (i >= words.size()) return SyntaxError(query.size(), "expected a field name after `by`");
    for (; i < words.size(); ++i) count.by.emplace_back(words[i].text);
    if (count.timechart && count.by.size() > 1) {
      return SyntaxError(words[words.size() - 1].position, "timechart splits by one field at most");
    }
  }
  parsed.count = std::move(count);
  return parsed;
}

int64_t AutoSpan(int64_t from_ns, int64_t to_ns, int64_t max_buckets) {
  constexpr int64_t kSecond = kNanosPerSecond;
  constexpr int64_t kSpans[] = {kSecond,        5 * kSecond,     10 * kSecond,   30 * kSecond,
                                60 * kSecond,   300 * kSecond,   600 * kSecond,  1800 * kSecond,
                                3600 * kSecond, 10800 * kSecond, 43200 * kSecond};
  // Unsigned: any from <= to has a range that fits.
  const uint64_t range =
      to_ns > from_ns ? static_cast<uint64_t>(to_ns) - static_cast<uint64_t>(from_ns) : 0;
  for (int64_t span : kSpans) {
    if (range / static_cast<uint64_t>(span) < static_cast<uint64_t>(max_buckets)) return span;
  }
  return kNanosPerDay;
}

}  // namespace mayak
