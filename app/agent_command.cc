// `mayak agent`: ships log files, PostgreSQL's log and RabbitMQ dead letters
// to a Mayak server (or Elasticsearch), at least once (src/agent/).
#include <signal.h>

#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "agent/agent.h"
#include "api/http_server.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "commands.h"
#include "common/logging.h"
#include "common/strings.h"
#include "common/units.h"

namespace mayak {
namespace {

struct AgentFlags {
  std::string config;
  std::string data_dir;
  std::string metrics;
  std::string shutdown_timeout = "10s";
  bool check = false;
};

int RunAgent(const AgentFlags& flags) {
  auto config = agent::LoadAgentConfig(flags.config);
  if (!config.ok()) {
    std::cerr << "mayak agent: " << config.status().message() << "\n";
    return 2;
  }
  if (!flags.data_dir.empty()) config->data_dir = flags.data_dir;
  if (!flags.metrics.empty()) {
    auto address = ListenAddress::Parse(flags.metrics);
    if (!address.ok()) {
      std::cerr << "mayak agent: --metrics: " << address.status().message() << "\n";
      return 2;
    }
    config->metrics = *address;
  }
  auto grace = ParseDurationNanos(flags.shutdown_timeout);
  if (!grace.ok()) {
    std::cerr << "mayak agent: --shutdown-timeout: " << grace.status().message() << "\n";
    return 2;
  }
  if (flags.check) {
    std::cout << "OK: " << config->files.size() << " file input(s), " << config->rabbitmq.size()
              << " RabbitMQ input(s), output " << config->output.url << "\n";
    return 0;
  }

  // Signals are taken by this thread only: block them before any thread
  // starts, so that every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  MetricsRegistry metrics;
  auto created = agent::Agent::Create(*std::move(config), &metrics);
  if (!created.ok()) {
    std::cerr << "mayak agent: " << created.status().message() << "\n";
    return 1;
  }
  agent::Agent& shipper = **created;

  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  Router router;
  router.Add("GET", "/metrics", [&shipper](const HttpRequest&, Respond respond) {
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4";
    response.body = shipper.RenderMetrics();
    respond(std::move(response));
  });
  router.Add("GET", "/health",
             [](const HttpRequest&, Respond respond) { respond(JsonOk(R"({"status":"ok"})")); });
  HttpServer http(io, &router, HttpServerOptions{}, &metrics);
  const ListenAddress& listen = shipper.config().metrics;
  if (listen.enabled) {
    auto bound = http.Listen(listen);
    if (!bound.ok()) {
      std::cerr << "mayak agent: metrics listener " << listen.ToString() << ": "
                << bound.status().message() << " (choose another with --metrics, or off)\n";
      return 1;
    }
    LogInfo("listening", {{"listener", "agent_metrics"}, {"url", StrCat("http://", *bound)}});
  }
  std::thread io_thread([&io] { io.run(); });

  shipper.Start();
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  LogInfo("agent: shutting down", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  shipper.Stop(*grace);
  http.StartDraining();
  work.reset();
  io.stop();
  io_thread.join();
  return 0;
}

}  // namespace

Command AddAgentCommand(CLI::App& app) {
  auto flags = std::make_shared<AgentFlags>();
  CLI::App* cmd = app.add_subcommand(
      "agent",
      "Ship log files, PostgreSQL's log and RabbitMQ dead letters to Mayak, at least once\n"
      "Runs next to the services, in place of Filebeat. Reads the inputs of a YAML\n"
      "configuration (docs/agent.md), survives rotation, restarts and server outages, and\n"
      "never skips a line: a file's offset in the registry moves only once the server\n"
      "acknowledged its events, or they are in the disk buffer (for outages).\n"
      "/metrics tells the lag of every file.\n\n"
      "Example:\n"
      "  mayak agent --config /etc/mayak/agent.yaml --data-dir /var/lib/mayak-agent\n"
      "  mayak agent --config agent.yaml --check    # check the configuration only");
  cmd->add_option("--config,-c", flags->config, "The agent's YAML configuration (docs/agent.md)")
      ->required();
  cmd->add_option("--data-dir,-d", flags->data_dir,
                  "Where the registry of file offsets lives (overrides data_dir)");
  cmd->add_option("--metrics", flags->metrics,
                  "Address for /metrics and /health (default 127.0.0.1:7012; off to disable)");
  cmd->add_option("--shutdown-timeout", flags->shutdown_timeout,
                  "How long SIGTERM waits for queued events to be sent (default 10s); what is "
                  "left is sent from the disk buffer, or read again, at the next start");
  cmd->add_flag("--check", flags->check, "Check the configuration and exit");
  return {cmd, [flags] { return RunAgent(*flags); }};
}

}  // namespace mayak
