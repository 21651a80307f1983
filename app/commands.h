// The subcommands of the `mayak` binary. Each registers its flags on the
// CLI11 app and returns the function that runs it.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "CLI/CLI.hpp"

namespace mayak {

using CommandRun = std::function<int()>;

struct Command {
  CLI::App* subcommand;
  CommandRun run;  // the process exit code
};

Command AddServerCommand(CLI::App& app);
Command AddQueryCommand(CLI::App& app);
Command AddTailCommand(CLI::App& app);
Command AddIngestCommand(CLI::App& app);
Command AddConfigCommand(CLI::App& app);
Command AddBenchCommand(CLI::App& app);
// `mayak bench pipeline`: one thread's throughput of each ingest decoder and
// of redaction on the records of an NDJSON file (app/bench_pipeline.cc).
int RunPipelineBench(const std::string& input, int repeats);
// `mayak bench segments`: app/bench_segments.cc.
int RunSegmentsBench(const std::string& input, int repeats, size_t flush_records);
// `mayak bench gen-traces` and `send-otlp` (app/bench_traces.cc): the
// returned function runs whichever was parsed, nullopt when neither was.
std::function<std::optional<int>()> AddTraceBenchCommands(CLI::App* bench);
Command AddAdminCommand(CLI::App& app);
Command AddArchiveCommand(CLI::App& app);
Command AddAgentCommand(CLI::App& app);

// The server address the client commands use: --server, else $MAYAK_SERVER,
// else the default API listener.
std::string DefaultServerUrl();

}  // namespace mayak
