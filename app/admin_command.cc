#include <iostream>

#include "commands.h"
#include "storage/verify.h"

namespace mayak {

Command AddAdminCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("admin",
                                     "Maintenance of a data directory.\n"
                                     "Example: mayak admin verify --data-dir /var/lib/mayak");
  cmd->require_subcommand(1);
  CLI::App* verify = cmd->add_subcommand(
      "verify",
      "Check every segment block and WAL entry against its checksum, offline (read only;\n"
      "safe beside a running server). Exit 0 if all is intact, 1 if anything is damaged.");
  auto data_dir = std::make_shared<std::string>("./data");
  verify->add_option("--data-dir,-d", *data_dir, "The data directory")
      ->capture_default_str()
      ->check(CLI::ExistingDirectory);
  return {cmd, [data_dir]() -> int {
            const VerifyReport report = VerifyDataDir(Env::Default(), *data_dir);
            for (const std::string& problem : report.problems) {
              std::cout << "DAMAGED: " << problem << "\n";
            }
            std::cout << report.segments << " segments (" << report.rows << " rows), "
                      << report.wal_files << " WAL files (" << report.wal_entries
                      << " entries) checked";
            if (report.wal_torn_tail_bytes > 0) {
              std::cout << "; " << report.wal_torn_tail_bytes
                        << " bytes of an unacknowledged torn write at the WAL's end (the server "
                           "drops them at start-up)";
            }
            std::cout << "\n"
                      << (report.problems.empty() ? "OK: no damage found\n"
                                                  : "damage found: see above\n");
            return report.problems.empty() ? 0 : 1;
          }};
}

}  // namespace mayak
