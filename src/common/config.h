// Server configuration. Every option is declared once, in config_options.cc,
// with its section, key, type, default and documentation; the YAML loader,
// the MAYAK_<SECTION>_<KEY> environment overrides, the example file
// (config/mayak.example.yaml) and the reference (docs/configuration.md) all
// come from that declaration.
//
// Precedence, lowest first: defaults, the YAML file, the environment, flags.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace YAML {
class Node;
}  // namespace YAML

namespace mayak {

enum class OptionType {
  kString,
  kInt,
  kBool,
  kDuration,       // "10s", "1m"; stored as nanoseconds
  kByteSize,       // "100MB", "2.5GiB"; stored as bytes
  kListenAddress,  // "HOST:PORT" or "off"
  kChoice,         // one of OptionSpec::choices
  kOverrides,      // per-system values of sibling options: {shop: {cap: 50GB}}
  kList,           // a YAML sequence of strings, or one string of comma-separated items
  kNamedMaps,      // name -> {key: text}, keys from OptionSpec::choices: {card: {pattern: ...}}
};

// For kOverrides: system -> key (one of OptionSpec::choices, each a sibling
// integer, size or duration option of the same section) -> value.
using Overrides = std::map<std::string, std::map<std::string, int64_t>>;

// Where a listener binds, or that it is turned off.
struct ListenAddress {
  bool enabled = false;
  std::string host;
  uint16_t port = 0;

  // "127.0.0.1:7011", "[::1]:7011" or "off".
  std::string ToString() const;
  static absl::StatusOr<ListenAddress> Parse(std::string_view text);
};

struct OptionSpec {
  std::string_view section;
  std::string_view key;
  OptionType type;
  std::string_view default_text;  // parsed like user input
  std::string_view doc;
  std::string_view choices = {};  // kChoice: "debug|info|warn|error"; kOverrides: keys allowed
  int64_t min = 0;                // for kInt, kDuration, kByteSize: inclusive
  int64_t max = INT64_MAX;

  std::string FullName() const;  // "limits.max_body"
  std::string EnvName() const;   // "MAYAK_LIMITS_MAX_BODY"
};

// Every declared option, in documentation order.
const std::vector<const OptionSpec*>& AllOptions();

// For kNamedMaps: (name, key (one of OptionSpec::choices) -> text), in the
// order written, since rules apply in that order.
using NamedMaps = std::vector<std::pair<std::string, std::map<std::string, std::string>>>;

using OptionValue = std::variant<std::string, int64_t, bool, ListenAddress, Overrides,
                                 std::vector<std::string>, NamedMaps>;

// Parses `text` as a value of `spec`'s type and checks its bounds. The error
// names the option but not where the text came from.
absl::StatusOr<OptionValue> ParseOptionValue(const OptionSpec& spec, std::string_view text);

class Config {
 public:
  using GetEnv = std::function<const char*(const char*)>;

  // All options at their defaults.
  Config();

  // Defaults, then the YAML file at `path` (none when empty), then the
  // environment. Errors name the file, line and key, or the variable.
  static absl::StatusOr<Config> Load(const std::string& path, const GetEnv& getenv = ::getenv);

  // Sets one option from text, e.g. a command line flag; `origin` ("--listen")
  // is named in the error.
  absl::Status Set(const OptionSpec& spec, std::string_view text, std::string_view origin);

  const std::string& GetString(const OptionSpec& spec) const;
  int64_t GetInt(const OptionSpec& spec) const;
  bool GetBool(const OptionSpec& spec) const;
  int64_t GetDurationNanos(const OptionSpec& spec) const;
  int64_t GetByteSize(const OptionSpec& spec) const;
  const ListenAddress& GetListenAddress(const OptionSpec& spec) const;
  const Overrides& GetOverrides(const OptionSpec& spec) const;
  const std::vector<std::string>& GetList(const OptionSpec& spec) const;
  const NamedMaps& GetNamedMaps(const OptionSpec& spec) const;

 private:
  absl::Status LoadSection(const std::string& path, const std::string& section,
                           const YAML::Node& body);
  absl::Status LoadYaml(const std::string& path);
  absl::Status LoadEnvironment(const GetEnv& getenv);
  const OptionValue& ValueOf(const OptionSpec& spec, OptionType expected) const;

  std::map<const OptionSpec*, OptionValue> values_;
};

// The names among `names` (an environment's variables) that look like
// options, MAYAK_<SECTION>_..., but name none: a typo the server would
// otherwise ignore without a word. Other MAYAK_ variables (MAYAK_SERVER, the
// command line's server URL) are not options and are left alone.
std::vector<std::string> UnknownOptionVariables(const std::vector<std::string>& names);

// The commented example configuration with every option at its default.
std::string RenderExampleConfig();
// The Markdown reference of every option.
std::string RenderConfigReference();

}  // namespace mayak
