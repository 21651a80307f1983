#include "server_process.h"

#include <algorithm>

namespace mayak::testing {

std::vector<std::string> ApiOnlyArgs() {
  return {"--listen",           "127.0.0.1:0", "--es-listen",        "off",
          "--otlp-http-listen", "off",         "--otlp-grpc-listen", "off",
          "--zipkin-listen",    "off",         "--jaeger-listen",    "off",
          "--syslog-listen",    "off"};
}

ServerProcess::ServerProcess(const ServerOptions& options) {
  std::vector<std::string> args = {MAYAK_BINARY, "server", "--data-dir", options.data_dir};
  // The listener defaults, except those the test sets itself.
  const std::vector<std::string> defaults = ApiOnlyArgs();
  for (size_t i = 0; i + 1 < defaults.size(); i += 2) {
    if (std::find(options.extra_args.begin(), options.extra_args.end(), defaults[i]) !=
        options.extra_args.end()) {
      continue;
    }
    args.push_back(defaults[i]);
    args.push_back(defaults[i + 1]);
  }
  for (const std::string& a : options.extra_args) args.push_back(a);
  process_ = std::make_unique<ChildProcess>(std::move(args), options.env);
  if (!options.wait_until_ready) return;
  if (!process_->WaitForOutput(R"("msg":"ready")", std::chrono::seconds(30))) return;
  url_ = ListenerUrl("api");
}

std::string ServerProcess::ListenerUrl(const std::string& listener) const {
  const std::string log = process_->output();
  const std::string marker = R"("listener":")" + listener + R"(","address":")";
  const size_t at = log.find(marker);
  if (at == std::string::npos) return "";
  const size_t start = at + marker.size();
  return "http://" + log.substr(start, log.find('"', start) - start);
}

ServerProcess::~ServerProcess() = default;

std::unique_ptr<HttpClient> ServerProcess::Client() const {
  auto client = HttpClient::Create(url_);
  if (!client.ok()) std::abort();
  return *std::move(client);
}

int ServerProcess::WaitForExit(std::chrono::milliseconds timeout) {
  return process_->WaitForExit(timeout);
}

int ServerProcess::Stop(int signal, std::chrono::milliseconds timeout) {
  return process_->Stop(signal, timeout);
}

void ServerProcess::Kill() { process_->Kill(); }

std::string ServerProcess::log() const { return process_->output(); }

bool ServerProcess::WaitForLog(const std::string& needle, std::chrono::milliseconds timeout) const {
  return process_->WaitForOutput(needle, timeout);
}

}  // namespace mayak::testing
