// Evaluates a search filter on a decoded row group, a column at a time: the
// same answer as Filter::Matches on each row's record, without building
// records. Dictionary columns test each distinct value once; words in plain
// text columns are found with one scan over the whole chunk.
#pragma once

#include <cstdint>
#include <vector>

#include "query/filter.h"
#include "storage/column_batch.h"

namespace mayak {

// Clears (*match)[row] for every row the filter rejects; other entries are
// left as they are, so a caller can clear rows outside its time range first.
// `match` has batch.rows entries.
void ApplyFilter(const Filter& filter, const ColumnBatch& batch, std::vector<uint8_t>* match);

}  // namespace mayak
