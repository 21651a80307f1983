#include "archive/partition_archive.h"

#include <algorithm>
#include <map>

#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "simdjson.h"

namespace mayak {
namespace {

constexpr std::string_view kManifest = "manifest.json";
constexpr std::string_view kFormat = "mayak-archive-partition";

std::string FileName(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace

uint64_t ArchivedPartition::bytes() const {
  uint64_t total = 0;
  for (const ArchivedSegment& s : segments) total += s.bytes;
  return total;
}

uint64_t ArchivedPartition::rows() const {
  uint64_t total = 0;
  for (const ArchivedSegment& s : segments) total += s.rows;
  return total;
}

std::optional<std::pair<std::string, int64_t>> PartitionArchive::PartitionOf(
    std::string_view key) const {
  if (!key.starts_with(prefix_)) return std::nullopt;
  const std::string_view rest = key.substr(prefix_.size());
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  const size_t next = rest.find('/', slash + 1);
  if (next == std::string_view::npos || rest.find('/', next + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  auto day = ParseDay(rest.substr(slash + 1, next - slash - 1));
  if (!day.ok()) return std::nullopt;
  return std::pair(std::string(rest.substr(0, slash)), *day);
}

std::string PartitionArchive::Key(const std::string& system, int64_t day,
                                  const std::string& file) const {
  return StrCat(prefix_, system, "/", DayName(day), "/", file);
}

absl::Status PartitionArchive::Archive(Env* env, const std::string& data_dir,
                                       const std::string& system, int64_t day,
                                       const std::vector<SegmentEntry>& segments,
                                       int64_t now_ns) const {
  ArchivedPartition partition{system, day, now_ns, {}, kind_};
  for (const SegmentEntry& entry : segments) {
    auto file = env->NewRandomAccessFile(StrCat(data_dir, "/", entry.path));
    if (!file.ok()) return file.status();
    const uint64_t size = (*file)->Size();
    const std::string name = FileName(entry.path);
    const std::string key = Key(system, day, name);
    auto md5 = client_->PutFile(key, **file);  // streamed; checks the ETag
    if (!md5.ok()) return md5.status();
    auto stored = client_->Head(key);
    if (!stored.ok()) return stored.status();
    if (stored->size != size) {
      return absl::DataLossError(
          StrCat("archive: ", key, " is stored with ", stored->size, " bytes, not ", size));
    }
    partition.segments.push_back({name, size, *md5, entry.rows, entry.min_ts, entry.max_ts});
  }
  return client_->Put(Key(system, day, std::string(kManifest)), EncodeArchiveManifest(partition));
}

absl::StatusOr<std::vector<ArchivedPartition>> PartitionArchive::List(
    std::vector<DamagedManifest>* damaged) const {
  auto objects = client_->List(prefix_);
  if (!objects.ok()) return objects.status();
  std::vector<ArchivedPartition> partitions;
  for (const S3Object& object : *objects) {
    if (!object.key.ends_with(StrCat("/", kManifest))) continue;
    const auto where = PartitionOf(object.key);
    if (!where) continue;
    auto json = client_->Get(object.key);
    if (!json.ok()) return json.status();
    auto partition = DecodeArchiveManifest(*json);
    if (partition.ok() && (partition->system != where->first || partition->day != where->second)) {
      partition = absl::DataLossError(StrCat("it describes ", partition->system, " ",
                                             DayName(partition->day), ", not its own key's"));
    }
    if (!partition.ok()) {
      std::string problem = StrCat(object.key, ": ", StatusMessage(partition.status()));
      if (damaged == nullptr) return absl::DataLossError(StrCat("archive: ", problem));
      damaged->push_back({where->first, where->second, std::move(problem)});
      continue;
    }
    partitions.push_back(*std::move(partition));
  }
  return partitions;
}

absl::StatusOr<uint64_t> PartitionArchive::DeleteExpired(
    const std::function<int64_t(const std::string& system)>& archive_days_for,
    int64_t now_ns) const {
  auto objects = client_->List(prefix_);
  if (!objects.ok()) return objects.status();
  // Object keys by partition: PREFIX<system>/<day>/<file>.
  std::map<std::pair<std::string, int64_t>, std::vector<std::string>> partitions;
  for (const S3Object& object : *objects) {
    if (auto partition = PartitionOf(object.key)) partitions[*partition].push_back(object.key);
  }
  uint64_t deleted = 0;
  for (auto& [partition, keys] : partitions) {
    const auto& [system, day] = partition;
    if ((day + 1) * kNanosPerDay > now_ns - archive_days_for(system) * kNanosPerDay) continue;
    // The manifest first: without it the partition no longer counts as archived.
    std::stable_partition(keys.begin(), keys.end(),
                          [](const std::string& k) { return k.ends_with(kManifest); });
    for (const std::string& key : keys) RETURN_IF_ERROR(client_->Delete(key));
    ++deleted;
  }
  return deleted;
}

absl::Status PartitionArchive::DownloadTo(const ArchivedPartition& partition,
                                          const ArchivedSegment& segment, Env* env,
                                          const std::string& path,
                                          const std::atomic<bool>* cancel) const {
  const std::string key = Key(partition.system, partition.day, segment.name);
  std::unique_ptr<WritableFile> file;
  const S3BodySink sink{[&]() -> absl::Status {
                          auto created = env->NewWritableFile(path);  // empty, also on a retry
                          if (!created.ok()) return created.status();
                          file = *std::move(created);
                          return absl::OkStatus();
                        },
                        [&](std::string_view piece) {
                          if (cancel != nullptr && *cancel) {
                            return absl::CancelledError(StrCat("download of ", key, " cancelled"));
                          }
                          return file->Append(piece);
                        }};
  auto download = client_->GetTo(key, sink);
  absl::Status status = download.status();
  if (status.ok() && (download->size != segment.bytes || download->md5 != segment.md5)) {
    status =
        absl::DataLossError(StrCat("archive: ", key, " does not match its manifest (size or MD5)"));
  }
  if (status.ok()) status = file->Sync();
  if (!status.ok() && file != nullptr) {
    file.reset();
    if (!env->RemoveFile(path).ok()) {
      // The caller's directory is cleaned up with the failed restore.
    }
  }
  return status;
}

absl::StatusOr<std::map<std::string, uint64_t>> PartitionArchive::CountBySystem() const {
  auto objects = client_->List(prefix_);
  if (!objects.ok()) return objects.status();
  std::map<std::string, uint64_t> counts;
  for (const S3Object& object : *objects) {
    if (!object.key.ends_with(StrCat("/", kManifest))) continue;
    if (auto partition = PartitionOf(object.key)) ++counts[partition->first];
  }
  return counts;
}

absl::StatusOr<std::vector<std::string>> PartitionArchive::Verify(
    const ArchivedPartition& partition) const {
  std::vector<std::string> problems;
  for (const ArchivedSegment& segment : partition.segments) {
    const std::string key = Key(partition.system, partition.day, segment.name);
    auto stored = client_->Head(key);
    if (absl::IsNotFound(stored.status())) {
      problems.push_back(StrCat(key, ": missing"));
      continue;
    }
    if (!stored.ok()) return stored.status();
    if (stored->size != segment.bytes) {
      problems.push_back(
          StrCat(key, ": ", stored->size, " bytes, the manifest says ", segment.bytes));
    } else if (stored->etag.find('-') == std::string::npos) {
      if (stored->etag != segment.md5) {
        problems.push_back(
            StrCat(key, ": MD5 ", stored->etag, ", the manifest says ", segment.md5));
      }
    } else {
      // A multipart object's ETag is not its MD5: read it through.
      const S3BodySink discard{[] { return absl::OkStatus(); },
                               [](std::string_view) { return absl::OkStatus(); }};
      auto read = client_->GetTo(key, discard);
      if (!read.ok()) return read.status();
      if (read->md5 != segment.md5) {
        problems.push_back(StrCat(key, ": MD5 ", read->md5, ", the manifest says ", segment.md5));
      }
    }
  }
  return problems;
}

std::string EncodeArchiveManifest(const ArchivedPartition& partition) {
  std::string out;
  JsonWriter json(&out);
  json.BeginObject();
  json.Key("format").String(kFormat);
  json.Key("version").Int(1);
  json.Key("kind").String(partition.kind);
  json.Key("system").String(partition.system);
  json.Key("day").String(DayName(partition.day));
  json.Key("archived_at").String(FormatRfc3339(partition.archived_at_ns));
  json.Key("segments").BeginArray();
  for (const ArchivedSegment& s : partition.segments) {
    json.BeginObject();
    json.Key("name").String(s.name);
    json.Key("bytes").Uint(s.bytes);
    json.Key("md5").String(s.md5);
    json.Key("rows").Uint(s.rows);
    json.Key("min_ts").String(FormatRfc3339(s.min_ts));
    json.Key("max_ts").String(FormatRfc3339(s.max_ts));
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  out.push_back('\n');
  return out;
}

absl::StatusOr<ArchivedPartition> DecodeArchiveManifest(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text.data(), text.size()).get(root)) {
    return absl::InvalidArgumentError("the manifest is not JSON");
  }
  const auto bad = [](std::string_view what) {
    return absl::InvalidArgumentError(StrCat("the manifest's ", what, " is missing or wrong"));
  };
  std::string_view format;
  if (root["format"].get(format) || format != kFormat) return bad("format");
  int64_t version = 0;
  if (root["version"].get(version) || version != 1) return bad("version");
  ArchivedPartition partition;
  std::string_view system;
  std::string_view day;
  std::string_view archived_at;
  if (root["system"].get(system) || system.empty()) return bad("system");
  if (root["day"].get(day)) return bad("day");
  if (root["archived_at"].get(archived_at)) return bad("archived_at");
  partition.system = std::string(system);
  std::string_view kind = "logs";  // manifests written before spans were archived say logs
  if (root["kind"].error() != simdjson::NO_SUCH_FIELD &&
      (root["kind"].get(kind) || (kind != "logs" && kind != "spans"))) {
    return bad("kind");
  }
  partition.kind = std::string(kind);
  auto day_number = ParseDay(day);
  if (!day_number.ok()) return bad("day");
  partition.day = *day_number;
  auto archived_ns = ParseRfc3339(archived_at);
  if (!archived_ns.ok()) return bad("archived_at");
  partition.archived_at_ns = *archived_ns;
  simdjson::dom::array segments;
  if (root["segments"].get(segments)) return bad("segments");
  for (simdjson::dom::element s : segments) {
    ArchivedSegment segment;
    std::string_view name;
    std::string_view md5;
    std::string_view min_ts;
    std::string_view max_ts;
    if (s["name"].get(name) || s["bytes"].get(segment.bytes) || s["md5"].get(md5) ||
        s["rows"].get(segment.rows) || s["min_ts"].get(min_ts) || s["max_ts"].get(max_ts) ||
        name.empty() || name.find('/') != std::string_view::npos) {
      return bad("segment list");
    }
    auto min = ParseRfc3339(min_ts);
    auto max = ParseRfc3339(max_ts);
    if (!min.ok() || !max.ok()) return bad("segment times");
    segment.name = std::string(name);
    segment.md5 = std::string(md5);
    segment.min_ts = *min;
    segment.max_ts = *max;
    partition.segments.push_back(std::move(segment));
  }
  return partition;
}

}  // namespace mayak
