#include "query/filter.h"

#include <algorithm>
#include <cmath>

#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "common/units.h"
#include "model/tokenizer.h"

namespace mayak {
namespace {

// Whether a word of `text` matches `pattern` (lower-case, `*` wildcards).
bool AnyWordMatches(std::string_view text, std::string_view pattern) {
  bool found = false;
  ForEachWord(text, [&](std::string_view word) {
    if (!found) found = WildcardMatch(pattern, ToLower(word));
  });
  return found;
}

bool IsTimeField(std::string_view field) {
  return field == field::kTimestamp || field == field::kObservedTimestamp;
}

// A term of the parsed tree, ready to match.
absl::StatusOr<FilterTerm> CompileTerm(const kql::Node& node, int64_t now_ns) {
  FilterTerm term;
  term.field = node.field;
  term.value = node.value.text;
  switch (node.kind) {
    case kql::NodeKind::kExists:
      term.kind = FilterTerm::Kind::kExists;
      term.exists = true;
      return term;
    case kql::NodeKind::kRange: {
      term.kind = FilterTerm::Kind::kRange;
      term.op = node.op;
      int64_t i = 0;
      double d = 0;
      if (IsTimeField(term.field)) {
        auto t = ParseTimeBound(term.value, now_ns);
        if (!t.ok()) {
          return absl::InvalidArgumentError(StrCat("'", term.value, "' is not a time (",
                                                   StatusMessage(t.status()), ") at position ",
                                                   node.position));
        }
        term.int_bound = *t;
      } else if (ParseInt(term.value, &i)) {
        term.int_bound = i;
      } else if (ParseDouble(term.value, &d)) {
        term.double_bound = d;
      } else if (auto nanos = ParseDurationNanos(term.value); nanos.ok()) {
        term.int_bound = *nanos;
      } else if (auto bytes = ParseByteSize(term.value); bytes.ok()) {
        term.int_bound = *bytes;
      }
      if (term.int_bound) term.double_bound = static_cast<double>(*term.int_bound);
      return term;
    }
    default:
      break;
  }
  term.kind = FilterTerm::Kind::kMatch;
  term.wildcard = !node.value.quoted && !node.value.wildcards.empty();
  term.tokens = Tokenize(term.value);
  const bool message = term.field.empty() || term.field == field::kMessage;
  if (message && term.wildcard) {
    term.value = ToLower(term.value);  // words are matched in lower case
  } else if (message && term.tokens.empty()) {
    return absl::InvalidArgumentError(
        StrCat("'", term.value, "' has no words to search for at position ", node.position));
  }
  return term;
}

absl::Status Compile(const kql::Node& node, int64_t now_ns, std::vector<FilterTerm>* terms,
                     FilterNode* out) {
  switch (node.kind) {
    case kql::NodeKind::kAll:
      out->kind = FilterNode::Kind::kAll;
      return absl::OkStatus();
    case kql::NodeKind::kAnd:
    case kql::NodeKind::kOr:
    case kql::NodeKind::kNot:
      out->kind = node.kind == kql::NodeKind::kAnd  ? FilterNode::Kind::kAnd
                  : node.kind == kql::NodeKind::kOr ? FilterNode::Kind::kOr
                                                    : FilterNode::Kind::kNot;
      out->children.resize(node.children.size());
      for (size_t i = 0; i < node.children.size(); ++i) {
        RETURN_IF_ERROR(Compile(node.children[i], now_ns, terms, &out->children[i]));
      }
      return absl::OkStatus();
    default: {
      auto term = CompileTerm(node, now_ns);
      if (!term.ok()) return term.status();
      out->kind = FilterNode::Kind::kTerm;
      out->term = terms->size();
      terms->push_back(*std::move(term));
      return absl::OkStatus();
    }
  }
}

bool Evaluate(const FilterNode& node, const Filter& filter, const LogRecord& record) {
  switch (node.kind) {
    case FilterNode::Kind::kAll:
      return true;
    case FilterNode::Kind::kAnd:
      return std::all_of(node.children.begin(), node.children.end(),
                         [&](const FilterNode& c) { return Evaluate(c, filter, record); });
    case FilterNode::Kind::kOr:
      return std::any_of(node.children.begin(), node.children.end(),
                         [&](const FilterNode& c) { return Evaluate(c, filter, record); });
    case FilterNode::Kind::kNot:
      return !Evaluate(node.children[0], filter, record);
    case FilterNode::Kind::kTerm:
      return Filter::TermMatches(filter.terms()[node.term], record);
  }
  return false;
}

}  // namespace

bool FilterTerm::Compare(int64_t actual) const {
  if (int_bound) return RangeAccepts(op, actual, *int_bound);
  return double_bound && RangeAccepts(op, static_cast<double>(actual), *double_bound);
}

bool FilterTerm::Compare(double actual) const {
  return double_bound && RangeAccepts(op, actual, *double_bound);
}

bool FilterTerm::Compare(std::string_view actual) const {
  return RangeAccepts(op, actual, std::string_view(value));
}

bool FilterTerm::TextMatches(std::string_view actual) const {
  if (kind == Kind::kRange) return Compare(actual);
  return wildcard ? WildcardMatch(value, actual) : actual == value;
}

bool FilterTerm::ValueMatches(const AttributeValue& actual) const {
  if (const auto* s = std::get_if<std::string>(&actual)) return TextMatches(*s);
  if (kind == Kind::kRange) {
    if (const auto* i = std::get_if<int64_t>(&actual)) return Compare(*i);
    if (const auto* d = std::get_if<double>(&actual)) return Compare(*d);
    return false;
  }
  if (const auto* i = std::get_if<int64_t>(&actual)) {
    int64_t v = 0;
    if (ParseInt(value, &v)) return v == *i;
    double d = 0;
    return ParseDouble(value, &d) && d == static_cast<double>(*i);
  }
  if (const auto* d = std::get_if<double>(&actual)) {
    double v = 0;
    return ParseDouble(value, &v) && v == *d;
  }
  bool b = false;
  return ParseBool(value, &b) && b == std::get<bool>(actual);
}

absl::StatusOr<Filter> Filter::Parse(std::string_view query) {
  auto tree = kql::Parse(query);
  if (!tree.ok()) return tree.status();
  Filter filter;
  RETURN_IF_ERROR(Compile(*tree, absl::GetCurrentTimeNanos(), &filter.terms_, &filter.root_));
  return filter;
}

bool Filter::Matches(const LogRecord& record) const { return Evaluate(root_, *this, record); }

bool Filter::TermMatches(const FilterTerm& term, const LogRecord& record) {
  if (term.field.empty() || term.field == field::kMessage) {
    switch (term.kind) {
      case FilterTerm::Kind::kExists:
        return !record.message.empty();
      case FilterTerm::Kind::kRange:
        return term.Compare(std::string_view(record.message));
      case FilterTerm::Kind::kMatch:
        return term.wildcard ? AnyWordMatches(record.message, term.value)
                             : ContainsTokenSequence(record.message, term.tokens);
    }
  }
  std::optional<AttributeValue> value = GetFieldValue(record, term.field);
  if (!value) return false;
  if (term.kind == FilterTerm::Kind::kExists) return true;
  if (term.field == field::kLevel && term.kind == FilterTerm::Kind::kMatch) {
    const std::string& level = std::get<std::string>(*value);
    return term.wildcard ? WildcardMatch(ToLower(term.value), ToLower(level))
                         : EqualsIgnoreCase(level, term.value);
  }
  return term.ValueMatches(*value);
}

}  // namespace mayak
