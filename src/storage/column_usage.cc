#include "storage/column_usage.h"

#include <algorithm>
#include <map>

#include "common/strings.h"
#include "storage/column_encoding.h"
#include "storage/manifest.h"
#include "storage/segment_reader.h"

namespace mayak {

std::string_view ColumnTypeName(segment::ColumnType type) {
  switch (type) {
    case segment::ColumnType::kTimestamp:
    case segment::ColumnType::kObserved:
      return "timestamp";
    case segment::ColumnType::kLevel:
      return "level";
    case segment::ColumnType::kString:
      return "string";
    case segment::ColumnType::kInt:
      return "int";
    case segment::ColumnType::kDouble:
      return "double";
    case segment::ColumnType::kBool:
      return "bool";
  }
  return "unknown";
}

namespace {

// How `chunk` of row group `group` stores its values: the encoding byte
// after the presence bitmap, read from the chunk itself.
std::string_view EncodingOf(const SegmentReader& reader, const segment::RowGroupMeta& group,
                            size_t group_index, const segment::ChunkMeta& chunk) {
  const segment::ColumnType type = reader.footer().columns[chunk.column].type;
  const bool strings = type == segment::ColumnType::kString;
  const bool numbers = type == segment::ColumnType::kInt ||
                       type == segment::ColumnType::kTimestamp ||
                       type == segment::ColumnType::kObserved;
  if (!strings && !numbers) return "plain";  // levels, doubles and booleans have one
  auto raw = reader.ReadChunk(chunk, group_index);
  if (!raw.ok()) return "damaged";
  const size_t bitmap = segment::PresenceBitmapSize(group.rows, chunk.present);
  if (raw->size() < bitmap) return "damaged";
  const std::string_view values = std::string_view(*raw).substr(bitmap);
  return strings ? StringEncodingName(values)
                 : NumberEncodingName(values, type != segment::ColumnType::kInt, reader.version());
}

}  // namespace

absl::StatusOr<DataDirUsage> ColumnUsageOf(Env* env, const std::string& data_dir, bool encodings) {
  auto manifest = ReadManifest(env, data_dir);
  if (!manifest.ok()) return manifest.status();
  DataDirUsage usage;
  std::map<std::pair<std::string, segment::ColumnType>, ColumnUsage> by_column;
  for (const SegmentEntry& entry : manifest->segments) {
    auto reader = SegmentReader::Open(env, StrCat(data_dir, "/", entry.path));
    if (!reader.ok()) return reader.status();
    const segment::Footer& footer = (*reader)->footer();
    ++usage.segments;
    usage.rows += footer.rows;
    usage.file_bytes += (*reader)->file_size();
    for (size_t g = 0; g < footer.row_groups.size(); ++g) {
      const segment::RowGroupMeta& group = footer.row_groups[g];
      for (const segment::ChunkMeta& chunk : group.chunks) {
        const segment::Column& column = footer.columns[chunk.column];
        ColumnUsage& u = by_column[{column.name, column.type}];
        u.name = column.name;
        u.type = column.type;
        u.values += chunk.present;
        u.stored_bytes += chunk.stored_size;
        u.raw_bytes += chunk.raw_size;
        u.bloom_bytes += chunk.bloom_size;
        if (encodings) ++u.encodings[std::string(EncodingOf(**reader, group, g, chunk))];
      }
    }
  }
  for (auto& [key, u] : by_column) usage.columns.push_back(std::move(u));
  std::sort(usage.columns.begin(), usage.columns.end(),
            [](const ColumnUsage& a, const ColumnUsage& b) {
              return a.stored_bytes + a.bloom_bytes > b.stored_bytes + b.bloom_bytes;
            });
  return usage;
}

}  // namespace mayak
