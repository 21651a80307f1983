#include "storage/row_group_pruner.h"

#include <algorithm>

#include "common/strings.h"
#include "model/log_record.h"
#include "storage/bloom_filter.h"

namespace mayak {
namespace {

using segment::ColumnType;
using segment::kMessageColumn;

}  // namespace

RowGroupPruner::RowGroupPruner(const Filter* filter) : filter_(filter) {
  if (filter == nullptr) return;
  for (const FilterTerm& t : filter->terms()) {
    Term term;
    term.term = &t;
    const bool message = t.field.empty() || t.field == field::kMessage;
    // Message terms other than words have no word to look up; levels and
    // times are small columns, matched loosely or by the time range.
    const bool unindexed = message ? t.kind != FilterTerm::Kind::kMatch || t.wildcard
                                   : t.field == field::kLevel || t.field == field::kTimestamp ||
                                         t.field == field::kObservedTimestamp;
    if (unindexed) {
      term.prunable = false;
    } else if (message) {
      for (const std::string& token : t.tokens) term.word_hashes.push_back(bloom::WordHash(token));
    } else {
      term.value_hash = bloom::ExactValueHash(t.value);
      int64_t i = 0;
      double d = 0;
      if (ParseInt(t.value, &i)) {
        term.int_value = i;
        term.integer_hash = bloom::IntegerHash(i);
      }
      if (ParseDouble(t.value, &d)) term.double_value = d;
    }
    terms_.push_back(std::move(term));
  }
}

bool RowGroupPruner::MayMatch(const SegmentReader& segment, size_t group) const {
  return filter_ == nullptr || NodeMayMatch(filter_->root(), segment, group);
}

bool RowGroupPruner::NodeMayMatch(const FilterNode& node, const SegmentReader& segment,
                                  size_t group) const {
  switch (node.kind) {
    case FilterNode::Kind::kAnd:
      return std::all_of(node.children.begin(), node.children.end(),
                         [&](const FilterNode& c) { return NodeMayMatch(c, segment, group); });
    case FilterNode::Kind::kOr:
      return std::any_of(node.children.begin(), node.children.end(),
                         [&](const FilterNode& c) { return NodeMayMatch(c, segment, group); });
    case FilterNode::Kind::kTerm: {
      const Term& term = terms_[node.term];
      return !term.prunable || TermMayMatch(term, segment, group);
    }
    default:  // everything, or `not`: statistics cannot rule out a row
      return true;
  }
}

bool RowGroupPruner::TermMayMatch(const Term& term, const SegmentReader& segment,
                                  size_t group) const {
  const segment::Footer& footer = segment.footer();
  const auto& chunks = footer.row_groups[group].chunks;
  const FilterTerm& t = *term.term;
  if (!term.word_hashes.empty()) {  // words of the message
    for (size_t c = 0; c < chunks.size(); ++c) {
      if (chunks[c].column != kMessageColumn) continue;
      for (uint64_t hash : term.word_hashes) {
        if (!bloom::MayContain(segment.bloom(group, c), hash)) return false;
      }
      return true;
    }
    return true;
  }
  if (t.field.empty() || t.field == field::kMessage) return true;
  // A field matched by value: some chunk of that name must possibly hold it;
  // a group without the field at all cannot match.
  for (size_t c = 0; c < chunks.size(); ++c) {
    const segment::Column& column = footer.columns[chunks[c].column];
    if (column.name != t.field || chunks[c].present == 0) continue;
    if (t.exists) return true;
    if (t.kind == FilterTerm::Kind::kRange) {
      if (RangeMayHold(t, chunks[c], column.type)) return true;
      continue;
    }
    if (t.wildcard && column.type == ColumnType::kString) return true;
    if (ChunkMayHold(term, chunks[c], column.type, segment.bloom(group, c))) {
      return true;
    }
  }
  return false;
}

bool RowGroupPruner::RangeMayHold(const FilterTerm& t, const segment::ChunkMeta& chunk,
                                  segment::ColumnType type) {
  // Some value in [min, max] passes a lower-than test when the minimum
  // does, a greater-than test when the maximum does.
  const bool below = t.op == kql::RangeOp::kLess || t.op == kql::RangeOp::kLessEqual;
  if (type == ColumnType::kInt && chunk.has_int_range && t.int_bound) {
    // Exact, beyond a double's 53 bits.
    return RangeAccepts(t.op, below ? chunk.min_int : chunk.max_int, *t.int_bound);
  }
  if (type == ColumnType::kInt && chunk.has_int_range) {
    if (!t.double_bound) return false;  // a number never compares with text
    return RangeAccepts(t.op, static_cast<double>(below ? chunk.min_int : chunk.max_int),
                        *t.double_bound);
  }
  if (type == ColumnType::kDouble && chunk.has_double_range) {
    if (!t.double_bound) return false;
    return RangeAccepts(t.op, below ? chunk.min_double : chunk.max_double, *t.double_bound);
  }
  return true;  // strings, or no range recorded
}

bool RowGroupPruner::ChunkMayHold(const Term& term, const segment::ChunkMeta& chunk,
                                  segment::ColumnType type, std::string_view bloom) {
  switch (type) {
    case ColumnType::kString:
      return bloom::MayContain(bloom, term.value_hash);
    case ColumnType::kInt:
      if (term.int_value) {
        if (chunk.has_int_range &&
            (*term.int_value < chunk.min_int || *term.int_value > chunk.max_int)) {
          return false;
        }
        return bloom::MayContain(bloom, term.integer_hash);
      }
      if (term.double_value) {  // compared as a double, so only the range can tell
        return !chunk.has_int_range || (*term.double_value >= static_cast<double>(chunk.min_int) &&
                                        *term.double_value <= static_cast<double>(chunk.max_int));
      }
      return false;  // the value is not a number: no integer equals it
    case ColumnType::kDouble:
      if (!term.double_value) return false;
      return !chunk.has_double_range ||
             (*term.double_value >= chunk.min_double && *term.double_value <= chunk.max_double);
    default:
      return true;
  }
}

}  // namespace mayak
