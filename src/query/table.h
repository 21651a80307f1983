// The table a piped query returns ({"columns": [...], "rows": [...]}), and
// the stages that reshape it after an aggregation or a search: sort,
// fields, head and where (query/pipes.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "model/log_record.h"
#include "query/pipes.h"

namespace mayak {

using TableCell = std::optional<AttributeValue>;  // nullopt: no value

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<TableCell>> rows;
  // A table of records: any field is a column, without a value in the
  // records that lack it (an aggregation's table has just its columns).
  bool every_field = false;

  // The index of the column named `name`, if there is one.
  std::optional<size_t> ColumnIndex(std::string_view name) const;
};

// The records as rows: @timestamp (RFC 3339), log.level, system,
// service.name and message first, then every other field in the order first
// seen.
Table TableOfRecords(const std::vector<LogRecord>& records);

// Applies a sort, fields, head or where stage. A column the stage names
// that the table lacks is an InvalidArgument naming the columns there are.
absl::Status ApplyTableStage(const PipeStage& stage, Table* table);

// Orders cells as sort does: numbers (integers and doubles together) by
// value, then booleans, then text, with missing values last.
int CompareCells(const TableCell& a, const TableCell& b);

}  // namespace mayak
