#include "common/config.h"

#include <algorithm>
#include <optional>
#include <string>

#include "common/status_macros.h"
#include "common/strings.h"
#include "common/units.h"
#include "yaml-cpp/yaml.h"

namespace mayak {
namespace {

std::string_view TypeName(OptionType type) {
  switch (type) {
    case OptionType::kString:
      return "string";
    case OptionType::kInt:
      return "integer";
    case OptionType::kBool:
      return "boolean";
    case OptionType::kDuration:
      return "duration";
    case OptionType::kByteSize:
      return "size";
    case OptionType::kListenAddress:
      return "address";
    case OptionType::kChoice:
      return "choice";
    case OptionType::kOverrides:
      return "per-system overrides";
    case OptionType::kList:
      return "list";
    case OptionType::kNamedMaps:
      return "named mappings";
  }
  return "value";
}

absl::Status CheckRange(const OptionSpec& spec, int64_t value, std::string_view text) {
  if (value < spec.min || value > spec.max) {
    std::string lo = StrCat(spec.min);
    std::string hi = StrCat(spec.max);
    if (spec.type == OptionType::kDuration) {
      lo = FormatDuration(spec.min);
      hi = FormatDuration(spec.max);
    } else if (spec.type == OptionType::kByteSize) {
      lo = FormatByteSize(spec.min);
      hi = FormatByteSize(spec.max);
    }
    return absl::InvalidArgumentError(
        StrCat(spec.FullName(), ": ", text, " is out of range [", lo, ", ", hi, "]"));
  }
  return absl::OkStatus();
}

std::vector<std::string_view> SectionsInOrder() {
  std::vector<std::string_view> sections;
  for (const OptionSpec* spec : AllOptions()) {
    if (std::find(sections.begin(), sections.end(), spec->section) == sections.end()) {
      sections.push_back(spec->section);
    }
  }
  return sections;
}

std::string KnownKeys(std::string_view section) {
  std::vector<std::string_view> keys;
  for (const OptionSpec* spec : AllOptions()) {
    if (spec->section == section) keys.push_back(spec->key);
  }
  return Join(keys, ", ");
}

const OptionSpec* FindOption(std::string_view section, std::string_view key) {
  for (const OptionSpec* spec : AllOptions()) {
    if (spec->section == section && spec->key == key) return spec;
  }
  return nullptr;
}

std::string Where(const std::string& path, const YAML::Mark& mark) {
  return StrCat(path, ":", mark.line + 1);
}

std::string TypeHint(const OptionSpec& spec) {
  switch (spec.type) {
    case OptionType::kDuration:
      return "duration, e.g. 500ms, 10s, 5m, 1h";
    case OptionType::kByteSize:
      return "size, e.g. 10MB, 2.5GiB";
    case OptionType::kListenAddress:
      return "HOST:PORT or off";
    case OptionType::kChoice:
      return StrCat("one of ", ReplaceAll(spec.choices, "|", ", "));
    case OptionType::kOverrides:
      return "mapping of system names to overrides, e.g. {shop: {cap: 50GB, hot_days: 14}}";
    case OptionType::kList:
      return "list, e.g. [a, b] or a,b";
    case OptionType::kNamedMaps:
      return StrCat("mapping of names to {", ReplaceAll(spec.choices, "|", ", "), "}");
    default:
      return std::string(TypeName(spec.type));
  }
}

// A mapping key as text; nullopt when the key is itself a mapping or a
// sequence (`{a: b}: 1` is valid YAML, but names no option).
std::optional<std::string> KeyName(const YAML::Node& key) {
  if (!key.IsScalar()) return std::nullopt;
  return key.Scalar();
}

// Parses kList from a YAML sequence of plain values; on error `*error_at`
// (when given) is where.
absl::StatusOr<std::vector<std::string>> ParseList(const OptionSpec& spec, const YAML::Node& node,
                                                   YAML::Mark* error_at) {
  const auto invalid = [&spec, error_at](const YAML::Node& at, std::string_view why) {
    if (error_at != nullptr) *error_at = at.Mark();
    return absl::InvalidArgumentError(StrCat(spec.FullName(), " ", why));
  };
  if (!node.IsSequence()) return invalid(node, StrCat("expects a ", TypeHint(spec)));
  std::vector<std::string> items;
  for (const YAML::Node& item : node) {
    if (!item.IsScalar()) return invalid(item, "expects plain text items");
    items.push_back(item.Scalar());
  }
  return items;
}

// Parses kNamedMaps from a YAML node; on error `*error_at` is where.
absl::StatusOr<NamedMaps> ParseNamedMaps(const OptionSpec& spec, const YAML::Node& node,
                                         YAML::Mark* error_at) {
  const auto invalid = [&spec, error_at](const YAML::Node& at, std::string_view why) {
    *error_at = at.Mark();
    return absl::InvalidArgumentError(StrCat(spec.FullName(), ": ", why));
  };
  NamedMaps maps;
  if (node.IsNull()) return maps;
  if (!node.IsMap()) return invalid(node, StrCat("expects a ", TypeHint(spec)));
  const std::string known = ReplaceAll(spec.choices, "|", ", ");
  for (const auto& named : node) {
    const std::optional<std::string> name = KeyName(named.first);
    if (!name || name->empty()) return invalid(named.first, "a name must be plain, non-empty text");
    if (!named.second.IsMap()) {
      return invalid(named.second, StrCat("'", *name, "' expects a mapping such as {", known, "}"));
    }
    for (const auto& [seen, unused] : maps) {
      if (seen == *name) return invalid(named.first, StrCat("'", *name, "' is given twice"));
    }
    auto& values = maps.emplace_back(*name, std::map<std::string, std::string>{}).second;
    for (const auto& entry : named.second) {
      const std::optional<std::string> key = KeyName(entry.first);
      const std::vector<std::string_view> allowed = Split(spec.choices, '|');
      if (!key || std::find(allowed.begin(), allowed.end(), *key) == allowed.end()) {
        return invalid(entry.first, StrCat("unknown key in '", *name, "' (known: ", known, ")"));
      }
      if (!entry.second.IsScalar()) {
        return invalid(entry.second, StrCat(*name, ".", *key, " expects plain text"));
      }
      values[*key] = entry.second.Scalar();
    }
  }
  return maps;
}

// Parses kOverrides from a YAML node; on error `*error_at` is where.
absl::StatusOr<Overrides> ParseOverrides(const OptionSpec& spec, const YAML::Node& node,
                                         YAML::Mark* error_at) {
  const auto invalid = [&spec, error_at](const YAML::Node& at, std::string_view why) {
    *error_at = at.Mark();
    return absl::InvalidArgumentError(StrCat(spec.FullName(), ": ", why));
  };
  Overrides overrides;
  if (node.IsNull()) return overrides;
  if (!node.IsMap()) return invalid(node, StrCat("expects a ", TypeHint(spec)));
  const std::string known = ReplaceAll(spec.choices, "|", ", ");
  for (const auto& system_entry : node) {
    const std::optional<std::string> name = KeyName(system_entry.first);
    if (!name) return invalid(system_entry.first, "a system name must be plain text");
    const std::string& system = *name;
    const YAML::Node& body = system_entry.second;
    if (system.empty()) return invalid(system_entry.first, "a system name is empty");
    if (!body.IsMap()) {
      return invalid(body, StrCat("'", system, "' expects a mapping such as {", known, "}"));
    }
    auto& values = overrides[system];
    for (const auto& entry : body) {
      const std::optional<std::string> key_name = KeyName(entry.first);
      if (!key_name) return invalid(entry.first, "a key must be plain text");
      const std::string& key = *key_name;
      const OptionSpec* option = nullptr;
      for (std::string_view allowed : Split(spec.choices, '|')) {
        if (allowed == key) option = FindOption(spec.section, key);
      }
      if (option == nullptr) {
        return invalid(entry.first, StrCat("unknown key '", key, "' for system '", system,
                                           "' (known: ", known, ")"));
      }
      if (!entry.second.IsScalar()) {
        return invalid(entry.second, StrCat(system, ".", key, " expects a single value"));
      }
      auto value = ParseOptionValue(*option, entry.second.Scalar());
      if (!value.ok()) {
        return invalid(entry.second, StrCat("system '", system, "': ", value.status().message()));
      }
      values[key] = std::get<int64_t>(*value);
    }
  }
  return overrides;
}

}  // namespace

std::string ListenAddress::ToString() const {
  if (!enabled) return "off";
  if (host.find(':') != std::string::npos) return StrCat("[", host, "]:", port);
  return StrCat(host, ":", port);
}

absl::StatusOr<ListenAddress> ListenAddress::Parse(std::string_view text) {
  const std::string_view s = StripWhitespace(text);
  ListenAddress address;
  if (s == "off" || s == "false" || s == "none") return address;
  std::string_view host;
  std::string_view port;
  if (s.starts_with("[")) {
    const size_t close = s.find("]:");
    if (close == std::string_view::npos) {
      return absl::InvalidArgumentError(StrCat("'", text, "' is not [IPv6]:PORT"));
    }
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
  } else {
    const size_t colon = s.rfind(':');
    if (colon == std::string_view::npos) {
      return absl::InvalidArgumentError(
          StrCat("'", text, "' is not HOST:PORT (e.g. 127.0.0.1:7011) or off"));
    }
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  uint32_t port_number = 0;
  if (!ParseInt(port, &port_number) || port_number > 65535) {
    return absl::InvalidArgumentError(
        StrCat("'", text, "': port '", port, "' is not a number from 0 to 65535"));
  }
  if (host.empty()) host = "0.0.0.0";
  address.enabled = true;
  address.host = std::string(host);
  address.port = static_cast<uint16_t>(port_number);
  return address;
}

std::string OptionSpec::FullName() const { return StrCat(section, ".", key); }

std::string OptionSpec::EnvName() const {
  return ToUpper(ReplaceAll(StrCat("MAYAK_", section, "_", key), ".", "_"));
}

std::vector<std::string> UnknownOptionVariables(const std::vector<std::string>& names) {
  std::vector<std::string> known;
  for (const OptionSpec* spec : AllOptions()) known.push_back(spec->EnvName());
  std::vector<std::string> prefixes;
  for (std::string_view section : SectionsInOrder()) {
    prefixes.push_back(ToUpper(ReplaceAll(StrCat("MAYAK_", section, "_"), ".", "_")));
  }
  std::vector<std::string> unknown;
  for (const std::string& name : names) {
    const bool option_like = std::any_of(prefixes.begin(), prefixes.end(), [&](const auto& p) {
      return name.size() > p.size() && name.starts_with(p);
    });
    if (option_like && std::find(known.begin(), known.end(), name) == known.end()) {
      unknown.push_back(name);
    }
  }
  return unknown;
}

absl::StatusOr<OptionValue> ParseOptionValue(const OptionSpec& spec, std::string_view text) {
  const auto invalid = [&](std::string_view why) {
    return absl::InvalidArgumentError(StrCat(spec.FullName(), ": ", why));
  };
  switch (spec.type) {
    case OptionType::kString:
      return OptionValue(std::string(text));
    case OptionType::kInt: {
      int64_t value = 0;
      if (!ParseInt(text, &value)) {
        return invalid(StrCat("'", text, "' is not an integer"));
      }
      RETURN_IF_ERROR(CheckRange(spec, value, text));
      return OptionValue(value);
    }
    case OptionType::kBool: {
      bool value = false;
      if (!ParseBool(text, &value)) {
        return invalid(StrCat("'", text, "' is not true or false"));
      }
      return OptionValue(value);
    }
    case OptionType::kDuration: {
      auto value = ParseDurationNanos(text);
      if (!value.ok()) return invalid(StatusMessage(value.status()));
      RETURN_IF_ERROR(CheckRange(spec, *value, text));
      return OptionValue(*value);
    }
    case OptionType::kByteSize: {
      auto value = ParseByteSize(text);
      if (!value.ok()) return invalid(StatusMessage(value.status()));
      RETURN_IF_ERROR(CheckRange(spec, *value, text));
      return OptionValue(*value);
    }
    case OptionType::kListenAddress: {
      auto value = ListenAddress::Parse(text);
      if (!value.ok()) return invalid(StatusMessage(value.status()));
      return OptionValue(*value);
    }
    case OptionType::kChoice: {
      for (std::string_view choice : Split(spec.choices, '|')) {
        if (EqualsIgnoreCase(choice, text)) return OptionValue(std::string(choice));
      }
      return invalid(StrCat("'", text, "' is not ", TypeHint(spec)));
    }
    case OptionType::kOverrides: {
      YAML::Node node;
      try {
        node = YAML::Load(std::string(text));
      } catch (const YAML::Exception& e) {
        return invalid(StrCat("'", text, "' is not a YAML mapping: ", e.msg));
      }
      YAML::Mark unused;
      auto overrides = ParseOverrides(spec, node, &unused);
      if (!overrides.ok()) return overrides.status();
      return OptionValue(*std::move(overrides));
    }
    case OptionType::kNamedMaps: {
      YAML::Node node;
      try {
        node = YAML::Load(std::string(text));
      } catch (const YAML::Exception& e) {
        return invalid(StrCat("'", text, "' is not a YAML mapping: ", e.msg));
      }
      YAML::Mark unused;
      auto maps = ParseNamedMaps(spec, node, &unused);
      if (!maps.ok()) return maps.status();
      return OptionValue(*std::move(maps));
    }
    case OptionType::kList: {
      // A YAML sequence (["a", "b"]) or comma-separated items (a, b).
      std::vector<std::string> items;
      if (StripWhitespace(text).starts_with("[")) {
        YAML::Node node;
        try {
          node = YAML::Load(std::string(text));
        } catch (const YAML::Exception& e) {
          return invalid(StrCat("'", text, "' is not a YAML list: ", e.msg));
        }
        auto list = ParseList(spec, node, nullptr);
        if (!list.ok()) return list.status();
        return OptionValue(*std::move(list));
      }
      for (std::string_view item : Split(text, ',')) {
        item = StripWhitespace(item);
        if (!item.empty()) items.emplace_back(item);
      }
      return OptionValue(std::move(items));
    }
  }
  return invalid("unknown type");
}

Config::Config() {
  for (const OptionSpec* spec : AllOptions()) {
    auto value = ParseOptionValue(*spec, spec->default_text);
    // A default that does not parse is a programming error caught by tests.
    if (!value.ok()) std::abort();
    values_[spec] = *std::move(value);
  }
}

absl::StatusOr<Config> Config::Load(const std::string& path, const GetEnv& getenv) {
  Config config;
  if (!path.empty()) RETURN_IF_ERROR(config.LoadYaml(path));
  RETURN_IF_ERROR(config.LoadEnvironment(getenv));
  return config;
}

absl::Status Config::Set(const OptionSpec& spec, std::string_view text, std::string_view origin) {
  auto value = ParseOptionValue(spec, text);
  if (!value.ok()) {
    return absl::InvalidArgumentError(StrCat(origin, ": ", value.status().message()));
  }
  values_[&spec] = *std::move(value);
  return absl::OkStatus();
}

absl::Status Config::LoadYaml(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return absl::NotFoundError(StrCat(path, ": cannot open the configuration file"));
  } catch (const YAML::ParserException& e) {
    return absl::InvalidArgumentError(StrCat(Where(path, e.mark), ": invalid YAML: ", e.msg));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(StrCat(path, ": ", e.what()));
  }
  if (root.IsNull()) return absl::OkStatus();  // an empty file sets nothing
  if (!root.IsMap()) {
    return absl::InvalidArgumentError(StrCat(
        Where(path, root.Mark()), ": expected a mapping of sections (server:, listeners:, ...)"));
  }
  // Top-level names: "archive" for the nested section "archive.s3".
  std::vector<std::string_view> top;
  for (std::string_view section : SectionsInOrder()) {
    const std::string_view first = section.substr(0, section.find('.'));
    if (std::find(top.begin(), top.end(), first) == top.end()) top.push_back(first);
  }
  for (const auto& section_entry : root) {
    const std::optional<std::string> name = KeyName(section_entry.first);
    if (!name) {
      return absl::InvalidArgumentError(
          StrCat(Where(path, section_entry.first.Mark()), ": a section name must be plain text"));
    }
    const std::string& section = *name;
    if (std::find(top.begin(), top.end(), section) == top.end()) {
      return absl::InvalidArgumentError(StrCat(Where(path, section_entry.first.Mark()),
                                               ": unknown section '", section,
                                               "' (known: ", Join(top, ", "), ")"));
    }
    RETURN_IF_ERROR(LoadSection(path, section, section_entry.second));
  }
  return absl::OkStatus();
}

absl::Status Config::LoadSection(const std::string& path, const std::string& section,
                                 const YAML::Node& body) {
  if (body.IsNull()) return absl::OkStatus();
  if (!body.IsMap()) {
    return absl::InvalidArgumentError(
        StrCat(Where(path, body.Mark()), ": section '", section, "' must be a mapping of keys"));
  }
  const auto sections = SectionsInOrder();
  for (const auto& entry : body) {
    const std::optional<std::string> name = KeyName(entry.first);
    if (!name) {
      return absl::InvalidArgumentError(StrCat(Where(path, entry.first.Mark()),
                                               ": a key of section '", section,
                                               "' must be plain text"));
    }
    const std::string& key = *name;
    const OptionSpec* spec = FindOption(section, key);
    if (spec == nullptr) {
      const std::string nested = StrCat(section, ".", key);
      if (std::find(sections.begin(), sections.end(), nested) != sections.end()) {
        RETURN_IF_ERROR(LoadSection(path, nested, entry.second));
        continue;
      }
      std::string known = KnownKeys(section);
      for (std::string_view s : sections) {
        if (s.starts_with(StrCat(section, "."))) {
          StrAppend(&known, known.empty() ? "" : ", ", s.substr(section.size() + 1), ": {...}");
        }
      }
      return absl::InvalidArgumentError(StrCat(Where(path, entry.first.Mark()), ": unknown key '",
                                               section, ".", key, "' (known in ", section, ": ",
                                               known, ")"));
    }
    if (spec->type == OptionType::kOverrides) {
      YAML::Mark at;
      auto overrides = ParseOverrides(*spec, entry.second, &at);
      if (!overrides.ok()) {
        return absl::InvalidArgumentError(
            StrCat(Where(path, at), ": ", overrides.status().message()));
      }
      values_[spec] = *std::move(overrides);
      continue;
    }
    if (spec->type == OptionType::kNamedMaps) {
      YAML::Mark at;
      auto maps = ParseNamedMaps(*spec, entry.second, &at);
      if (!maps.ok()) {
        return absl::InvalidArgumentError(StrCat(Where(path, at), ": ", maps.status().message()));
      }
      values_[spec] = *std::move(maps);
      continue;
    }
    if (spec->type == OptionType::kList && entry.second.IsSequence()) {
      YAML::Mark at;
      auto list = ParseList(*spec, entry.second, &at);
      if (!list.ok()) {
        return absl::InvalidArgumentError(StrCat(Where(path, at), ": ", list.status().message()));
      }
      values_[spec] = *std::move(list);
      continue;
    }
    if (!entry.second.IsScalar()) {
      return absl::InvalidArgumentError(StrCat(Where(path, entry.second.Mark()), ": ",
                                               spec->FullName(), " expects a single ",
                                               TypeHint(*spec), " value"));
    }
    auto value = ParseOptionValue(*spec, entry.second.Scalar());
    if (!value.ok()) {
      return absl::InvalidArgumentError(
          StrCat(Where(path, entry.second.Mark()), ": ", value.status().message()));
    }
    values_[spec] = *std::move(value);
  }
  return absl::OkStatus();
}

absl::Status Config::LoadEnvironment(const GetEnv& getenv) {
  for (const OptionSpec* spec : AllOptions()) {
    const std::string name = spec->EnvName();
    const char* text = getenv(name.c_str());
    if (text == nullptr) continue;
    RETURN_IF_ERROR(Set(*spec, text, StrCat("environment variable ", name)));
  }
  return absl::OkStatus();
}

const OptionValue& Config::ValueOf(const OptionSpec& spec, OptionType expected) const {
  // Asking for an option by the wrong type is a programming error.
  if (spec.type != expected &&
      !(expected == OptionType::kString && spec.type == OptionType::kChoice)) {
    std::abort();
  }
  return values_.at(&spec);
}

const std::string& Config::GetString(const OptionSpec& spec) const {
  return std::get<std::string>(ValueOf(spec, OptionType::kString));
}
int64_t Config::GetInt(const OptionSpec& spec) const {
  return std::get<int64_t>(ValueOf(spec, OptionType::kInt));
}
bool Config::GetBool(const OptionSpec& spec) const {
  return std::get<bool>(ValueOf(spec, OptionType::kBool));
}
int64_t Config::GetDurationNanos(const OptionSpec& spec) const {
  return std::get<int64_t>(ValueOf(spec, OptionType::kDuration));
}
int64_t Config::GetByteSize(const OptionSpec& spec) const {
  return std::get<int64_t>(ValueOf(spec, OptionType::kByteSize));
}
const Overrides& Config::GetOverrides(const OptionSpec& spec) const {
  return std::get<Overrides>(ValueOf(spec, OptionType::kOverrides));
}
const std::vector<std::string>& Config::GetList(const OptionSpec& spec) const {
  return std::get<std::vector<std::string>>(ValueOf(spec, OptionType::kList));
}
const NamedMaps& Config::GetNamedMaps(const OptionSpec& spec) const {
  return std::get<NamedMaps>(ValueOf(spec, OptionType::kNamedMaps));
}

const ListenAddress& Config::GetListenAddress(const OptionSpec& spec) const {
  return std::get<ListenAddress>(ValueOf(spec, OptionType::kListenAddress));
}

std::string RenderExampleConfig() {
  std::string out =
      "# Mayak server configuration: every option, at its default.\n"
      "# Generated by `mayak config example` from the declarations in\n"
      "# src/common/config_options.cc; do not edit by hand (`make config-docs`).\n"
      "# Any option can also be set as an environment variable MAYAK_<SECTION>_<KEY>,\n"
      "# e.g. MAYAK_LIMITS_MAX_BODY=50MB, and the server's flags override both.\n";
  std::string_view parent;  // the section a nested one ("archive.s3") is printed under
  for (std::string_view section : SectionsInOrder()) {
    std::string indent = "  ";
    const size_t dot = section.find('.');
    if (dot == std::string_view::npos) {
      StrAppend(&out, "\n", section, ":\n");
      parent = section;
    } else {
      if (parent != section.substr(0, dot)) StrAppend(&out, "\n", section.substr(0, dot), ":\n");
      parent = section.substr(0, dot);
      StrAppend(&out, "  ", section.substr(dot + 1), ":\n");
      indent = "    ";
    }
    for (const OptionSpec* spec : AllOptions()) {
      if (spec->section != section) continue;
      // A comment line a sentence; sentences end at ". " (not at the dots
      // of "127.0.0.1" or "e.g").
      std::string_view doc = spec->doc;
      while (!doc.empty()) {
        size_t end = doc.find(". ");
        end = end == std::string_view::npos ? doc.size() : end + 1;
        const std::string_view sentence = StripWhitespace(doc.substr(0, end));
        if (!sentence.empty()) StrAppend(&out, indent, "# ", sentence, "\n");
        doc.remove_prefix(end);
      }
      const std::string_view shown = spec->default_text.empty() ? "\"\"" : spec->default_text;
      StrAppend(&out, indent, spec->key, ": ", shown, "\n");
    }
  }
  return out;
}

std::string RenderConfigReference() {
  std::string out =
      "# Configuration reference\n\n"
      "Generated by `mayak config reference` from the option declarations in\n"
      "`src/common/config_options.cc`; `make config-docs` regenerates it and a test checks\n"
      "that it is current.\n\n"
      "Mayak reads a YAML file given by `mayak server --config FILE`\n"
      "([example](../config/mayak.example.yaml)). Every option can also be set by an\n"
      "environment variable, and the server's flags (`--data-dir`, `--listen`, ...) override\n"
      "both. Precedence, lowest first: default, file, environment, flag.\n\n"
      "An unknown section or key, a wrong type or an out-of-range value stops the server at\n"
      "start-up with the file, line and key named; `mayak server --check-config` checks a\n"
      "configuration without starting. An environment variable that looks like an option\n"
      "(`MAYAK_<SECTION>_...`) but names none is logged as a warning at start-up.\n\n"
      "Types: a *duration* is a number with a unit (`500ms`, `10s`, `5m`, `1h30m`, `7d`); a\n"
      "*size* is a number with a unit, `KB MB GB TB` in powers of 1000 and `KiB MiB GiB TiB` in\n"
      "powers of 1024 (`100MB`, `2.5GiB`); an *address* is `HOST:PORT`, `[IPv6]:PORT` or `off`;\n"
      "a *list* is a YAML sequence (`[a, b]`) or comma-separated text (`a,b`, handy in the\n"
      "environment).\n";
  for (std::string_view section : SectionsInOrder()) {
    StrAppend(&out, "\n## `", section, "`\n\n");
    StrAppend(&out, "| key | type | default | environment | description |\n");
    StrAppend(&out, "|---|---|---|---|---|\n");
    for (const OptionSpec* spec : AllOptions()) {
      if (spec->section != section) continue;
      std::string type(TypeName(spec->type));
      if (spec->type == OptionType::kChoice) {
        type = ReplaceAll(spec->choices, "|", " \\| ");
      }
      const std::string_view shown = spec->default_text.empty() ? "\"\"" : spec->default_text;
      StrAppend(&out, "| `", spec->key, "` | ", type, " | `", shown, "` | `", spec->EnvName(),
                "` | ", spec->doc, " |\n");
    }
  }
  return out;
}

}  // namespace mayak
