#include "storage/manifest.h"

#include "common/strings.h"
#include "storage/coding.h"
#include "storage/segment_format.h"

namespace mayak {
namespace {

constexpr std::string_view kMagic = "MAYAKMAN";
// Version 2 added restored_at to segment entries; version 1 files are read.
constexpr uint32_t kVersion = 2;

}  // namespace

absl::Status WriteManifest(Env* env, const std::string& data_dir, const Manifest& manifest,
                           bool* renamed) {
  std::string body;
  PutVarint(&body, manifest.next_segment_number);
  PutVarint(&body, manifest.wal_checkpoint);
  PutVarint(&body, manifest.segments.size());
  for (const SegmentEntry& s : manifest.segments) {
    PutString(&body, s.path);
    PutString(&body, s.system);
    PutVarint(&body, ZigZag(s.day));
    PutVarint(&body, s.rows);
    PutVarint(&body, ZigZag(s.min_ts));
    PutVarint(&body, ZigZag(s.max_ts));
    PutVarint(&body, s.bytes);
    PutVarint(&body, ZigZag(s.restored_at_ns));
  }
  std::string file(kMagic);
  PutFixed32(&file, kVersion);
  PutFixed32(&file, segment::BlockCrc(body));
  file.append(body);

  return WriteFileAtomically(env, StrCat(data_dir, "/MANIFEST"), file, renamed);
}

absl::StatusOr<Manifest> ReadManifest(Env* env, const std::string& data_dir) {
  const std::string path = StrCat(data_dir, "/MANIFEST");
  auto data = env->ReadFile(path);
  if (!data.ok()) {
    if (data.status().code() == absl::StatusCode::kNotFound) return Manifest{};
    return data.status();
  }
  const auto damaged = [&path](std::string_view what) {
    return absl::DataLossError(StrCat(path, " is damaged (", what,
                                      "); restore it from a backup or move the data "
                                      "directory aside"));
  };
  if (std::string_view(*data).substr(0, kMagic.size()) != kMagic) return damaged("bad magic");
  uint32_t version = 0;
  uint32_t crc = 0;
  ByteReader header(std::string_view(*data).substr(kMagic.size()));
  if (!header.Fixed32(&version) || !header.Fixed32(&crc)) return damaged("truncated");
  if (version < 1 || version > kVersion) {
    return absl::FailedPreconditionError(
        StrCat(path, " has format version ", version, ", which this mayak does not read"));
  }
  const std::string_view body = std::string_view(*data).substr(kMagic.size() + 8);
  if (segment::BlockCrc(body) != crc) return damaged("checksum mismatch");
  ByteReader in(body);
  Manifest manifest;
  uint64_t count = 0;
  if (!in.Varint(&manifest.next_segment_number) || !in.Varint(&manifest.wal_checkpoint) ||
      !in.Varint(&count) || count > body.size()) {
    return damaged("bad header");
  }
  manifest.segments.resize(count);
  for (SegmentEntry& s : manifest.segments) {
    uint64_t day = 0;
    uint64_t min_ts = 0;
    uint64_t max_ts = 0;
    if (!in.String(&s.path) || !in.String(&s.system) || !in.Varint(&day) || !in.Varint(&s.rows) ||
        !in.Varint(&min_ts) || !in.Varint(&max_ts) || !in.Varint(&s.bytes)) {
      return damaged("bad segment entry");
    }
    uint64_t restored_at = 0;
    if (version >= 2 && !in.Varint(&restored_at)) return damaged("bad segment entry");
    s.restored_at_ns = UnZigZag(restored_at);
    s.day = UnZigZag(day);
    s.min_ts = UnZigZag(min_ts);
    s.max_ts = UnZigZag(max_ts);
  }
  if (!in.AtEnd()) return damaged("trailing bytes");
  return manifest;
}

}  // namespace mayak
