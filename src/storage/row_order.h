// The order of rows within a segment's row groups (docs/format/segment.md).
// Logs lie by service.name, then time: a service's rows side by side repeat
// their values and let searches of one service skip the others. Spans lie by
// trace: the spans of one trace side by side (traces by their first span's
// start, spans by their own), so a trace id is stored once a trace and a
// parent id as the row of its parent (kRowReferences in column_encoding.h),
// and a trace is read from one row group instead of one per service.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"

namespace mayak {

enum class RowOrder : uint8_t {
  kServiceTime,  // logs
  kTrace,        // spans
};

// The positions 0..n-1 in `order`: `group_of(i)` is row i's service.name
// (kServiceTime) or trace.id (kTrace; empty: a trace of its own), and
// `time_of(i)` its @timestamp. Rows equal in order keep their positions'
// order. Each row's group is asked once.
std::vector<uint32_t> OrderRows(RowOrder order, size_t n,
                                absl::FunctionRef<std::string_view(size_t)> group_of,
                                absl::FunctionRef<int64_t(size_t)> time_of);

}  // namespace mayak
