// mayak archive list|verify: the partitions in the S3 archive, read with the
// server's archive settings (archive.s3.* from --config and the environment).
#include <iostream>
#include <map>

#include "archive/archive_config.h"
#include "commands.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "common/units.h"

namespace mayak {
namespace {

struct ArchiveFlags {
  std::string config_file;
  std::string system;  // empty: every system
};

// The archive's partitions (of one system if asked), or an exit code.
int WithPartitions(const ArchiveFlags& flags,
                   const std::function<int(const PartitionArchive&,
                                           const std::vector<ArchivedPartition>&)>& use) {
  auto config = Config::Load(flags.config_file);
  if (!config.ok()) {
    std::cerr << "mayak archive: " << config.status().message() << "\n";
    return 2;
  }
  auto archive = ArchiveFromConfig(*config);
  if (!archive.ok()) {
    std::cerr << "mayak archive: " << archive.status().message() << "\n";
    return 2;
  }
  if (archive->archive == nullptr) {
    std::cerr << "mayak archive: no archive is configured: set archive.s3.endpoint (and bucket, "
                 "access_key, secret_key) in --config or MAYAK_ARCHIVE_S3_* variables\n";
    return 2;
  }
  auto partitions = archive->archive->List();
  if (!partitions.ok()) {
    std::cerr << "mayak archive: " << partitions.status().message() << "\n";
    return 1;
  }
  std::vector<ArchivedPartition> selected;
  for (ArchivedPartition& p : *partitions) {
    if (flags.system.empty() || p.system == flags.system) selected.push_back(std::move(p));
  }
  return use(*archive->archive, selected);
}

}  // namespace

Command AddArchiveCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "archive",
      "Partitions archived to S3-compatible storage by retention.\n"
      "Example: MAYAK_ARCHIVE_S3_ENDPOINT=http://127.0.0.1:9000 mayak archive list --system shop");
  cmd->require_subcommand(1);
  auto flags = std::make_shared<ArchiveFlags>();
  auto selected = std::make_shared<std::string>();
  for (CLI::App* sub :
       {cmd->add_subcommand("list", "List archived partitions by system and day: segments, "
                                    "records, bytes and when each was archived."),
        cmd->add_subcommand("verify",
                            "Check every archived object against its partition's manifest "
                            "(present, size, MD5).\nExit 0 if all is intact, 1 otherwise.")}) {
    sub->add_option("--config,-c", flags->config_file,
                    "YAML configuration with the archive.s3 settings (environment variables "
                    "MAYAK_ARCHIVE_S3_* also apply)");
    sub->add_option("--system", flags->system, "Only this system");
    sub->callback([selected, sub] { *selected = sub->get_name(); });
  }
  return {cmd, [flags, selected]() -> int {
            if (*selected == "list") {
              return WithPartitions(*flags, [](const PartitionArchive&,
                                               const std::vector<ArchivedPartition>& partitions) {
                std::cout << "system\tday\tsegments\trecords\tbytes\tarchived_at\n";
                for (const ArchivedPartition& p : partitions) {
                  std::cout << p.system << "\t" << DayName(p.day) << "\t" << p.segments.size()
                            << "\t" << p.rows() << "\t" << p.bytes() << "\t"
                            << FormatRfc3339Millis(p.archived_at_ns) << "\n";
                }
                std::cout << partitions.size() << " partitions\n";
                return 0;
              });
            }
            return WithPartitions(*flags, [](const PartitionArchive& archive,
                                             const std::vector<ArchivedPartition>& partitions) {
              size_t problems = 0;
              size_t objects = 0;
              for (const ArchivedPartition& p : partitions) {
                auto found = archive.Verify(p);
                if (!found.ok()) {
                  std::cerr << "mayak archive verify: " << found.status().message() << "\n";
                  return 1;
                }
                objects += p.segments.size();
                for (const std::string& problem : *found) std::cout << "DAMAGED: " << problem << "\n";
                problems += found->size();
              }
              std::cout << partitions.size() << " partitions, " << objects
                        << " segment objects checked\n"
                        << (problems == 0 ? "OK: every object matches its manifest\n"
                                          : "damage found: see above\n");
              return problems == 0 ? 0 : 1;
            });
          }};
}

}  // namespace mayak
