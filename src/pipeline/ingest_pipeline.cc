#include "pipeline/ingest_pipeline.h"

#include <utility>

#include "common/strings.h"
#include "pipeline/normalize.h"
#include "simdjson.h"

namespace mayak {
namespace {

// A field's value as text, for routing patterns.
std::optional<std::string> FieldText(const LogRecord& record, std::string_view field) {
  auto value = GetFieldValue(record, field);
  if (!value) return std::nullopt;
  switch (value->index()) {
    case 0:
      return std::get<std::string>(*value);
    case 1:
      return StrCat(std::get<int64_t>(*value));
    case 2:
      return FormatDouble(std::get<double>(*value));
    default:
      return std::string(std::get<bool>(*value) ? "true" : "false");
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<IngestPipeline>> IngestPipeline::Create(PipelineOptions options) {
  for (SystemRoute& route : options.routes) {
    if (route.field.empty()) {
      return absl::InvalidArgumentError(
          StrCat("pipeline.routes: rule '", route.name, "' needs a field"));
    }
    if (route.pattern.empty())
      route.pattern.push_back('*');  // (not = "*": a GCC 12 -O3 false warning)
    if (route.system.empty()) route.system = route.name;
    auto system = NormalizeSystemName(route.system);
    if (!system.ok()) {
      return absl::InvalidArgumentError(
          StrCat("pipeline.routes: rule '", route.name, "': ", system.status().message()));
    }
    route.system = *std::move(system);
  }
  auto redactor = Redactor::Create(options.redaction);
  if (!redactor.ok()) return redactor.status();
  return std::unique_ptr<IngestPipeline>(
      new IngestPipeline(std::move(options), *std::move(redactor)));
}

void IngestPipeline::ExpandJsonMessage(LogRecord* record) {
  const std::string_view text = StripWhitespace(record->message);
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return;
  // Called from every ingest thread at once: a parser per thread.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element document;
  if (parser.parse(text.data(), text.size()).get(document) != simdjson::SUCCESS ||
      !document.is_object()) {
    return;  // not JSON after all: the message stays as it is
  }
  auto inner = NormalizeJsonDocument(document, record->timestamp_ns);
  if (!inner.ok()) return;
  record->message = std::move(inner->message);
  if (record->level == Level::kUnset) record->level = inner->level;
  if (record->service.empty()) record->service = std::move(inner->service);
  if (record->system == kDefaultSystem && inner->system != kDefaultSystem) {
    record->system = std::move(inner->system);
  }
  for (Attribute& a : inner->attributes) {
    if (record->FindAttribute(a.key) == nullptr) record->attributes.push_back(std::move(a));
  }
}

void IngestPipeline::Route(LogRecord* record) const {
  for (const SystemRoute& route : options_.routes) {
    const auto value = FieldText(*record, route.field);
    if (value && WildcardMatch(route.pattern, *value)) {
      record->system = route.system;
      return;
    }
  }
}

RuleHits IngestPipeline::Process(LogRecord* record) const {
  if (options_.expand_json_messages) ExpandJsonMessage(record);
  Route(record);
  return redactor_->Redact(record);
}

}  // namespace mayak
