// `mayak server`: opens the store, serves the listeners, and shuts down
// cleanly on SIGTERM or SIGINT (stop accepting, finish in-flight requests,
// flush the WAL, exit).
#pragma once

#include "common/config.h"

namespace mayak {

// Runs until a termination signal; returns the process exit code.
int RunServer(const Config& config);

}  // namespace mayak
