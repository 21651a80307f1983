#include "storage/row_group_pruner.h"

#include "common/strings.h"
#include "model/log_record.h"
#include "storage/bloom_filter.h"

namespace mayak {
namespace {

using segment::ColumnType;
using segment::kMessageColumn;

}  // namespace

RowGroupPruner::RowGroupPruner(const Filter* filter) {
  if (filter == nullptr) return;
  for (const FilterTerm& t : filter->terms()) {
    Term term;
    term.term = &t;
    if (t.field.empty() || t.field == field::kMessage) {
      for (const std::string& token : t.tokens) term.word_hashes.push_back(bloom::WordHash(token));
    } else if (t.field == field::kLevel || t.field == field::kTimestamp ||
               t.field == field::kObservedTimestamp) {
      term.prunable = false;  // small columns, matched loosely or by time range
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
  for (const Term& term : terms_) {
    if (term.prunable && !TermMayMatch(term, segment, group)) return false;
  }
  return true;
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
    if (ChunkMayHold(term, chunks[c], column.type, segment.bloom(group, c))) {
      return true;
    }
  }
  return false;
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
