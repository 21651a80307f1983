// Parsers of an input's lines (or multiline events): each turns the text of
// one event into its fields. A line a parser does not understand is still
// sent, as its text with `agent.parse_error` saying why: nothing is dropped.
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "agent/agent_config.h"
#include "agent/event_fields.h"

namespace mayak::agent {

class LineParser {
 public:
  virtual ~LineParser() = default;
  // Writes the fields of `text` (no line end; lines of a multiline event
  // joined by '\n').
  virtual void Parse(std::string_view text, EventFields* fields) = 0;
};

// The parser `input` names (its pattern is checked by the configuration).
absl::StatusOr<std::unique_ptr<LineParser>> MakeLineParser(const FileInputConfig& input);

// The separate parsers, for tests and benchmarks.
std::unique_ptr<LineParser> MakePlainParser();
std::unique_ptr<LineParser> MakeJsonParser();
std::unique_ptr<LineParser> MakeLogfmtParser();
std::unique_ptr<LineParser> MakeAccessLogParser();  // nginx / Apache combined and common
absl::StatusOr<std::unique_ptr<LineParser>> MakeRegexParser(std::string_view pattern);
std::unique_ptr<LineParser> MakeRabbitmqLogParser();  // RabbitMQ's own log

}  // namespace mayak::agent
