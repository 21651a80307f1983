// Turns the text of one event of a file into what the output sends: an
// NDJSON line for Mayak's API, or an action line and a document for an
// Elasticsearch `_bulk` request. Every event carries a stable id, the file's
// fingerprint and the event's offset ("<16 hex>-<offset>"): a resend after a
// crash has the same id, and the server stores it once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "agent/agent_config.h"
#include "agent/event_fields.h"
#include "agent/line_parser.h"
#include "agent/multiline.h"

namespace mayak::agent {

std::string EventId(uint64_t fingerprint, int64_t offset);

class EventEncoder {
 public:
  EventEncoder(const std::vector<std::pair<std::string, std::string>>& fields,
               const OutputConfig& output, std::unique_ptr<LineParser> parser);

  // Appends `event` of the file (`fingerprint`, `path`), read at `read_ns`.
  void Encode(const TextEvent& event, uint64_t fingerprint, std::string_view path, int64_t read_ns,
              std::string* out);

  // Elasticsearch: the index the input's events go to (%{field} filled
  // from the input's fields; %{system} is "default" when none is set).
  const std::string& index() const { return index_; }

 private:
  // The fragments every event of the file shares.
  void CacheFile(uint64_t fingerprint, std::string_view path);

  std::vector<std::pair<std::string, std::string>> fields_;
  OutputConfig::Kind kind_;
  std::string index_;
  const std::string id_key_;  // "\"_id\":\""
  std::unique_ptr<LineParser> parser_;
  ReservedFields reserved_;
  int64_t read_ns_ = -1;  // the last read time, and as RFC 3339
  std::string read_time_;
  uint64_t cached_fingerprint_ = 0;  // the file of the fragments below
  std::string cached_path_;
  std::string id_prefix_;  // "<fingerprint hex>-"
  std::string tail_;       // the input's fields, log.file.path, and the "log.offset" key
  std::string id_member_;  // scratch
};

}  // namespace mayak::agent
