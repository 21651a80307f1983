// Groups the lines of a file into events: a stack trace (Java, Python, Go,
// a gdb backtrace) after the line that logged it becomes one event. Either a
// line matching `start` begins an event and every other line continues it,
// or a line matching `continuation` continues the event before it and every
// other line begins one. An event is also ended by max_lines, by
// `max_bytes`, and (by the caller, through Flush) by the timeout.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "agent/agent_config.h"
#include "re2/re2.h"

namespace mayak::agent {

struct TextEvent {
  std::string_view text;   // lines joined by '\n', no final line end
  int64_t offset = 0;      // where its first line starts in the file
  int64_t end_offset = 0;  // just past its last line's end
  size_t lines = 0;
  bool truncated = false;  // a line was cut at max_line_bytes
};

using EmitEvent = std::function<void(const TextEvent&)>;

class MultilineGrouper {
 public:
  // Without a pattern every line is an event of its own.
  static absl::StatusOr<std::unique_ptr<MultilineGrouper>> Create(const MultilineConfig& config,
                                                                  size_t max_bytes);

  // One line (without its line end), from `offset` to `end_offset`.
  void Add(std::string_view line, int64_t offset, int64_t end_offset, bool truncated,
           const EmitEvent& emit);
  // Emits the event being grouped, if any.
  void Flush(const EmitEvent& emit);

  bool pending() const { return lines_ > 0; }
  // Where the event being grouped starts: the agent may not acknowledge past it.
  int64_t pending_offset() const { return offset_; }

 private:
  MultilineGrouper(std::unique_ptr<RE2> start, std::unique_ptr<RE2> continuation, size_t max_lines,
                   size_t max_bytes);

  std::unique_ptr<RE2> start_;
  std::unique_ptr<RE2> continuation_;
  size_t max_lines_;
  size_t max_bytes_;
  std::string text_;
  int64_t offset_ = 0;
  int64_t end_offset_ = 0;
  size_t lines_ = 0;
  bool truncated_ = false;
};

}  // namespace mayak::agent
