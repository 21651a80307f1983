// Partitions in object storage. A partition — one system's segments of one
// UTC day — is archived as its segment files, unchanged (they are
// self-describing and checksummed), and then a manifest naming each with
// its size and MD5:
//
//   PREFIX<system>/<YYYY-MM-DD>/<segment file>...
//   PREFIX<system>/<YYYY-MM-DD>/manifest.json      (written last)
//
// Logs and spans are archived apart: spans under PREFIXspans/, which the
// logs' archive never reads as its own (a key of its partitions has exactly
// two slashes after its prefix), nor the spans' archive a logs system named
// "spans".
//
// A partition counts as archived only once its manifest is stored, and it is
// written only after every segment has been uploaded and checked, so a
// failure at any point leaves the local partition in place and in charge.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "archive/s3_client.h"
#include "storage/env.h"
#include "storage/manifest.h"

namespace mayak {

struct ArchivedSegment {
  std::string name;  // "00000012.seg"
  uint64_t bytes = 0;
  std::string md5;  // hex
  uint64_t rows = 0;
  int64_t min_ts = 0;
  int64_t max_ts = 0;
};

struct ArchivedPartition {
  std::string system;
  int64_t day = 0;  // UTC days since the epoch
  int64_t archived_at_ns = 0;
  std::vector<ArchivedSegment> segments;
  std::string kind = "logs";  // or "spans"

  uint64_t bytes() const;
  uint64_t rows() const;
};

class PartitionArchive {
 public:
  // `client` must outlive the archive.
  // `kind`: what it archives, "logs" or "spans" (written in manifests).
  PartitionArchive(const S3Client* client, std::string prefix, std::string kind = "logs")
      : client_(client), prefix_(std::move(prefix)), kind_(std::move(kind)) {}

  // Uploads the partition's segments (paths relative to `data_dir`), checks
  // each, then writes its manifest.
  absl::Status Archive(Env* env, const std::string& data_dir, const std::string& system,
                       int64_t day, const std::vector<SegmentEntry>& segments,
                       int64_t now_ns) const;

  // A partition whose manifest cannot be read: left out of List.
  struct DamagedManifest {
    std::string system;
    int64_t day = 0;
    std::string problem;  // "KEY: why"
  };

  // Every archived partition (those with a manifest), by system and day.
  // A manifest that does not decode fails the whole list, unless `damaged`
  // is given: then it is named there and the other partitions still listed
  // (one bad object must not hide the rest of the archive).
  absl::StatusOr<std::vector<ArchivedPartition>> List(
      std::vector<DamagedManifest>* damaged = nullptr) const;

  // Deletes the archived partitions whose day ended more than
  // archive_days_for(system) days before `now_ns` (manifest first, so a
  // partition half deleted no longer counts as archived). Returns how many.
  absl::StatusOr<uint64_t> DeleteExpired(
      const std::function<int64_t(const std::string& system)>& archive_days_for,
      int64_t now_ns) const;

  // Streams a segment into the file `path` (created, synced), checked
  // against the manifest's size and MD5; on any error the file is removed.
  // `cancel`, when set, stops it with a Cancelled error.
  absl::Status DownloadTo(const ArchivedPartition& partition, const ArchivedSegment& segment,
                          Env* env, const std::string& path,
                          const std::atomic<bool>* cancel = nullptr) const;

  // How many partitions each system has archived (from object keys alone).
  absl::StatusOr<std::map<std::string, uint64_t>> CountBySystem() const;

  // Checks that every object the manifest names is stored with its size and
  // MD5 (multipart objects, whose ETag is not their MD5, are read through);
  // returns the problems found (empty: all good).
  absl::StatusOr<std::vector<std::string>> Verify(const ArchivedPartition& partition) const;

  // The object key of a partition's file ("manifest.json" or a segment).
  std::string Key(const std::string& system, int64_t day, const std::string& file) const;

 private:
  // The system and day of an object key of this archive's partitions
  // (PREFIX<system>/<day>/<file>); nullopt for any other key.
  std::optional<std::pair<std::string, int64_t>> PartitionOf(std::string_view key) const;

  const S3Client* client_;
  std::string prefix_;
  std::string kind_;
};

// The manifest's JSON, and back.
std::string EncodeArchiveManifest(const ArchivedPartition& partition);
absl::StatusOr<ArchivedPartition> DecodeArchiveManifest(std::string_view text);

}  // namespace mayak
