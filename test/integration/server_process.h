// Runs the real `mayak server` binary for integration tests: on a free port
// (--listen 127.0.0.1:0, the port read back from its "listening" log line),
// with its stderr captured, and stopped (SIGKILL) when the object goes away.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "client/http_client.h"
#include "support/child_process.h"
#include "support/temp_dir.h"

namespace mayak::testing {

struct ServerOptions {
  explicit ServerOptions(std::string dir, std::vector<std::string> args = {})
      : data_dir(std::move(dir)), extra_args(std::move(args)) {}

  std::string data_dir;
  std::vector<std::string> extra_args;
  std::vector<std::pair<std::string, std::string>> env;
  bool wait_until_ready = true;
};

class ServerProcess {
 public:
  // Starts the server and waits until it is ready (or has exited). Check
  // ready() and log() in the test.
  explicit ServerProcess(const ServerOptions& options);
  ~ServerProcess();

  bool ready() const { return !url_.empty(); }
  const std::string& url() const { return url_; }
  // The URL of another listener ("elasticsearch") from its "listening" log
  // line, or "" when it is not listening.
  std::string ListenerUrl(const std::string& listener) const;
  pid_t pid() const { return process_->pid(); }
  // A client connected to this server.
  std::unique_ptr<HttpClient> Client() const;

  // Sends `signal` and waits for the exit; returns the exit code, 128+signal
  // if it died of a signal, or -1 if it had not exited by `timeout`.
  int Stop(int signal, std::chrono::milliseconds timeout);
  // Waits for the process to exit by itself (e.g. a start-up error).
  int WaitForExit(std::chrono::milliseconds timeout);
  void Kill();

  // Everything the server wrote so far (its log is on stderr).
  std::string log() const;
  bool WaitForLog(const std::string& needle, std::chrono::milliseconds timeout) const;

 private:
  std::unique_ptr<ChildProcess> process_;
  std::string url_;
};

// The arguments that turn off every listener but the API, on a free port.
std::vector<std::string> ApiOnlyArgs();

}  // namespace mayak::testing
