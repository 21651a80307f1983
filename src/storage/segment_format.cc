#include "storage/segment_format.h"

#include "storage/coding.h"

namespace mayak::segment {

uint32_t BlockCrc(std::string_view data) { return Crc32(data); }

void EncodeFooter(const Footer& footer, std::string* out) {
  PutVarint(out, footer.rows);
  PutVarint(out, ZigZag(footer.min_ts));
  PutVarint(out, ZigZag(footer.max_ts));
  PutVarint(out, footer.columns.size());
  for (const Column& c : footer.columns) {
    PutString(out, c.name);
    out->push_back(static_cast<char>(c.type));
  }
  PutVarint(out, footer.row_groups.size());
  for (const RowGroupMeta& g : footer.row_groups) {
    PutVarint(out, g.rows);
    PutVarint(out, ZigZag(g.min_ts));
    PutVarint(out, ZigZag(g.max_ts));
    PutVarint(out, g.chunks.size());
    for (const ChunkMeta& c : g.chunks) {
      PutVarint(out, c.column);
      PutVarint(out, c.offset);
      PutVarint(out, c.stored_size);
      PutVarint(out, c.raw_size);
      PutFixed32(out, c.crc);
      out->push_back(static_cast<char>(c.codec));
      PutVarint(out, c.present);
    }
  }
}

bool DecodeFooter(std::string_view data, Footer* footer) {
  ByteReader in(data);
  uint64_t min_ts = 0;
  uint64_t max_ts = 0;
  uint64_t columns = 0;
  if (!in.Varint(&footer->rows) || !in.Varint(&min_ts) || !in.Varint(&max_ts) ||
      !in.Varint(&columns) || columns > in.remaining()) {
    return false;
  }
  footer->min_ts = UnZigZag(min_ts);
  footer->max_ts = UnZigZag(max_ts);
  footer->columns.resize(columns);
  for (Column& c : footer->columns) {
    uint8_t type = 0;
    if (!in.String(&c.name) || !in.Byte(&type) || type < 1 || type > 7) return false;
    c.type = static_cast<ColumnType>(type);
  }
  uint64_t groups = 0;
  if (!in.Varint(&groups) || groups > in.remaining()) return false;
  footer->row_groups.resize(groups);
  for (RowGroupMeta& g : footer->row_groups) {
    uint64_t chunks = 0;
    if (!in.Varint(&g.rows) || !in.Varint(&min_ts) || !in.Varint(&max_ts) || !in.Varint(&chunks) ||
        chunks > in.remaining()) {
      return false;
    }
    g.min_ts = UnZigZag(min_ts);
    g.max_ts = UnZigZag(max_ts);
    g.chunks.resize(chunks);
    for (ChunkMeta& c : g.chunks) {
      uint64_t column = 0;
      uint8_t codec = 0;
      if (!in.Varint(&column) || column >= footer->columns.size() || !in.Varint(&c.offset) ||
          !in.Varint(&c.stored_size) || !in.Varint(&c.raw_size) || !in.Fixed32(&c.crc) ||
          !in.Byte(&codec) || codec > 1 || !in.Varint(&c.present) || c.present > g.rows) {
        return false;
      }
      c.column = static_cast<uint32_t>(column);
      c.codec = static_cast<Codec>(codec);
    }
  }
  return in.AtEnd();
}

}  // namespace mayak::segment
