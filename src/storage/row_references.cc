#include "storage/row_references.h"

#include <algorithm>
#include <functional>
#include <optional>

#include "storage/column_encoding.h"

namespace mayak {

RowsByValue::RowsByValue(const ColumnValues& column) {
  const std::span<const std::string_view> values = column.values;
  rows_.reserve(values.size());
  for (size_t k = 0; k < values.size(); ++k) rows_.try_emplace(values[k], column.RowOf(k));
}

size_t FindSourceRows(const ColumnValues& target, const RowsByValue* source,
                      std::vector<uint32_t>* source_rows) {
  const std::span<const std::string_view> values = target.values;
  source_rows->assign(values.size(), kNoSourceRow);
  size_t found = 0;
  if (source != nullptr) {
    for (size_t k = 0; k < values.size(); ++k) {
      (*source_rows)[k] = source->Find(values[k]);
      found += (*source_rows)[k] != kNoSourceRow;
    }
    return found;
  }
  // The last earlier row of each value; a run of one value costs no hash.
  absl::flat_hash_map<std::string_view, uint32_t, StringHash, StringEq> last_row;
  for (size_t k = 0; k < values.size(); ++k) {
    const uint32_t row = target.RowOf(k);
    if (k > 0 && values[k] == values[k - 1]) {
      (*source_rows)[k] = target.RowOf(k - 1);
      ++found;
      continue;
    }
    const auto [it, added] = last_row.try_emplace(values[k], row);
    if (!added) {
      (*source_rows)[k] = it->second;
      it->second = row;
      ++found;
    }
  }
  return found;
}

std::vector<RowReferenceCandidate> FindRowReferenceCandidates(
    const std::vector<ColumnValues>& columns) {
  constexpr size_t kProbeValues = 1024;
  const auto worth = [](size_t found, size_t values) { return found * 4 >= values; };
  std::vector<std::optional<RowsByValue>> indexes(columns.size());
  std::vector<RowReferenceCandidate> candidates;
  std::vector<uint32_t> source_rows;
  const auto consider = [&](size_t t, size_t s, const RowsByValue* index) {
    RowReferenceCandidate candidate{.target = t, .source = s, .found = 0, .source_rows = {}};
    candidate.found = FindSourceRows(columns[t], index, &candidate.source_rows);
    if (worth(candidate.found, columns[t].values.size())) {
      candidates.push_back(std::move(candidate));
    }
  };
  for (size_t t = 0; t < columns.size(); ++t) {
    if (columns[t].values.empty()) continue;
    const ColumnValues probe = columns[t].First(kProbeValues);
    if (worth(FindSourceRows(probe, nullptr, &source_rows), probe.values.size())) {
      consider(t, t, nullptr);
    }
    for (size_t s = 0; s < columns.size(); ++s) {
      if (s == t) continue;
      if (!indexes[s]) {
        // The probe's sources: the other column's values up to a little
        // past the probe's last row.
        const uint32_t last_row = probe.RowOf(probe.values.size() - 1);
        size_t until = 0;
        while (until < columns[s].values.size() && columns[s].RowOf(until) <= last_row + 64) {
          ++until;
        }
        const RowsByValue probe_sources(columns[s].First(until));
        if (!worth(FindSourceRows(probe, &probe_sources, &source_rows), probe.values.size())) {
          continue;
        }
        indexes[s].emplace(columns[s]);
      }
      consider(t, s, &*indexes[s]);
    }
  }
  std::ranges::stable_sort(candidates, std::greater<>(), &RowReferenceCandidate::found);
  return candidates;
}

void EncodeRowReferences(const ColumnValues& target, uint32_t source_column,
                         const std::vector<uint32_t>& source_rows, uint32_t version,
                         std::string* out) {
  const std::span<const std::string_view> values = target.values;
  PutVarint(out, source_column);
  std::vector<std::string_view> literals;
  for (size_t k = 0; k < values.size(); ++k) {
    if (source_rows[k] == kNoSourceRow) {
      out->push_back(0);
      literals.push_back(values[k]);
      continue;
    }
    const int64_t distance =
        static_cast<int64_t>(target.RowOf(k)) - static_cast<int64_t>(source_rows[k]);
    PutVarint(out, ZigZag(distance) + 1);
  }
  EncodeStrings(literals, out, kMaxDictionary, nullptr, version);
}

bool ExpandRowReferences(ByteReader* in, size_t count, uint32_t own_column,
                         const std::vector<uint32_t>& rows, ReferenceResolver resolve,
                         uint32_t version, std::string* text, std::vector<std::string_view>* values,
                         std::vector<uint32_t>* codes) {
  uint64_t column = 0;
  if (!in->Varint(&column) || column > UINT32_MAX || count > in->remaining()) return false;
  std::vector<uint64_t> stored(count);  // each value's code as stored
  size_t literal_count = 0;
  if (!in->Varints(count, [&](size_t k, uint64_t code) {
        stored[k] = code;
        literal_count += code == 0;
      })) {
    return false;
  }
  std::string_view rest;
  if (!in->Bytes(in->remaining(), &rest) || rest.empty()) return false;
  // The literals are a plain chunk of their own: never templates or row
  // references again, which could refer in circles.
  const auto literal_encoding = static_cast<StringEncoding>(rest[0]);
  if (literal_encoding == StringEncoding::kTemplate ||
      literal_encoding == StringEncoding::kRowReferences) {
    return false;
  }
  std::string literal_text;
  auto literals = DecodeStringViews(rest, literal_count, &literal_text, version);
  if (!literals.ok()) return false;
  const bool self = column == own_column;
  const RowTexts* source = nullptr;
  if (!self) {
    auto texts = resolve(static_cast<uint32_t>(column));
    if (!texts.ok() || (*texts)->integers()) return false;
    source = *texts;
  }
  const auto row_of = [&rows](size_t k) -> uint64_t { return rows.empty() ? k : rows[k]; };
  // Each value's text is found in the literals, the other column or an
  // earlier value; it is then written once: a value repeated from an
  // earlier row shares that row's text and code (searches test it once).
  std::vector<std::string_view> found(count);
  std::vector<uint32_t> origin(count);  // the value whose text this one shares
  size_t next_literal = 0;
  size_t size = 0;
  bool shared = false;  // some value repeats an earlier row's
  for (size_t k = 0; k < count; ++k) {
    origin[k] = static_cast<uint32_t>(k);
    if (stored[k] == 0) {
      found[k] = literals->Get(next_literal++);
    } else {
      const int64_t distance = UnZigZag(stored[k] - 1);
      const int64_t row = static_cast<int64_t>(row_of(k)) - distance;
      if (row < 0 || row > UINT32_MAX) return false;
      if (self) {
        if (distance < 1) return false;  // only earlier rows are decoded already
        auto earlier = static_cast<size_t>(row);
        if (!rows.empty()) {
          const auto end = rows.begin() + static_cast<std::ptrdiff_t>(k);
          const auto it = std::lower_bound(rows.begin(), end, static_cast<uint32_t>(row));
          if (it == end || *it != row) return false;
          earlier = static_cast<size_t>(it - rows.begin());
        }
        origin[k] = origin[earlier];
        shared = true;
        continue;
      }
      const uint32_t v = source->ValueOf(static_cast<size_t>(row));
      if (v == RowTexts::kNoValue) return false;
      found[k] = source->String(v);
    }
    size += found[k].size();
  }
  text->clear();
  text->reserve(size);
  values->clear();
  codes->clear();
  if (shared) codes->resize(count);
  for (size_t k = 0; k < count; ++k) {
    if (origin[k] != k) {
      (*codes)[k] = (*codes)[origin[k]];
      continue;
    }
    const size_t at = text->size();
    text->append(found[k]);
    if (shared) (*codes)[k] = static_cast<uint32_t>(values->size());
    values->emplace_back(text->data() + at, found[k].size());
  }
  return true;
}

bool RenumberRowReferences(std::string_view in,
                           absl::FunctionRef<std::optional<uint32_t>(uint32_t)> renumber,
                           std::string* out) {
  ByteReader reader(in);
  if (!CopyRenumberedColumns(&reader, 1, renumber, out)) return false;
  out->append(in.substr(in.size() - reader.remaining()));
  return true;
}

}  // namespace mayak
