#include "server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace mayak::testing {

std::vector<std::string> ApiOnlyArgs() {
  return {"--listen",           "127.0.0.1:0", "--es-listen",        "off",
          "--otlp-http-listen", "off",         "--otlp-grpc-listen", "off",
          "--zipkin-listen",    "off",         "--jaeger-listen",    "off",
          "--syslog-listen",    "off"};
}

ServerProcess::ServerProcess(const ServerOptions& options) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) std::abort();
  std::vector<std::string> args = {MAYAK_BINARY, "server", "--data-dir", options.data_dir};
  for (const std::string& a : ApiOnlyArgs()) args.push_back(a);
  for (const std::string& a : options.extra_args) args.push_back(a);

  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(pipe_fds[1], STDERR_FILENO);
    for (const auto& [name, value] : options.env) ::setenv(name.c_str(), value.c_str(), 1);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    std::fprintf(stderr, "exec %s failed: %s\n", argv[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  reader_ = std::thread([this, fd = pipe_fds[0]] { ReadOutput(fd); });
  if (!options.wait_until_ready) return;

  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait_for(lock, std::chrono::seconds(30), [this] {
    return output_closed_ || log_.find("\"msg\":\"ready\"") != std::string::npos;
  });
  if (log_.find("\"msg\":\"ready\"") == std::string::npos) return;
  const std::string marker = "\"listener\":\"api\",\"address\":\"";
  const size_t at = log_.find(marker);
  if (at == std::string::npos) return;
  const size_t start = at + marker.size();
  url_ = "http://" + log_.substr(start, log_.find('"', start) - start);
}

ServerProcess::~ServerProcess() {
  Kill();
  if (reader_.joinable()) reader_.join();
}

void ServerProcess::ReadOutput(int fd) {
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    std::lock_guard<std::mutex> lock(mu_);
    if (n <= 0) {
      output_closed_ = true;
      changed_.notify_all();
      break;
    }
    log_.append(buffer, static_cast<size_t>(n));
    changed_.notify_all();
  }
  ::close(fd);
}

std::unique_ptr<HttpClient> ServerProcess::Client() const {
  auto client = HttpClient::Create(url_);
  if (!client.ok()) std::abort();
  return *std::move(client);
}

int ServerProcess::WaitForExit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return exit_code_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      // Let the reader see the end of the output.
      std::unique_lock<std::mutex> lock(mu_);
      changed_.wait_for(lock, std::chrono::seconds(5), [this] { return output_closed_; });
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int ServerProcess::Stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ > 0) ::kill(pid_, signal);
  return WaitForExit(timeout);
}

void ServerProcess::Kill() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    WaitForExit(std::chrono::seconds(10));
  }
}

std::string ServerProcess::log() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_;
}

bool ServerProcess::WaitForLog(const std::string& needle, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [&] {
    return log_.find(needle) != std::string::npos || output_closed_;
  }) && log_.find(needle) != std::string::npos;
}

}  // namespace mayak::testing
