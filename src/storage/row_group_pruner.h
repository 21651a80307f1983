// Decides from a segment's footer and Bloom filters alone which row groups
// a filter cannot match, so a search decodes only the rest. Never wrong in
// the other direction: a group it keeps may still have no match (Bloom
// false positives, ranges), but a group it skips has none.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "query/filter.h"
#include "storage/segment_reader.h"

namespace mayak {

class RowGroupPruner {
 public:
  // `filter` may be null (everything matches); it must outlive the pruner.
  explicit RowGroupPruner(const Filter* filter);

  // False when no row of the group can match the filter: and, or and not
  // combine what each term's statistics say (under `not`, anything may
  // match).
  bool MayMatch(const SegmentReader& segment, size_t group) const;

 private:
  // A term with what pruning needs precomputed once per search.
  struct Term {
    const FilterTerm* term = nullptr;
    bool prunable = true;                // false: fields pruning knows nothing of
    std::vector<uint64_t> word_hashes;   // message terms
    uint64_t value_hash = 0;             // exact string value
    uint64_t integer_hash = 0;           // the integer it equals, if any
    std::optional<int64_t> int_value;    // the value read as a number,
    std::optional<double> double_value;  // as the filter compares numbers
  };
  bool NodeMayMatch(const FilterNode& node, const SegmentReader& segment, size_t group) const;
  bool TermMayMatch(const Term& term, const SegmentReader& segment, size_t group) const;
  // Whether a chunk's number range may hold a value the range term accepts.
  static bool RangeMayHold(const FilterTerm& term, const segment::ChunkMeta& chunk,
                           segment::ColumnType type);
  // Whether one chunk of the term's field may hold its value.
  static bool ChunkMayHold(const Term& term, const segment::ChunkMeta& chunk,
                           segment::ColumnType type, std::string_view bloom);

  const Filter* filter_ = nullptr;
  std::vector<Term> terms_;  // by the filter's term index
};

}  // namespace mayak
