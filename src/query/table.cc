#include "query/table.h"

#include <algorithm>
#include <map>

#include "common/status_macros.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "query/filter.h"
#include "query/kql.h"

namespace mayak {
namespace {

// The column `name`: in a table of records, a field no record has is a
// column of no values.
std::optional<size_t> FindOrAddColumn(Table* table, std::string_view name) {
  if (std::optional<size_t> c = table->ColumnIndex(name)) return c;
  if (!table->every_field) return std::nullopt;
  table->columns.emplace_back(name);
  for (auto& row : table->rows) row.emplace_back();
  return table->columns.size() - 1;
}

absl::Status NoColumn(const Table& table, std::string_view name, size_t position) {
  return absl::InvalidArgumentError(StrCat("no column '", name, "' in the table (its columns: ",
                                           Join(table.columns, ", "), ") at position ", position));
}

// A row as a record, so that a KQL filter can test it: columns of the
// record's own fields fill those, the others become attributes.
LogRecord RowAsRecord(const Table& table, const std::vector<TableCell>& row) {
  LogRecord record;
  record.system.clear();
  for (size_t c = 0; c < table.columns.size(); ++c) {
    if (!row[c]) continue;
    const std::string& name = table.columns[c];
    const AttributeValue& value = *row[c];
    const auto* text = std::get_if<std::string>(&value);
    if (name == field::kMessage && text != nullptr) {
      record.message = *text;
    } else if (name == field::kSystem && text != nullptr) {
      record.system = *text;
    } else if (name == field::kServiceName && text != nullptr) {
      record.service = *text;
    } else if (name == field::kLevel && text != nullptr && ParseLevel(*text)) {
      record.level = *ParseLevel(*text);
    } else {
      record.attributes.push_back({name, value});
    }
  }
  return record;
}

// Column names with parentheses (count(), avg(f)) escaped so the filter
// reads them as field names: `count() > 10` is `count\(\) > 10`.
// `original` gets, for each byte of the result, its position in `filter`.
std::string EscapeColumnNames(const Table& table, std::string_view filter,
                              std::vector<size_t>* original) {
  std::vector<std::string> names;
  for (const std::string& c : table.columns) {
    if (c.find_first_of("()") != std::string::npos) names.push_back(c);
  }
  std::ranges::sort(names, [](const auto& a, const auto& b) { return a.size() > b.size(); });
  std::string out;
  size_t i = 0;
  while (i < filter.size()) {
    bool replaced = false;
    for (const std::string& name : names) {
      if (!filter.substr(i).starts_with(name)) continue;
      for (size_t k = 0; k < name.size(); ++k) {
        if (name[k] == '(' || name[k] == ')') {
          out.push_back('\\');
          original->push_back(i + k);
        }
        out.push_back(name[k]);
        original->push_back(i + k);
      }
      i += name.size();
      replaced = true;
      break;
    }
    if (!replaced) {
      out.push_back(filter[i]);
      original->push_back(i++);
    }
  }
  original->push_back(filter.size());  // the end
  return out;
}

// The filter's error with its positions (the problem's, and any the
// message names, such as an unclosed '(') mapped back to the whole query.
absl::Status ShiftPosition(const absl::Status& status, const std::vector<size_t>& original,
                           size_t offset) {
  if (kql::SyntaxPosition(status) < 0) return status;
  constexpr std::string_view kAt = "at position ";
  const std::string_view message = StatusMessage(status);
  std::string out;
  size_t i = 0;
  for (size_t at = message.find(kAt); at != std::string_view::npos; at = message.find(kAt, i)) {
    size_t end = at + kAt.size();
    size_t position = 0;
    while (end < message.size() && IsAsciiDigit(message[end])) {
      position = position * 10 + static_cast<size_t>(message[end++] - '0');
    }
    out.append(message.substr(i, at + kAt.size() - i));
    out.append(StrCat(original[std::min(position, original.size() - 1)] + offset));
    i = end;
  }
  out.append(message.substr(i));
  return absl::InvalidArgumentError(out);
}

int TypeRank(const AttributeValue& v) {
  if (std::holds_alternative<int64_t>(v) || std::holds_alternative<double>(v)) return 0;
  if (std::holds_alternative<bool>(v)) return 1;
  return 2;
}

double AsDouble(const AttributeValue& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  return std::get<double>(v);
}

}  // namespace

std::optional<size_t> Table::ColumnIndex(std::string_view name) const {
  for (size_t c = 0; c < columns.size(); ++c) {
    if (columns[c] == name) return c;
  }
  return std::nullopt;
}

int CompareCells(const TableCell& a, const TableCell& b) {
  if (!a || !b) return a ? -1 : (b ? 1 : 0);
  const int ra = TypeRank(*a);
  const int rb = TypeRank(*b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (ra == 0) {
    const auto* ia = std::get_if<int64_t>(&*a);
    const auto* ib = std::get_if<int64_t>(&*b);
    if (ia != nullptr && ib != nullptr) return *ia < *ib ? -1 : (*ia > *ib ? 1 : 0);
    const double da = AsDouble(*a);
    const double db = AsDouble(*b);
    return da < db ? -1 : (da > db ? 1 : 0);
  }
  if (ra == 1) return static_cast<int>(std::get<bool>(*a)) - static_cast<int>(std::get<bool>(*b));
  const int c = std::get<std::string>(*a).compare(std::get<std::string>(*b));
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

Table TableOfRecords(const std::vector<LogRecord>& records) {
  Table table;
  table.every_field = true;
  table.columns = {std::string(field::kTimestamp), std::string(field::kLevel),
                   std::string(field::kSystem), std::string(field::kServiceName),
                   std::string(field::kMessage)};
  std::map<std::string, size_t, std::less<>> index;
  for (size_t c = 0; c < table.columns.size(); ++c) index[table.columns[c]] = c;
  for (const LogRecord& r : records) {
    for (const Attribute& a : r.attributes) {
      if (index.try_emplace(a.key, table.columns.size()).second) table.columns.push_back(a.key);
    }
  }
  for (const LogRecord& r : records) {
    std::vector<TableCell> row(table.columns.size());
    row[0] = FormatRfc3339(r.timestamp_ns);
    if (r.level != Level::kUnset) row[1] = std::string(LevelName(r.level));
    row[2] = r.system;
    if (!r.service.empty()) row[3] = r.service;
    row[4] = r.message;
    for (const Attribute& a : r.attributes) row[index.find(a.key)->second] = a.value;
    table.rows.push_back(std::move(row));
  }
  return table;
}

absl::Status ApplyTableStage(const PipeStage& stage, Table* table) {
  switch (stage.kind) {
    case PipeStage::Kind::kSort: {
      std::vector<std::pair<size_t, bool>> keys;  // column, descending
      for (const SortKey& key : stage.sort) {
        const std::optional<size_t> c = FindOrAddColumn(table, key.column);
        if (!c) return NoColumn(*table, key.column, stage.position);
        keys.emplace_back(*c, key.descending);
      }
      std::ranges::stable_sort(table->rows, [&keys](const auto& x, const auto& y) {
        for (const auto& [c, descending] : keys) {
          // Missing values stay last either way.
          if (!x[c] || !y[c]) {
            if (x[c] || y[c]) return static_cast<bool>(x[c]);
            continue;
          }
          const int order = CompareCells(x[c], y[c]);
          if (order != 0) return descending ? order > 0 : order < 0;
        }
        return false;
      });
      return absl::OkStatus();
    }
    case PipeStage::Kind::kFields: {
      std::vector<size_t> picked;
      for (const std::string& f : stage.fields) {
        const std::optional<size_t> c = FindOrAddColumn(table, f);
        if (!c) return NoColumn(*table, f, stage.position);
        picked.push_back(*c);
      }
      Table out;
      out.every_field = false;  // just these columns from here on
      out.columns = stage.fields;
      for (auto& row : table->rows) {
        std::vector<TableCell> projected;
        for (size_t c : picked) projected.push_back(row[c]);
        out.rows.push_back(std::move(projected));
      }
      *table = std::move(out);
      return absl::OkStatus();
    }
    case PipeStage::Kind::kHead:
      if (table->rows.size() > stage.count) table->rows.resize(stage.count);
      return absl::OkStatus();
    case PipeStage::Kind::kWhere: {
      std::vector<size_t> original;
      auto filter = Filter::Parse(EscapeColumnNames(*table, stage.where, &original));
      if (!filter.ok()) return ShiftPosition(filter.status(), original, stage.where_position);
      std::erase_if(table->rows, [&](const std::vector<TableCell>& row) {
        return !filter->Matches(RowAsRecord(*table, row));
      });
      return absl::OkStatus();
    }
    default:
      return absl::InvalidArgumentError(StrCat(
          "stats, timechart, top, rare and patterns come right after the filter at position ",
          stage.position));
  }
}

}  // namespace mayak
