#include "storage/segment_format.h"

#include <bit>

#include "storage/coding.h"

namespace mayak::segment {
namespace {

enum ChunkFlags : uint8_t { kIntRange = 1, kDoubleRange = 2, kBloom = 4 };

void EncodeStatistics(const ChunkMeta& c, std::string* out) {
  const uint8_t flags = (c.has_int_range ? kIntRange : 0) |
                        (c.has_double_range ? kDoubleRange : 0) | (c.bloom_size > 0 ? kBloom : 0);
  out->push_back(static_cast<char>(flags));
  if (c.has_int_range) {
    PutVarint(out, ZigZag(c.min_int));
    PutVarint(out, ZigZag(c.max_int));
  }
  if (c.has_double_range) {
    PutFixed64(out, std::bit_cast<uint64_t>(c.min_double));
    PutFixed64(out, std::bit_cast<uint64_t>(c.max_double));
  }
  if (c.bloom_size > 0) {
    PutVarint(out, c.bloom_offset);
    PutVarint(out, c.bloom_size);
    PutFixed32(out, c.bloom_crc);
  }
}

bool DecodeStatistics(ByteReader* in, ChunkMeta* c) {
  uint8_t flags = 0;
  if (!in->Byte(&flags) || (flags & ~(kIntRange | kDoubleRange | kBloom)) != 0) return false;
  if (flags & kIntRange) {
    uint64_t min = 0;
    uint64_t max = 0;
    if (!in->Varint(&min) || !in->Varint(&max)) return false;
    c->has_int_range = true;
    c->min_int = UnZigZag(min);
    c->max_int = UnZigZag(max);
  }
  if (flags & kDoubleRange) {
    uint64_t min = 0;
    uint64_t max = 0;
    if (!in->Fixed64(&min) || !in->Fixed64(&max)) return false;
    c->has_double_range = true;
    c->min_double = std::bit_cast<double>(min);
    c->max_double = std::bit_cast<double>(max);
  }
  if (flags & kBloom) {
    if (!in->Varint(&c->bloom_offset) || !in->Varint(&c->bloom_size) || c->bloom_size == 0 ||
        !in->Fixed32(&c->bloom_crc)) {
      return false;
    }
  }
  return true;
}

}  // namespace

uint32_t BlockCrc(std::string_view data) { return Crc32(data); }

void EncodeFooter(const Footer& footer, std::string* out, uint32_t version) {
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
      if (version >= 2) EncodeStatistics(c, out);
    }
  }
}

bool DecodeFooter(std::string_view data, uint32_t version, Footer* footer) {
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
      if (version >= 2 && !DecodeStatistics(&in, &c)) return false;
      c.column = static_cast<uint32_t>(column);
      c.codec = static_cast<Codec>(codec);
    }
  }
  return in.AtEnd();
}

}  // namespace mayak::segment
