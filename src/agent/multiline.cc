#include "agent/multiline.h"

#include "common/strings.h"

namespace mayak::agent {

absl::StatusOr<std::unique_ptr<MultilineGrouper>> MultilineGrouper::Create(
    const MultilineConfig& config, size_t max_bytes) {
  RE2::Options options;
  options.set_log_errors(false);
  std::unique_ptr<RE2> start;
  std::unique_ptr<RE2> continuation;
  if (!config.start.empty()) {
    start = std::make_unique<RE2>(config.start, options);
    if (!start->ok())
      return absl::InvalidArgumentError(StrCat("multiline.start: ", start->error()));
  }
  if (!config.continuation.empty()) {
    continuation = std::make_unique<RE2>(config.continuation, options);
    if (!continuation->ok()) {
      return absl::InvalidArgumentError(StrCat("multiline.continuation: ", continuation->error()));
    }
  }
  return std::unique_ptr<MultilineGrouper>(
      new MultilineGrouper(std::move(start), std::move(continuation), config.max_lines, max_bytes));
}

MultilineGrouper::MultilineGrouper(std::unique_ptr<RE2> start, std::unique_ptr<RE2> continuation,
                                   size_t max_lines, size_t max_bytes)
    : start_(std::move(start)),
      continuation_(std::move(continuation)),
      max_lines_(start_ || continuation_ ? max_lines : 1),
      max_bytes_(max_bytes) {}

void MultilineGrouper::Add(std::string_view line, int64_t offset, int64_t end_offset,
                           bool truncated, const EmitEvent& emit) {
  if (max_lines_ == 1) {
    emit({line, offset, end_offset, 1, truncated});
    return;
  }
  bool continues = false;
  if (lines_ > 0) {
    continues =
        start_ ? !RE2::PartialMatch(line, *start_) : RE2::PartialMatch(line, *continuation_);
  }
  if (continues && (lines_ >= max_lines_ || text_.size() + 1 + line.size() > max_bytes_)) {
    continues = false;  // too big: what follows starts an event of its own, nothing is lost
  }
  if (!continues) {
    Flush(emit);
    offset_ = offset;
  } else {
    text_.push_back('\n');
  }
  text_.append(line);
  end_offset_ = end_offset;
  truncated_ = truncated_ || truncated;
  ++lines_;
}

void MultilineGrouper::Flush(const EmitEvent& emit) {
  if (lines_ == 0) return;
  emit({text_, offset_, end_offset_, lines_, truncated_});
  text_.clear();
  lines_ = 0;
  truncated_ = false;
}

}  // namespace mayak::agent
