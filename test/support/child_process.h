// A child process for tests: started with arguments and extra environment,
// its stdout and stderr collected, stopped (SIGKILL) when the object goes.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace mayak::testing {

class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> args,
               const std::vector<std::pair<std::string, std::string>>& env = {}) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) std::abort();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::dup2(fds[1], STDERR_FILENO);
      for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp(argv[0], argv.data());
      std::fprintf(stderr, "exec %s failed: %s\n", argv[0], std::strerror(errno));
      ::_exit(127);
    }
    ::close(fds[1]);
    reader_ = std::thread([this, fd = fds[0]] { Read(fd); });
  }
  ~ChildProcess() {
    Kill();
    if (reader_.joinable()) reader_.join();
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // Waits until the output contains `text` (true) or the process ends or
  // `timeout` passes (false).
  bool WaitForOutput(const std::string& text, std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, timeout, [&] {
      return closed_ || output_.find(text) != std::string::npos;
    }) && output_.find(text) != std::string::npos;
  }
  // Everything the process wrote to stdout and stderr so far.
  std::string output() const {
    std::lock_guard<std::mutex> lock(mu_);
    return output_;
  }

  // Waits for the process to exit; returns its exit code, 128+signal if a
  // signal ended it, or -1 if it had not exited by `timeout`.
  int WaitForExit(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return exit_code_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        // Let the reader see the end of the output.
        std::unique_lock<std::mutex> lock(mu_);
        changed_.wait_for(lock, std::chrono::seconds(5), [this] { return closed_; });
        return exit_code_;
      }
      if (std::chrono::steady_clock::now() >= deadline) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  // Sends `signal`, then waits as WaitForExit.
  int Stop(int signal, std::chrono::milliseconds timeout) {
    if (pid_ > 0) ::kill(pid_, signal);
    return WaitForExit(timeout);
  }
  void Kill() {
    if (pid_ > 0) Stop(SIGKILL, std::chrono::seconds(10));
  }

 private:
  void Read(int fd) {
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(fd, buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) continue;
      std::lock_guard<std::mutex> lock(mu_);
      if (n <= 0) {
        closed_ = true;
        changed_.notify_all();
        break;
      }
      output_.append(buffer, static_cast<size_t>(n));
      changed_.notify_all();
    }
    ::close(fd);
  }

  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::thread reader_;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::string output_;
  bool closed_ = false;
};

}  // namespace mayak::testing
