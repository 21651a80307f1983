#include "agent/agent_config.h"

#include <fstream>
#include <set>
#include <sstream>

#include "agent/postgresql_parser.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/units.h"
#include "re2/re2.h"
#include "yaml-cpp/yaml.h"

namespace mayak::agent {
namespace {

// Reads one YAML mapping, remembering which keys were used so that a
// misspelt key is an error rather than silently ignored.
class Section {
 public:
  Section(const YAML::Node& node, std::string where) : node_(node), where_(std::move(where)) {}

  const std::string& where() const { return where_; }
  std::string Path(std::string_view key) const {
    return where_.empty() ? std::string(key) : StrCat(where_, ".", key);
  }

  // The node under `key`, or an undefined node.
  YAML::Node Get(std::string_view key) {
    used_.insert(std::string(key));
    return node_[std::string(key)];
  }
  bool Has(std::string_view key) const { return node_[std::string(key)].IsDefined(); }

  absl::Status String(std::string_view key, std::string* out) {
    YAML::Node value = Get(key);
    if (!value.IsDefined() || value.IsNull()) return absl::OkStatus();
    if (!value.IsScalar()) return Error(key, "expects a text value");
    *out = value.Scalar();
    return absl::OkStatus();
  }
  absl::Status Strings(std::string_view key, std::vector<std::string>* out) {
    YAML::Node value = Get(key);
    if (!value.IsDefined() || value.IsNull()) return absl::OkStatus();
    if (value.IsScalar()) {
      out->push_back(value.Scalar());
      return absl::OkStatus();
    }
    if (!value.IsSequence()) return Error(key, "expects a list of texts");
    for (const YAML::Node& item : value) {
      if (!item.IsScalar()) return Error(key, "expects a list of texts");
      out->push_back(item.Scalar());
    }
    return absl::OkStatus();
  }
  absl::Status Bool(std::string_view key, bool* out) {
    std::string text;
    RETURN_IF_ERROR(String(key, &text));
    if (text.empty()) return absl::OkStatus();
    if (!ParseBool(text, out)) return Error(key, StrCat("'", text, "' is not true or false"));
    return absl::OkStatus();
  }
  template <typename Int>
  absl::Status Integer(std::string_view key, Int* out, int64_t min, int64_t max) {
    std::string text;
    RETURN_IF_ERROR(String(key, &text));
    if (text.empty()) return absl::OkStatus();
    int64_t value = 0;
    if (!ParseInt(text, &value) || value < min || value > max) {
      return Error(key, StrCat("'", text, "' is not a whole number from ", min, " to ", max));
    }
    *out = static_cast<Int>(value);
    return absl::OkStatus();
  }
  absl::Status Bytes(std::string_view key, size_t* out, int64_t min) {
    std::string text;
    RETURN_IF_ERROR(String(key, &text));
    if (text.empty()) return absl::OkStatus();
    auto bytes = ParseByteSize(text);
    if (!bytes.ok() || *bytes < min) {
      return Error(key, StrCat("'", text, "' is not a size of at least ", FormatByteSize(min),
                               " (e.g. 512KiB, 64MB)"));
    }
    *out = static_cast<size_t>(*bytes);
    return absl::OkStatus();
  }
  absl::Status Duration(std::string_view key, int64_t* out, bool zero_allowed = false) {
    std::string text;
    RETURN_IF_ERROR(String(key, &text));
    if (text.empty()) return absl::OkStatus();
    auto nanos = ParseDurationNanos(text);
    if (!nanos.ok() || *nanos < 0 || (*nanos == 0 && !zero_allowed)) {
      return Error(key, StrCat("'", text, "' is not a duration (e.g. 500ms, 10s, 5m",
                               zero_allowed ? ")" : "; above 0)"));
    }
    *out = *nanos;
    return absl::OkStatus();
  }
  // `fields: {system: shop, service.name: shop-api}`: scalars only.
  absl::Status Fields(std::string_view key, std::vector<std::pair<std::string, std::string>>* out) {
    YAML::Node value = Get(key);
    if (!value.IsDefined() || value.IsNull()) return absl::OkStatus();
    if (!value.IsMap()) return Error(key, "expects a mapping of field names to values");
    for (const auto& entry : value) {
      if (!entry.second.IsScalar()) {
        return Error(key, StrCat("the value of '", entry.first.Scalar(), "' must be a text"));
      }
      out->emplace_back(entry.first.Scalar(), entry.second.Scalar());
    }
    return absl::OkStatus();
  }

  // An error for any key of this section that no reader asked for.
  absl::Status CheckAllUsed() const {
    for (const auto& entry : node_) {
      const std::string key = entry.first.Scalar();
      if (!used_.contains(key)) {
        std::vector<std::string> known(used_.begin(), used_.end());
        return absl::InvalidArgumentError(
            StrCat(Path(key), ": unknown key; known here: ", Join(known, ", ")));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Error(std::string_view key, std::string_view what) const {
    return absl::InvalidArgumentError(StrCat(Path(key), ": ", what));
  }

 private:
  YAML::Node node_;
  std::string where_;
  std::set<std::string> used_;
};

absl::Status CheckRegex(const Section& section, std::string_view key, const std::string& pattern,
                        bool needs_groups) {
  RE2 re(pattern);
  if (!re.ok()) return section.Error(key, StrCat("not a regular expression: ", re.error()));
  if (needs_groups && re.NumberOfCapturingGroups() > 0 && re.NamedCapturingGroups().empty()) {
    return section.Error(key, "name its groups, e.g. (?P<level>\\w+): a group's name is its field");
  }
  if (needs_groups && re.NamedCapturingGroups().empty()) {
    return section.Error(key, "needs named groups, e.g. (?P<level>\\w+) (?P<message>.*)");
  }
  return absl::OkStatus();
}

absl::Status ParseMultiline(Section& input, MultilineConfig* out) {
  YAML::Node node = input.Get("multiline");
  if (!node.IsDefined() || node.IsNull()) return absl::OkStatus();
  Section section(node, input.Path("multiline"));
  if (!node.IsMap())
    return input.Error("multiline", "expects {start: REGEX} or {continuation: REGEX}");
  RETURN_IF_ERROR(section.String("start", &out->start));
  RETURN_IF_ERROR(section.String("continuation", &out->continuation));
  RETURN_IF_ERROR(section.Integer("max_lines", &out->max_lines, 2, 100000));
  RETURN_IF_ERROR(section.Duration("timeout", &out->timeout_ns));
  RETURN_IF_ERROR(section.CheckAllUsed());
  if (out->start.empty() == out->continuation.empty()) {
    return input.Error("multiline",
                       "give exactly one of start (a line that begins an event) or continuation "
                       "(a line that continues the one before)");
  }
  const std::string& pattern = out->start.empty() ? out->continuation : out->start;
  return CheckRegex(section, out->start.empty() ? "continuation" : "start", pattern, false);
}

absl::Status ParseFormat(Section& input, FileInputConfig* out) {
  std::string parser = "plain";
  RETURN_IF_ERROR(input.String("parser", &parser));
  if (parser == "plain") {
    out->format = LineFormat::kPlain;
  } else if (parser == "json") {
    out->format = LineFormat::kJson;
  } else if (parser == "logfmt") {
    out->format = LineFormat::kLogfmt;
  } else if (parser == "regex") {
    out->format = LineFormat::kRegex;
  } else if (parser == "nginx" || parser == "apache") {
    out->format = LineFormat::kNginx;
  } else if (parser == "rabbitmq") {
    // RabbitMQ's own log: an entry and its indented continuation lines.
    out->format = LineFormat::kRabbitmq;
    if (!input.Has("multiline")) out->multiline.start = R"(^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})";
  } else {
    return input.Error("parser", StrCat("'", parser,
                                        "' is not a parser; use json, logfmt, regex, nginx (or "
                                        "apache: the same combined format), rabbitmq or plain"));
  }
  RETURN_IF_ERROR(input.String("pattern", &out->pattern));
  if (out->format == LineFormat::kRegex) {
    if (out->pattern.empty()) {
      return input.Error("pattern",
                         "the regex parser needs a pattern with named groups, e.g. "
                         "'^(?P<timestamp>\\S+ \\S+) (?P<level>\\w+) (?P<message>.*)'");
    }
    return CheckRegex(input, "pattern", out->pattern, true);
  }
  if (!out->pattern.empty()) return input.Error("pattern", "is for parser: regex only");
  return absl::OkStatus();
}

absl::Status ParsePostgresql(Section& input, FileInputConfig* out) {
  out->format = LineFormat::kPostgresql;
  std::string format = "stderr";
  RETURN_IF_ERROR(input.String("format", &format));
  if (format == "csvlog" || format == "csv") {
    out->postgresql.format = PostgresqlConfig::Format::kCsvlog;
  } else if (format != "stderr") {
    return input.Error("format", StrCat("'", format, "' is not stderr or csvlog"));
  }
  RETURN_IF_ERROR(input.String("log_line_prefix", &out->postgresql.log_line_prefix));
  RETURN_IF_ERROR(input.Integer("slow_query_ms", &out->postgresql.slow_query_ms, 0, 86'400'000));
  auto multiline = PostgresqlMultiline(out->postgresql);
  if (!multiline.ok()) return input.Error("log_line_prefix", StatusMessage(multiline.status()));
  out->multiline = *std::move(multiline);
  return absl::OkStatus();
}

bool HasField(const std::vector<std::pair<std::string, std::string>>& fields,
              std::string_view name) {
  for (const auto& [key, value] : fields) {
    if (key == name) return true;
  }
  return false;
}

absl::Status ParseFileInput(Section& input, bool postgresql, FileInputConfig* out) {
  RETURN_IF_ERROR(input.Strings("paths", &out->paths));
  if (out->paths.empty()) {
    return input.Error("paths", "is required: the files to read, as globs (/var/log/shop/*.log)");
  }
  RETURN_IF_ERROR(input.Strings("exclude", &out->exclude));
  RETURN_IF_ERROR(input.Fields("fields", &out->fields));
  std::string start_at = "beginning";
  RETURN_IF_ERROR(input.String("start_at", &start_at));
  if (start_at != "beginning" && start_at != "end") {
    return input.Error("start_at", StrCat("'", start_at, "' is not beginning or end"));
  }
  out->start_at_end = start_at == "end";
  RETURN_IF_ERROR(input.Bytes("max_line_bytes", &out->max_line_bytes, 256));
  RETURN_IF_ERROR(input.Duration("close_inactive", &out->close_inactive_ns));
  if (postgresql) {
    RETURN_IF_ERROR(ParsePostgresql(input, out));
    if (!HasField(out->fields, "system")) out->fields.emplace_back("system", "postgres");
    if (!HasField(out->fields, "service.name"))
      out->fields.emplace_back("service.name", "postgresql");
  } else {
    RETURN_IF_ERROR(ParseFormat(input, out));
    RETURN_IF_ERROR(ParseMultiline(input, &out->multiline));
  }
  return absl::OkStatus();
}

absl::Status ParseRabbitmqInput(Section& input, RabbitmqInputConfig* out) {
  RETURN_IF_ERROR(input.String("url", &out->url));
  if (out->url.rfind("amqp://", 0) != 0) {
    return input.Error("url", "is required: amqp://USER:PASSWORD@HOST:5672/VHOST");
  }
  RETURN_IF_ERROR(input.Strings("queues", &out->queues));
  if (out->queues.empty()) return input.Error("queues", "is required: the dead-letter queues");
  RETURN_IF_ERROR(input.Fields("fields", &out->fields));
  RETURN_IF_ERROR(input.Bytes("max_body_bytes", &out->max_body_bytes, 0));
  RETURN_IF_ERROR(input.String("republish_to", &out->republish_to));
  for (const std::string& queue : out->queues) {
    if (queue == out->republish_to) {
      return input.Error("republish_to", "must not be one of the queues read: messages would loop");
    }
  }
  if (!HasField(out->fields, "system")) out->fields.emplace_back("system", "rabbitmq");
  return absl::OkStatus();
}

absl::Status ParseInputs(Section& root, AgentConfig* config) {
  YAML::Node inputs = root.Get("inputs");
  if (!inputs.IsDefined() || !inputs.IsSequence() || inputs.size() == 0) {
    return root.Error("inputs",
                      "is required: a list of inputs (type: file, postgresql or rabbitmq)");
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].IsMap()) return root.Error(StrCat("inputs[", i, "]"), "expects a mapping");
    Section input(inputs[i], StrCat("inputs[", i, "]"));
    std::string type;
    std::string id;
    RETURN_IF_ERROR(input.String("type", &type));
    RETURN_IF_ERROR(input.String("id", &id));
    const std::string name = id.empty() ? input.where() : id;
    if (type == "file" || type == "log" || type == "filestream" || type == "postgresql") {
      FileInputConfig file;
      file.name = name;
      RETURN_IF_ERROR(ParseFileInput(input, type == "postgresql", &file));
      config->files.push_back(std::move(file));
    } else if (type == "rabbitmq") {
      RabbitmqInputConfig rabbitmq;
      rabbitmq.name = name;
      RETURN_IF_ERROR(ParseRabbitmqInput(input, &rabbitmq));
      config->rabbitmq.push_back(std::move(rabbitmq));
    } else {
      return input.Error("type", StrCat("'", type,
                                        "' is not an input type; use file, postgresql "
                                        "or rabbitmq"));
    }
    RETURN_IF_ERROR(input.CheckAllUsed());
  }
  return absl::OkStatus();
}

absl::Status ParseOutput(Section& root, OutputConfig* out) {
  YAML::Node node = root.Get("output");
  if (!node.IsDefined() || !node.IsMap()) {
    return root.Error("output", "is required: output: {mayak: {url: http://127.0.0.1:7011}}");
  }
  Section output(node, "output");
  const bool mayak = output.Has("mayak");
  const bool elastic = output.Has("elasticsearch");
  if (mayak == elastic) {
    return root.Error("output", "name exactly one of mayak or elasticsearch");
  }
  const std::string kind = mayak ? "mayak" : "elasticsearch";
  out->kind = mayak ? OutputConfig::Kind::kMayak : OutputConfig::Kind::kElasticsearch;
  YAML::Node target_node = output.Get(kind);
  if (!target_node.IsMap()) return output.Error(kind, "expects a mapping with url");
  Section target(target_node, output.Path(kind));
  RETURN_IF_ERROR(target.String("url", &out->url));
  while (!out->url.empty() && out->url.back() == '/') out->url.pop_back();
  if (out->url.rfind("http://", 0) != 0 && out->url.rfind("https://", 0) != 0) {
    return target.Error("url", StrCat("'", out->url, "' is not an http:// or https:// address"));
  }
  RETURN_IF_ERROR(target.String("api_key", &out->api_key));
  RETURN_IF_ERROR(target.String("username", &out->username));
  RETURN_IF_ERROR(target.String("password", &out->password));
  if (!mayak) RETURN_IF_ERROR(target.String("index", &out->index));
  std::string compression = mayak ? "zstd" : "gzip";
  RETURN_IF_ERROR(target.String("compression", &compression));
  if (compression == "zstd") {
    out->compression = OutputConfig::Compression::kZstd;
  } else if (compression == "gzip") {
    out->compression = OutputConfig::Compression::kGzip;
  } else if (compression == "none") {
    out->compression = OutputConfig::Compression::kNone;
  } else {
    return target.Error("compression", StrCat("'", compression, "' is not zstd, gzip or none"));
  }
  RETURN_IF_ERROR(target.String("ca_file", &out->ca_file));
  RETURN_IF_ERROR(target.Bool("verify_tls", &out->verify_tls));
  RETURN_IF_ERROR(target.Duration("timeout", &out->timeout_ns));
  RETURN_IF_ERROR(target.CheckAllUsed());
  RETURN_IF_ERROR(output.Bytes("batch_bytes", &out->batch_bytes, 1024));
  RETURN_IF_ERROR(output.Integer("batch_events", &out->batch_events, 1, 1'000'000));
  RETURN_IF_ERROR(output.Duration("batch_wait", &out->batch_wait_ns));
  RETURN_IF_ERROR(output.Duration("backoff_min", &out->backoff_min_ns));
  RETURN_IF_ERROR(output.Duration("backoff_max", &out->backoff_max_ns));
  if (out->backoff_max_ns < out->backoff_min_ns) {
    return output.Error("backoff_max", "must not be shorter than backoff_min");
  }
  return output.CheckAllUsed();
}

}  // namespace

absl::StatusOr<AgentConfig> ParseAgentConfig(std::string_view yaml_text) {
  YAML::Node node;
  try {
    node = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        StrCat("not YAML: line ", e.mark.line + 1, ", column ", e.mark.column + 1, ": ", e.msg));
  }
  if (!node.IsMap()) {
    return absl::InvalidArgumentError("expected a mapping with inputs and output (docs/agent.md)");
  }
  AgentConfig config;
  Section root(node, "");
  try {
    RETURN_IF_ERROR(root.String("data_dir", &config.data_dir));
    RETURN_IF_ERROR(ParseInputs(root, &config));
    RETURN_IF_ERROR(ParseOutput(root, &config.output));
    RETURN_IF_ERROR(root.Bytes("queue_bytes", &config.queue_bytes, 1 << 20));
    size_t buffer_bytes = config.buffer_bytes;
    RETURN_IF_ERROR(root.Bytes("buffer_bytes", &buffer_bytes, 0));
    config.buffer_bytes = buffer_bytes;
    RETURN_IF_ERROR(root.Duration("scan_interval", &config.scan_interval_ns));
    RETURN_IF_ERROR(
        root.Duration("registry_flush", &config.registry_flush_ns, /*zero_allowed=*/true));
    std::string metrics = "127.0.0.1:7012";
    RETURN_IF_ERROR(root.String("metrics", &metrics));
    auto listen = ListenAddress::Parse(metrics);
    if (!listen.ok()) return root.Error("metrics", StatusMessage(listen.status()));
    config.metrics = *listen;
    RETURN_IF_ERROR(root.CheckAllUsed());
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        StrCat("line ", e.mark.line + 1, ", column ", e.mark.column + 1, ": ", e.msg));
  }
  return config;
}

absl::StatusOr<AgentConfig> LoadAgentConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        StrCat("cannot read the agent configuration ", path, ": no such file or not readable"));
  }
  std::stringstream text;
  text << in.rdbuf();
  auto config = ParseAgentConfig(text.str());
  if (!config.ok()) {
    return absl::InvalidArgumentError(StrCat(path, ": ", config.status().message()));
  }
  return config;
}

}  // namespace mayak::agent
