// mayak: one binary that collects, stores, searches and alerts on logs and
// traces. See `mayak help`.
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/synchronization/mutex.h"
#include "commands.h"

namespace {

constexpr const char* kDescription =
    "Mayak: logs and traces collected, stored, searched and alerted on, in one binary.\n\n"
    "Start a server:     mayak server --data-dir ./data\n"
    "Send logs:          mayak ingest app.ndjson\n"
    "Search them:        mayak query 'service.name:shop and log.level:error' --from 1h\n"
    "Follow them:        mayak tail 'log.level:error'\n"
    "Ship log files:     mayak agent --config agent.yaml\n\n"
    "`mayak COMMAND --help` explains each command and its flags.";

}  // namespace

int main(int argc, char** argv) {
#ifdef NDEBUG
  // Debian builds Abseil without NDEBUG, so every Mutex::Lock would also
  // update a lock-order graph (a few percent of the agent's and the
  // server's CPU). The test build, which has no NDEBUG, keeps the check.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  CLI::App app(kDescription, "mayak");
  app.require_subcommand(0, 1);
  app.set_help_all_flag("--help-all", "Print help for every command");

  std::map<CLI::App*, mayak::CommandRun> runs;
  for (auto* adder :
       {&mayak::AddServerCommand, &mayak::AddQueryCommand, &mayak::AddTailCommand,
        &mayak::AddIngestCommand, &mayak::AddConfigCommand, &mayak::AddBenchCommand,
        &mayak::AddAdminCommand, &mayak::AddArchiveCommand, &mayak::AddAgentCommand}) {
    mayak::Command command = adder(app);
    runs[command.subcommand] = std::move(command.run);
  }

  CLI::App* version =
      app.add_subcommand("version", "Print the version and exit\nExample: mayak version");
  runs[version] = [] {
    std::cout << "mayak " << MAYAK_VERSION << "\n";
    return 0;
  };
  CLI::App* help =
      app.add_subcommand("help", "Print this help, or a command's\nExample: mayak help query");
  auto help_topic = std::make_shared<std::string>();
  help->add_option("command", *help_topic, "The command to explain, e.g. query");
  runs[help] = [&app, help_topic] {
    // app.help() would describe the `help` subcommand itself once it is parsed.
    CLI::App* target = &app;
    std::string name = "mayak";
    if (!help_topic->empty()) {
      try {
        target = app.get_subcommand(*help_topic);
        name = "mayak " + *help_topic;
      } catch (const CLI::OptionNotFound&) {
        std::cerr << "mayak help: no command '" << *help_topic << "'; see `mayak help`\n";
        return 2;
      }
    }
    std::cout << app.get_formatter()->make_help(target, name, CLI::AppFormatMode::Normal);
    return 0;
  };

  // The first line of a command's description is its summary in `mayak help`;
  // the rest (examples, notes) closes its own --help.
  for (auto& [subcommand, run] : runs) {
    const std::string text = subcommand->get_description();
    const size_t newline = text.find('\n');
    if (newline == std::string::npos) continue;
    subcommand->description(text.substr(0, newline));
    subcommand->footer(text.substr(newline + 1));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  for (auto& [subcommand, run] : runs) {
    if (subcommand->parsed()) return run();
  }
  std::cout << app.help();
  return 0;
}
