#include "agent/event_encoder.h"

#include "agent/file_fingerprint.h"
#include "common/json_writer.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "pipeline/dedup_log_store.h"

namespace mayak::agent {
namespace {

std::string FillIndex(std::string_view pattern,
                      const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string index;
  size_t i = 0;
  while (i < pattern.size()) {
    const size_t open = pattern.find("%{", i);
    const size_t close = open == std::string_view::npos ? open : pattern.find('}', open);
    if (close == std::string_view::npos) {
      index.append(pattern.substr(i));
      break;
    }
    index.append(pattern.substr(i, open - i));
    const std::string_view name = pattern.substr(open + 2, close - open - 2);
    std::string value = name == "system" ? "default" : "";
    for (const auto& [key, v] : fields) {
      if (key == name) value = v;
    }
    index.append(ToLower(value));
    i = close + 1;
  }
  return index;
}

}  // namespace

std::string EventId(uint64_t fingerprint, int64_t offset) {
  return StrCat(FingerprintHex(fingerprint), "-", offset);
}

EventEncoder::EventEncoder(const std::vector<std::pair<std::string, std::string>>& fields,
                           const OutputConfig& output, std::unique_ptr<LineParser> parser)
    : fields_(fields),
      kind_(output.kind),
      index_(FillIndex(output.index, fields)),
      parser_(std::move(parser)) {
  for (std::string_view key : {kEventIdAttribute, std::string_view("log.file.path"),
                               std::string_view("log.offset"), std::string_view("log.flags")}) {
    reserved_.insert(std::string(key));
  }
  for (const auto& [key, value] : fields_) reserved_.insert(key);
}

void EventEncoder::Encode(const TextEvent& event, uint64_t fingerprint, std::string_view path,
                          int64_t read_ns, std::string* out) {
  const std::string id = EventId(fingerprint, event.offset);
  if (kind_ == OutputConfig::Kind::kElasticsearch) {
    JsonWriter action(out);
    action.BeginObject().Key("create").BeginObject();
    action.Key("_index").String(index_).Key("_id").String(id);
    action.EndObject().EndObject();
    out->push_back('\n');
  }
  JsonWriter json(out);
  json.BeginObject();
  if (kind_ == OutputConfig::Kind::kMayak) json.Key(kEventIdAttribute).String(id);
  EventFields fields(&reserved_, &json);
  parser_->Parse(event.text, &fields);
  if (!fields.has_timestamp()) {
    // When the line does not say: when the agent read it, which after an
    // outage is closer to the truth than when the server gets it.
    // The events of one read share its time: formatted once.
    if (read_ns != read_ns_) {
      read_ns_ = read_ns;
      read_time_ = FormatRfc3339(read_ns);
    }
    json.Key("@timestamp").String(read_time_);
  }
  for (const auto& [key, value] : fields_) json.Key(key).String(value);
  json.Key("log.file.path").String(path);
  json.Key("log.offset").Int(event.offset);
  if (event.truncated || event.lines > 1) {
    json.Key("log.flags").String(event.truncated ? "truncated" : "multiline");
  }
  json.EndObject();
  out->push_back('\n');
}

}  // namespace mayak::agent
