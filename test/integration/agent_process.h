// Runs the real `mayak agent` for integration tests: its configuration
// written to a file, its metrics on a free port, killed when the object goes.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "support/child_process.h"

namespace mayak::testing {

// A TCP port nobody listens on right now (for a server that must come back
// on the same address after a restart).
inline int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

class AgentProcess {
 public:
  // Writes `yaml` to DIR/agent.yaml and starts `mayak agent` on it with its
  // registry in DIR/agent-data.
  AgentProcess(const std::string& dir, const std::string& yaml) : dir_(dir) {
    std::ofstream(dir + "/agent.yaml") << yaml;
    Start();
  }

  void Start() {
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        MAYAK_BINARY, "agent", "--config", dir_ + "/agent.yaml", "--data-dir", dir_ + "/agent-data",
        "--metrics", "127.0.0.1:0", "--shutdown-timeout", "5s"});
  }
  bool WaitForLog(const std::string& text, std::chrono::milliseconds timeout) const {
    return process_->WaitForOutput(text, timeout);
  }
  void Kill() { process_->Kill(); }
  int Stop(int signal) { return process_->Stop(signal, std::chrono::seconds(30)); }
  std::string log() const { return process_->output(); }
  // The URL of its /metrics and /health, from its "listening" line.
  std::string MetricsUrl() const {
    const std::string out = log();
    const std::string marker = R"("listener":"agent_metrics","url":")";
    const size_t at = out.find(marker);
    if (at == std::string::npos) return "";
    const size_t start = at + marker.size();
    return out.substr(start, out.find('"', start) - start);
  }

 private:
  std::string dir_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace mayak::testing
