#include "archive/archive_config.h"

#include "common/config_options.h"

namespace mayak {

absl::StatusOr<ConfiguredArchive> ArchiveFromConfig(const Config& config) {
  ConfiguredArchive configured;
  if (config.GetString(options::kArchiveEndpoint).empty()) return configured;
  S3Options s3;
  s3.endpoint = config.GetString(options::kArchiveEndpoint);
  s3.region = config.GetString(options::kArchiveRegion);
  s3.bucket = config.GetString(options::kArchiveBucket);
  s3.access_key = config.GetString(options::kArchiveAccessKey);
  s3.secret_key = config.GetString(options::kArchiveSecretKey);
  auto client = S3Client::Create(s3);
  if (!client.ok()) return client.status();
  configured.client = *std::move(client);
  const std::string& prefix = config.GetString(options::kArchivePrefix);
  configured.archive = std::make_unique<PartitionArchive>(configured.client.get(), prefix);
  configured.spans =
      std::make_unique<PartitionArchive>(configured.client.get(), prefix + "spans/", "spans");
  return configured;
}

}  // namespace mayak
