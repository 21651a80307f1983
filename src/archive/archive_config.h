// The archive as the configuration describes it (archive.s3.*).
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "archive/partition_archive.h"
#include "archive/s3_client.h"
#include "common/config.h"

namespace mayak {

struct ConfiguredArchive {
  std::unique_ptr<S3Client> client;
  std::unique_ptr<PartitionArchive> archive;  // logs, under archive.s3.prefix
  std::unique_ptr<PartitionArchive> spans;    // spans, under the prefix + "spans/"
};

// Null members when archive.s3.endpoint is empty (no archive); an error
// naming the option when the settings are incomplete.
absl::StatusOr<ConfiguredArchive> ArchiveFromConfig(const Config& config);

}  // namespace mayak
