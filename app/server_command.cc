#include <unistd.h>  // environ

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "api/server.h"
#include "commands.h"
#include "common/config.h"
#include "common/config_options.h"
#include "common/logging.h"

namespace mayak {
namespace {

struct ServerFlags {
  std::string config_file;
  bool check_config = false;
  // Flag values by option; empty means "not given".
  std::vector<std::pair<const OptionSpec*, std::string>> overrides;
};

struct FlagSpec {
  const char* flag;
  const OptionSpec* option;
  const char* help;
};

const FlagSpec kFlags[] = {
    {"--data-dir", &options::kDataDir,
     "Data directory (default ./data), e.g. --data-dir /var/lib/mayak"},
    {"--listen", &options::kListenApi,
     "Mayak HTTP API address (default 127.0.0.1:7011), e.g. --listen 0.0.0.0:7011; port 0 picks "
     "a free port"},
    {"--es-listen", &options::kListenElasticsearch,
     "Elasticsearch-compatible API (default 127.0.0.1:9200), or off, e.g. --es-listen "
     "0.0.0.0:9200"},
    {"--otlp-http-listen", &options::kListenOtlpHttp,
     "OTLP/HTTP (default 127.0.0.1:4318), or off, e.g. --otlp-http-listen 0.0.0.0:4318"},
    {"--otlp-grpc-listen", &options::kListenOtlpGrpc,
     "OTLP/gRPC (default 127.0.0.1:4317), or off, e.g. --otlp-grpc-listen off"},
    {"--zipkin-listen", &options::kListenZipkin,
     "Zipkin v2 ingest (default 127.0.0.1:9411), or off, e.g. --zipkin-listen off"},
    {"--jaeger-listen", &options::kListenJaeger,
     "Jaeger-compatible query API (default 127.0.0.1:16686), or off, e.g. --jaeger-listen "
     "0.0.0.0:16686"},
    {"--syslog-listen", &options::kListenSyslog,
     "Syslog UDP+TCP (default 127.0.0.1:5514), or off, e.g. --syslog-listen off"},
    {"--log-level", &options::kLogLevel,
     "Least severity of the server's own log: debug, info, warn, error, e.g. --log-level "
     "debug"},
};

// A misspelled MAYAK_* variable would otherwise be ignored without a word:
// said on stderr, plainly for --check-config, as a log event for the server.
void WarnOfUnknownOptionVariables(bool plain) {
  std::vector<std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text = *entry;
    variables.emplace_back(text.substr(0, text.find('=')));
  }
  for (const std::string& name : UnknownOptionVariables(variables)) {
    if (plain) {
      std::cerr << "warning: environment variable " << name
                << " names no option and is ignored (docs/configuration.md lists them)\n";
    } else {
      LogWarn("environment variable names no option; ignored",
              {{"variable", name}, {"hint", "docs/configuration.md lists every MAYAK_ variable"}});
    }
  }
}

}  // namespace

Command AddServerCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "server",
      "Run the Mayak server on an embedded store.\n"
      "Example: mayak server --data-dir ./data --listen 127.0.0.1:7011 --syslog-listen off\n"
      "Settings come from defaults, then --config FILE, then MAYAK_<SECTION>_<KEY> environment\n"
      "variables, then these flags (docs/configuration.md lists them all).\n"
      "It logs JSON lines to stderr and stops cleanly on SIGTERM or Ctrl-C.");
  auto flags = std::make_shared<ServerFlags>();
  auto values = std::make_shared<std::vector<std::string>>(std::size(kFlags));
  cmd->add_option("--config,-c", flags->config_file,
                  "YAML configuration file, e.g. --config /etc/mayak/mayak.yaml "
                  "(see config/mayak.example.yaml)")
      ->check(CLI::ExistingFile);
  for (size_t i = 0; i < std::size(kFlags); ++i) {
    cmd->add_option(kFlags[i].flag, (*values)[i], kFlags[i].help);
  }
  cmd->add_flag("--check-config", flags->check_config,
                "Validate the configuration (file, environment, flags) and exit: 0 if valid, "
                "e.g. mayak server --config mayak.yaml --check-config");

  return {cmd, [flags, values]() -> int {
            auto config = Config::Load(flags->config_file);
            absl::Status status = config.status();
            for (size_t i = 0; status.ok() && i < std::size(kFlags); ++i) {
              if ((*values)[i].empty()) continue;
              status = config->Set(*kFlags[i].option, (*values)[i], kFlags[i].flag);
            }
            if (status.ok()) status = CheckServerConfig(*config);
            if (!status.ok()) {
              if (flags->check_config) {
                std::cerr << "invalid configuration: " << status.message() << "\n";
              } else {
                LogError("invalid configuration", {{"error", std::string(status.message())}});
              }
              return 2;
            }
            WarnOfUnknownOptionVariables(flags->check_config);
            if (flags->check_config) {
              std::cout << "configuration OK"
                        << (flags->config_file.empty() ? "" : ": " + flags->config_file) << "\n";
              for (const OptionSpec* spec : AllOptions()) {
                if (spec->type != OptionType::kListenAddress) continue;
                std::cout << "  " << spec->FullName() << " = "
                          << config->GetListenAddress(*spec).ToString() << "\n";
              }
              std::cout << "  server.data_dir = " << config->GetString(options::kDataDir) << "\n";
              return 0;
            }
            return RunServer(*config);
          }};
}

Command AddConfigCommand(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "config",
      "Print the configuration's documentation, generated from the option declarations.\n"
      "Example: mayak config example > mayak.yaml");
  cmd->require_subcommand(1);
  CLI::App* example =
      cmd->add_subcommand("example",
                          "A YAML file with every option at its default, commented.\n"
                          "Example: mayak config example > /etc/mayak/mayak.yaml");
  CLI::App* reference = cmd->add_subcommand("reference",
                                            "The Markdown reference of every option.\n"
                                            "Example: mayak config reference > configuration.md");
  return {cmd, [example, reference]() -> int {
            if (example->parsed()) std::cout << RenderExampleConfig();
            if (reference->parsed()) std::cout << RenderConfigReference();
            return 0;
          }};
}

}  // namespace mayak
