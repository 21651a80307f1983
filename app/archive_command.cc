// mayak archive list|verify|restore: the partitions in the S3 archive. list and
// verify read it with the server's archive settings (archive.s3.* from
// --config and the environment); restore asks the running server.
#include <iostream>
#include <map>

#include "api/http_message.h"
#include "archive/archive_config.h"
#include "client/http_client.h"
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
  std::string from;    // restore: days
  std::string to;
  std::string server;
  std::string kind = "logs";  // or spans
};

// Asks the running server to restore (it owns the data directory).
int RunRestore(const ArchiveFlags& flags) {
  auto client = HttpClient::Create(flags.server.empty() ? DefaultServerUrl() : flags.server);
  if (!client.ok()) {
    std::cerr << "mayak archive restore: " << StatusMessage(client.status()) << "\n";
    return 2;
  }
  const std::string target = StrCat("/api/v1/archive/restore?system=", PercentEncode(flags.system),
                                    "&from=", PercentEncode(flags.from),
                                    "&to=", PercentEncode(flags.to), "&kind=", flags.kind);
  auto reply = (*client)->Send("POST", target);
  if (!reply.ok()) {
    std::cerr << "mayak archive restore: " << StatusMessage(reply.status()) << "\n";
    return 1;
  }
  std::cout << reply->body << (reply->body.ends_with("\n") ? "" : "\n");
  if (reply->status != 200) return 1;
  return reply->body.find("\"skipped\":[]") != std::string::npos ? 0 : 1;
}

using DamagedManifests = std::vector<PartitionArchive::DamagedManifest>;

// The archive's partitions (of one system if asked) and the manifests that
// could not be read, or an exit code.
int WithPartitions(
    const ArchiveFlags& flags,
    const std::function<int(const PartitionArchive&, const std::vector<ArchivedPartition>&,
                            const DamagedManifests&)>& use) {
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
  const PartitionArchive& chosen = flags.kind == "spans" ? *archive->spans : *archive->archive;
  DamagedManifests damaged;
  auto partitions = chosen.List(&damaged);
  if (!partitions.ok()) {
    std::cerr << "mayak archive: " << partitions.status().message() << "\n";
    return 1;
  }
  std::vector<ArchivedPartition> selected;
  for (ArchivedPartition& p : *partitions) {
    if (flags.system.empty() || p.system == flags.system) selected.push_back(std::move(p));
  }
  std::erase_if(damaged, [&flags](const PartitionArchive::DamagedManifest& d) {
    return !flags.system.empty() && d.system != flags.system;
  });
  return use(chosen, selected, damaged);
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
       {cmd->add_subcommand("list",
                            "List archived partitions by system and day: segments, "
                            "records, bytes and when each was archived.\n"
                            "Example: mayak archive list --config mayak.yaml --system shop"),
        cmd->add_subcommand("verify",
                            "Check every archived object against its partition's manifest "
                            "(present, size, MD5).\nExit 0 if all is intact, 1 otherwise.\n"
                            "Example: mayak archive verify --config mayak.yaml")}) {
    sub->add_option("--config,-c", flags->config_file,
                    "YAML configuration with the archive.s3 settings (environment variables "
                    "MAYAK_ARCHIVE_S3_* also apply), e.g. --config /etc/mayak/mayak.yaml");
    sub->add_option("--system", flags->system, "Only this system, e.g. --system shop");
    sub->add_option("--kind", flags->kind, "logs or spans, e.g. --kind spans")
        ->capture_default_str()
        ->check(CLI::IsMember({"logs", "spans"}));
    sub->callback([selected, sub] { *selected = sub->get_name(); });
  }
  CLI::App* restore = cmd->add_subcommand(
      "restore",
      "Bring archived days of a system back into search, through the running server; they stay\n"
      "retention.restored_days and are not archived again. Prints the server's JSON reply;\n"
      "exit 1 if any day was skipped.\n"
      "Example: mayak archive restore --system shop --from 2026-06-01 --to 2026-06-03");
  restore->add_option("--system", flags->system, "The system, e.g. --system shop")->required();
  restore->add_option("--from", flags->from, "First day, YYYY-MM-DD, e.g. --from 2026-06-01")
      ->required();
  restore->add_option("--to", flags->to,
                      "Last day, YYYY-MM-DD (default: --from), e.g. --to 2026-06-03");
  restore->add_option("--kind", flags->kind, "logs or spans, e.g. --kind spans")
      ->capture_default_str()
      ->check(CLI::IsMember({"logs", "spans"}));
  restore->add_option("--server,-s", flags->server,
                      "Server URL (default $MAYAK_SERVER or http://127.0.0.1:7011), e.g. "
                      "--server http://logs.internal:7011");
  restore->callback([selected] { *selected = "restore"; });
  return {cmd, [flags, selected]() -> int {
            if (*selected == "restore") return RunRestore(*flags);
            if (*selected == "list") {
              return WithPartitions(*flags, [](const PartitionArchive&,
                                               const std::vector<ArchivedPartition>& partitions,
                                               const DamagedManifests& damaged) {
                std::cout << "system\tday\tsegments\trecords\tbytes\tarchived_at\n";
                for (const ArchivedPartition& p : partitions) {
                  std::cout << p.system << "\t" << DayName(p.day) << "\t" << p.segments.size()
                            << "\t" << p.rows() << "\t" << p.bytes() << "\t"
                            << FormatRfc3339Millis(p.archived_at_ns) << "\n";
                }
                std::cout << partitions.size() << " partitions\n";
                for (const auto& d : damaged) std::cout << "DAMAGED: " << d.problem << "\n";
                return damaged.empty() ? 0 : 1;
              });
            }
            return WithPartitions(*flags, [](const PartitionArchive& archive,
                                             const std::vector<ArchivedPartition>& partitions,
                                             const DamagedManifests& damaged) {
              size_t problems = damaged.size();
              size_t objects = 0;
              for (const auto& d : damaged) std::cout << "DAMAGED: " << d.problem << "\n";
              for (const ArchivedPartition& p : partitions) {
                auto found = archive.Verify(p);
                if (!found.ok()) {
                  std::cerr << "mayak archive verify: " << found.status().message() << "\n";
                  return 1;
                }
                objects += p.segments.size();
                for (const std::string& problem : *found)
                  std::cout << "DAMAGED: " << problem << "\n";
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
