#include "agent/event_encoder.h"

#include "absl/strings/str_cat.h"
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
      id_key_(StrCat("\"", kEventIdAttribute, "\":\"")),
      parser_(std::move(parser)) {
  for (std::string_view key : {kEventIdAttribute, std::string_view("log.file.path"),
                               std::string_view("log.offset"), std::string_view("log.flags")}) {
    reserved_.insert(std::string(key));
  }
  for (const auto& [key, value] : fields_) reserved_.insert(key);
}

void EventEncoder::CacheFile(uint64_t fingerprint, std::string_view path) {
  cached_fingerprint_ = fingerprint;
  cached_path_ = std::string(path);
  id_prefix_ = StrCat(FingerprintHex(fingerprint), "-");
  // The members after the line's own, up to the offset's value: the same
  // for every event of the file, escaped once.
  tail_.clear();
  JsonWriter tail(&tail_);
  tail.BeginObject();
  for (const auto& [key, value] : fields_) tail.Key(key).String(value);
  tail.Key("log.file.path").String(path).Key("log.offset");
  tail_.erase(0, 1);  // the '{'
}

void EventEncoder::Encode(const TextEvent& event, uint64_t fingerprint, std::string_view path,
                          int64_t read_ns, std::string* out) {
  if (fingerprint != cached_fingerprint_ || path != cached_path_ || id_prefix_.empty()) {
    CacheFile(fingerprint, path);
  }
  const absl::AlphaNum offset(event.offset);
  if (kind_ == OutputConfig::Kind::kElasticsearch) {
    out->append(R"({"create":{"_index":)");
    AppendJsonString(out, index_);
    absl::StrAppend(out, R"(,"_id":")", id_prefix_, offset, "\"}}\n");
  }
  JsonWriter json(out);
  json.BeginObject();
  if (kind_ == OutputConfig::Kind::kMayak) {
    // Hex digits, '-' and digits: nothing to escape.
    id_member_.assign(id_key_);
    absl::StrAppend(&id_member_, id_prefix_, offset, "\"");
    json.RawMembers(id_member_);
  }
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
  // `tail_` ends with the "log.offset" key: its value follows as is.
  json.RawMembers(tail_);
  out->append(offset.data(), offset.size());
  if (event.truncated || event.lines > 1) {
    json.Key("log.flags").String(event.truncated ? "truncated" : "multiline");
  }
  json.EndObject();
  out->push_back('\n');
}

}  // namespace mayak::agent
