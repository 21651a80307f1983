// `mayak server`: opens the store, serves the listeners, and shuts down
// cleanly on SIGTERM or SIGINT (stop accepting, finish in-flight requests,
// flush the WAL, exit).
#pragma once

#include "absl/status/status.h"
#include "common/config.h"

namespace mayak {

// Checks what parsing the configuration does not: redaction rules and index
// patterns that must compile. `--check-config` and start-up run it.
absl::Status CheckServerConfig(const Config& config);

// Runs until a termination signal; returns the process exit code.
int RunServer(const Config& config);

}  // namespace mayak
