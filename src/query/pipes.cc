#include "query/pipes.h"

#include <limits>
#include <optional>

#include "common/status_macros.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "common/units.h"
#include "mayak/fields.h"

namespace mayak {
namespace {

using Kind = PipeStage::Kind;
using Fn = Aggregation::Fn;

// As the filter's errors (kql.h): what was wrong, then where.
absl::Status SyntaxError(size_t position, std::string_view what) {
  return absl::InvalidArgumentError(StrCat(what, " at position ", position));
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

bool IsNameChar(char c) { return IsAsciiAlnum(c) || c == '_' || c == '.' || c == '@' || c == '-'; }

// Reads one stage's words, punctuation and names, tracking positions in the
// whole query.
class StageReader {
 public:
  StageReader(std::string_view text, size_t offset) : text_(text), offset_(offset) {}

  void SkipSpaces() {
    while (i_ < text_.size() && IsAsciiSpace(text_[i_])) ++i_;
  }
  bool AtEnd() {
    SkipSpaces();
    return i_ >= text_.size();
  }
  size_t position() {
    SkipSpaces();
    return offset_ + i_;
  }
  // The next name (a field or a word such as `by`), or empty.
  std::string_view PeekName() {
    SkipSpaces();
    size_t j = i_;
    while (j < text_.size() && IsNameChar(text_[j])) ++j;
    return text_.substr(i_, j - i_);
  }
  std::string_view Name() {
    const std::string_view name = PeekName();
    i_ += name.size();
    return name;
  }
  bool Take(char c) {
    SkipSpaces();
    if (i_ < text_.size() && text_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool TakeWord(std::string_view word) {
    if (ToLower(PeekName()) != word) return false;
    Name();
    return true;
  }
  // What is at the current position, for error messages.
  std::string Found() {
    if (AtEnd()) return "the end of the query";
    const std::string_view name = PeekName();
    return StrCat("'", name.empty() ? text_.substr(i_, 1) : name, "'");
  }
  std::string_view Rest() {
    SkipSpaces();
    return text_.substr(i_);
  }

 private:
  std::string_view text_;
  size_t offset_;
  size_t i_ = 0;
};

absl::StatusOr<std::string> FieldName(StageReader* in, std::string_view after) {
  const size_t at = in->position();
  const std::string_view name = in->Name();
  if (name.empty() || name[0] == '-') {
    return SyntaxError(at, StrCat("expected a field name ", after, ", found ", in->Found()));
  }
  return std::string(name);
}

// A column of a table: a field, or an aggregation's name with its
// parentheses (count(), avg(event.duration)).
absl::StatusOr<std::string> ColumnName(StageReader* in, std::string_view after) {
  const size_t at = in->position();
  std::string name(in->Name());
  if (!name.empty() && in->Take('(')) {
    const std::string_view inner = in->Name();
    if (!in->Take(')')) {
      return SyntaxError(in->position(), StrCat("expected ')' after ", name, "(", inner));
    }
    name = StrCat(name, "(", inner, ")");
  }
  if (name.empty() || name[0] == '-') {
    return SyntaxError(at, StrCat("expected a column ", after, ", found ", in->Found()));
  }
  return name;
}

// Fields separated by commas or spaces (`by a, b` is `by a b`), to the end
// of the stage.
absl::StatusOr<std::vector<std::string>> FieldList(StageReader* in, std::string_view after) {
  std::vector<std::string> fields;
  do {
    auto name = FieldName(in, fields.empty() ? after : "after ','");
    if (!name.ok()) return name.status();
    fields.push_back(*std::move(name));
  } while (in->Take(',') || !in->PeekName().empty());
  return fields;
}

// count, count_distinct, dc (Splunk's), sum, avg, min, max, p50..p99, pN.
std::optional<Aggregation> AggregationNamed(std::string_view word) {
  const std::string name = ToLower(word);
  Aggregation a;
  if (name == "count") {
    a.fn = Fn::kCount;
  } else if (name == "count_distinct" || name == "dc" || name == "distinct_count") {
    a.fn = Fn::kCountDistinct;
  } else if (name == "sum") {
    a.fn = Fn::kSum;
  } else if (name == "avg" || name == "mean") {
    a.fn = Fn::kAvg;
  } else if (name == "min") {
    a.fn = Fn::kMin;
  } else if (name == "max") {
    a.fn = Fn::kMax;
  } else if (name == "median") {
    a.fn = Fn::kPercentile;
    a.percentile = 50;
  } else if (name.size() > 1 && name[0] == 'p') {
    double p = 0;
    if (!ParseDouble(name.substr(1), &p) || p <= 0 || p > 100) return std::nullopt;
    a.fn = Fn::kPercentile;
    a.percentile = p;
  } else {
    return std::nullopt;
  }
  return a;
}

absl::StatusOr<Aggregation> ParseAggregation(StageReader* in) {
  const size_t at = in->position();
  const std::string_view word = in->Name();
  std::optional<Aggregation> a = AggregationNamed(word);
  if (!a) {
    return SyntaxError(at, StrCat("expected an aggregation (count(), count_distinct(f), sum(f), "
                                  "avg(f), min(f), max(f), p50(f) .. p99(f)), found ",
                                  word.empty() ? in->Found() : StrCat("'", word, "'")));
  }
  if (in->Take('(')) {
    if (!in->Take(')')) {
      auto field = FieldName(in, StrCat("in ", word, "("));
      if (!field.ok()) return field.status();
      a->field = *std::move(field);
      if (!in->Take(')')) {
        return SyntaxError(in->position(), StrCat("expected ')' after ", word, "(", a->field,
                                                  ", found ", in->Found()));
      }
    }
  } else if (a->fn != Fn::kCount) {
    return SyntaxError(in->position(), StrCat("expected '(' and a field after ", word, ", e.g. ",
                                              word, "(event.duration)"));
  }
  if (a->fn != Fn::kCount && a->field.empty()) {
    return SyntaxError(at, StrCat(word, "() needs a field, e.g. ", word, "(event.duration)"));
  }
  a->name = DefaultAggregationName(*a);
  if (in->TakeWord("as")) {
    auto name = FieldName(in, "after `as`");
    if (!name.ok()) return name.status();
    a->name = *std::move(name);
  }
  return *a;
}

absl::StatusOr<std::vector<Aggregation>> ParseAggregations(StageReader* in) {
  std::vector<Aggregation> aggregations;
  do {
    auto a = ParseAggregation(in);
    if (!a.ok()) return a.status();
    aggregations.push_back(*std::move(a));
  } while (in->Take(','));
  return aggregations;
}

// Aggregations, then optionally `by` and fields (stats, timechart).
absl::Status ParseAggregationsBy(StageReader* in, PipeStage* stage) {
  auto aggregations = ParseAggregations(in);
  if (!aggregations.ok()) return aggregations.status();
  stage->aggregations = *std::move(aggregations);
  if (in->TakeWord("by")) {
    auto by = FieldList(in, "after `by`");
    if (!by.ok()) return by.status();
    stage->by = *std::move(by);
  }
  return absl::OkStatus();
}

// An optional count (top 5, head 20), else `fallback`.
absl::StatusOr<size_t> OptionalCount(StageReader* in, size_t fallback) {
  const std::string_view word = in->PeekName();
  if (word.empty() || !IsAsciiDigit(word[0])) return fallback;
  const size_t at = in->position();
  uint64_t n = 0;
  if (!ParseInt(word, &n) || n == 0 || n > 1'000'000) {
    return SyntaxError(at, StrCat("expected a count from 1 to 1000000, found '", word, "'"));
  }
  in->Name();
  return n;
}

absl::Status ParseStage(std::string_view text, size_t offset, PipeStage* stage) {
  StageReader in(text, offset);
  stage->position = in.position();
  const std::string_view command_word = in.Name();
  const std::string command = ToLower(command_word);
  if (command.empty()) {
    return SyntaxError(stage->position,
                       StrCat("expected a pipe command (stats, timechart, top, rare, patterns, "
                              "sort, fields, head, where) after '|', found ",
                              in.Found()));
  }
  if (command == "stats") {
    stage->kind = Kind::kStats;
    RETURN_IF_ERROR(ParseAggregationsBy(&in, stage));
  } else if (command == "timechart") {
    stage->kind = Kind::kTimechart;
    if (ToLower(in.PeekName()) == "span") {
      in.Name();
      if (!in.Take('=')) return SyntaxError(in.position(), "expected '=' after span");
      const size_t at = in.position();
      const std::string_view span = in.Name();
      auto nanos = ParseDurationNanos(span);
      if (!nanos.ok() || *nanos <= 0) {
        return SyntaxError(
            at, StrCat("span '", span, "' is not a positive duration such as 30s, 1m or 1h"));
      }
      stage->span_ns = *nanos;
    }
    RETURN_IF_ERROR(ParseAggregationsBy(&in, stage));
    if (stage->by.size() > 1) {
      return SyntaxError(stage->position, "timechart splits by one field at most");
    }
  } else if (command == "top" || command == "rare") {
    stage->kind = command == "top" ? Kind::kTop : Kind::kRare;
    auto n = OptionalCount(&in, 10);
    if (!n.ok()) return n.status();
    stage->count = *n;
    auto field = FieldName(&in, StrCat("after ", command));
    if (!field.ok()) return field.status();
    stage->by = {*std::move(field)};
  } else if (command == "patterns") {
    stage->kind = Kind::kPatterns;
    stage->by = {std::string(field::kMessage)};
    if (!in.AtEnd()) {
      auto field = FieldName(&in, "after patterns");
      if (!field.ok()) return field.status();
      stage->by = {*std::move(field)};
    }
  } else if (command == "sort") {
    stage->kind = Kind::kSort;
    do {
      SortKey key;
      if (in.Take('-')) {
        key.descending = true;
      } else {
        in.Take('+');
      }
      auto column = ColumnName(&in, "to sort by");
      if (!column.ok()) return column.status();
      key.column = *std::move(column);
      stage->sort.push_back(std::move(key));
    } while (in.Take(','));
  } else if (command == "fields") {
    stage->kind = Kind::kFields;
    do {
      auto column = ColumnName(&in, stage->fields.empty() ? "after fields" : "after ','");
      if (!column.ok()) return column.status();
      stage->fields.push_back(*std::move(column));
    } while (in.Take(','));
  } else if (command == "head" || command == "limit") {
    stage->kind = Kind::kHead;
    auto n = OptionalCount(&in, 10);
    if (!n.ok()) return n.status();
    stage->count = *n;
  } else if (command == "where") {
    stage->kind = Kind::kWhere;
    stage->where_position = in.position();
    stage->where = std::string(in.Rest());
    if (stage->where.empty()) {
      return SyntaxError(stage->where_position, "expected a filter after where, e.g. count() > 10");
    }
    return absl::OkStatus();
  } else {
    return SyntaxError(stage->position,
                       StrCat("unknown pipe command '", command_word,
                              "': expected stats, timechart, top, rare, patterns, sort, fields, "
                              "head or where"));
  }
  if (!in.AtEnd()) {
    return SyntaxError(in.position(),
                       StrCat("unexpected ", in.Found(), " after the ", command, " stage"));
  }
  return absl::OkStatus();
}

// a mod b in [0, b), also for negative a.
uint64_t FloorMod(int64_t a, int64_t b) {
  const int64_t m = a % b;
  return static_cast<uint64_t>(m < 0 ? m + b : m);
}

}  // namespace

absl::StatusOr<PipedQuery> ParsePipes(std::string_view query) {
  PipedQuery parsed;
  size_t pipe = FindPipe(query);
  parsed.filter = std::string(query.substr(0, pipe));
  while (pipe != std::string_view::npos) {
    const size_t start = pipe + 1;
    const size_t next = FindPipe(query.substr(start));
    const size_t end = next == std::string_view::npos ? query.size() : start + next;
    PipeStage stage;
    RETURN_IF_ERROR(ParseStage(query.substr(start, end - start), start, &stage));
    if (stage.Aggregates() && !parsed.stages.empty()) {
      return SyntaxError(stage.position,
                         "stats, timechart, top, rare and patterns aggregate the matching "
                         "records: each comes right after the filter, once");
    }
    parsed.stages.push_back(std::move(stage));
    pipe = next == std::string_view::npos ? next : end;
  }
  return parsed;
}

int64_t BucketStart(int64_t time_ns, int64_t span_ns, int64_t offset_ns) {
  // How far into its bucket the time is, found without adding the offset to
  // the time: times near the ends of the range would overflow. The buckets
  // at those ends start at the first time there is.
  const uint64_t into =
      (FloorMod(time_ns, span_ns) + FloorMod(offset_ns, span_ns)) % static_cast<uint64_t>(span_ns);
  const int64_t lowest = std::numeric_limits<int64_t>::min() + static_cast<int64_t>(into);
  return time_ns < lowest ? std::numeric_limits<int64_t>::min()
                          : time_ns - static_cast<int64_t>(into);
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
