#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "commands.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "storage/column_usage.h"
#include "storage/verify.h"

namespace mayak {
namespace {

// Checks the logs' store in `data_dir` and the spans' in its traces/.
int RunVerify(const std::string& data_dir) {
  bool damaged = false;
  for (const auto& [label, dir] :
       {std::pair<std::string, std::string>{"", data_dir}, {"spans: ", data_dir + "/traces"}}) {
    if (!label.empty() && !std::filesystem::exists(dir)) continue;
    const VerifyReport report = VerifyDataDir(Env::Default(), dir);
    for (const std::string& problem : report.problems) {
      std::cout << "DAMAGED: " << problem << "\n";
    }
    damaged |= !report.problems.empty();
    std::cout << label << report.segments << " segments (" << report.rows << " rows), "
              << report.wal_files << " WAL files (" << report.wal_entries << " entries) checked";
    if (report.wal_torn_tail_bytes > 0) {
      std::cout << "; " << report.wal_torn_tail_bytes
                << " bytes of an unacknowledged torn write at the WAL's end (the server "
                   "drops them at start-up)";
    }
    std::cout << "\n";
  }
  std::cout << (damaged ? "damage found: see above\n" : "OK: no damage found\n");
  return damaged ? 1 : 0;
}

// printf into a string: the table's aligned columns.
__attribute__((format(printf, 1, 2))) std::string Format(const char* format, ...) {
  char line[256];
  va_list args;
  va_start(args, format);
  std::vsnprintf(line, sizeof(line), format, args);
  va_end(args);
  return line;
}

void PrintColumnUsage(const DataDirUsage& usage, std::ostream& out) {
  const double rows = usage.rows > 0 ? static_cast<double>(usage.rows) : 1;
  const auto per_record = [rows](uint64_t bytes) { return static_cast<double>(bytes) / rows; };
  out << Format("%llu segments, %llu records, %llu bytes (%.2f a record)\n",
                static_cast<unsigned long long>(usage.segments),
                static_cast<unsigned long long>(usage.rows),
                static_cast<unsigned long long>(usage.file_bytes), per_record(usage.file_bytes));
  const bool encodings =
      std::ranges::any_of(usage.columns, [](const ColumnUsage& c) { return !c.encodings.empty(); });
  out << Format("%-36s %-9s %10s %11s %10s %9s", "column", "type", "values", "stored/rec",
                "bloom/rec", "raw/rec")
      << (encodings ? "  row groups by encoding\n" : "\n");
  for (const ColumnUsage& c : usage.columns) {
    out << Format("%-36s %-9s %10llu %11.2f %10.2f %9.2f", c.name.c_str(),
                  std::string(ColumnTypeName(c.type)).c_str(),
                  static_cast<unsigned long long>(c.values), per_record(c.stored_bytes),
                  per_record(c.bloom_bytes), per_record(c.raw_bytes));
    // The most used encoding first.
    std::vector<std::pair<uint64_t, std::string>> by_count;
    for (const auto& [name, groups] : c.encodings) by_count.emplace_back(groups, name);
    std::ranges::sort(by_count, std::greater<>());
    for (size_t i = 0; i < by_count.size(); ++i) {
      out << (i == 0 ? "  " : ", ") << by_count[i].second << " " << by_count[i].first;
    }
    out << "\n";
  }
}

// The spans' store lies in the data directory's traces/ (as for verify).
int RunColumns(const std::string& data_dir, const std::string& kind, bool encodings) {
  auto usage =
      ColumnUsageOf(Env::Default(), kind == "spans" ? data_dir + "/traces" : data_dir, encodings);
  if (!usage.ok()) {
    std::cerr << "mayak admin columns: " << StatusMessage(usage.status()) << "\n";
    return 1;
  }
  PrintColumnUsage(*usage, std::cout);
  return 0;
}

}  // namespace

Command AddAdminCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("admin",
                                     "Maintenance of a data directory.\n"
                                     "Example: mayak admin verify --data-dir /var/lib/mayak");
  cmd->require_subcommand(1);
  CLI::App* verify = cmd->add_subcommand(
      "verify",
      "Check every segment block and WAL entry against its checksum, offline (read only;\n"
      "safe beside a running server). Exit 0 if all is intact, 1 if anything is damaged.\n"
      "Example: mayak admin verify --data-dir /var/lib/mayak");
  auto data_dir = std::make_shared<std::string>("./data");
  verify
      ->add_option("--data-dir,-d", *data_dir, "The data directory, e.g. --data-dir /var/lib/mayak")
      ->capture_default_str()
      ->check(CLI::ExistingDirectory);
  CLI::App* columns = cmd->add_subcommand(
      "columns",
      "What each field costs on disk, summed over every segment: values as stored\n"
      "(compressed) and raw, Bloom filters, bytes per record. Reads only footers, unless\n"
      "--encodings asks how each row group stores each column (reads every chunk).\n"
      "Examples:\n"
      "  mayak admin columns --data-dir /var/lib/mayak\n"
      "  mayak admin columns --data-dir /var/lib/mayak --kind spans --encodings");
  columns
      ->add_option("--data-dir,-d", *data_dir, "The data directory, e.g. --data-dir /var/lib/mayak")
      ->capture_default_str()
      ->check(CLI::ExistingDirectory);
  auto kind = std::make_shared<std::string>("logs");
  columns->add_option("--kind", *kind, "The logs' segments or the spans', e.g. --kind spans")
      ->capture_default_str()
      ->check(CLI::IsMember({"logs", "spans"}));
  auto encodings = std::make_shared<bool>(false);
  columns->add_flag("--encodings", *encodings,
                    "Also count the row groups by how each column is stored (hex, templates,\n"
                    "row-references, deltas, ...), e.g. --encodings --kind spans");
  return {cmd, [columns, data_dir, kind, encodings]() -> int {
            return columns->parsed() ? RunColumns(*data_dir, *kind, *encodings)
                                     : RunVerify(*data_dir);
          }};
}

}  // namespace mayak
