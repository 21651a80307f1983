#include "elastic/index_routing.h"

#include "common/strings.h"
#include "pipeline/normalize.h"

namespace mayak {
namespace {

constexpr std::string_view kCapture = "<system>";

// Whether `text` matches `pattern` whole; `*capture` is what <system> took.
bool Match(std::string_view pattern, std::string_view text, std::string_view* capture) {
  while (!pattern.empty()) {
    if (pattern.front() == '*') {
      pattern.remove_prefix(1);
      // Shortest first, so that a later <system> or literal takes the rest.
      for (size_t skip = 0; skip <= text.size(); ++skip) {
        if (Match(pattern, text.substr(skip), capture)) return true;
      }
      return false;
    }
    if (pattern.starts_with(kCapture)) {
      pattern.remove_prefix(kCapture.size());
      const size_t longest = std::min(text.find('-'), text.size());
      for (size_t n = 1; n <= longest; ++n) {
        if (Match(pattern, text.substr(n), capture)) {
          *capture = text.substr(0, n);
          return true;
        }
      }
      return false;
    }
    if (text.empty() || text.front() != pattern.front()) return false;
    pattern.remove_prefix(1);
    text.remove_prefix(1);
  }
  return text.empty();
}

}  // namespace

absl::StatusOr<IndexRouting> IndexRouting::Create(const std::vector<std::string>& patterns) {
  IndexRouting routing;
  for (const std::string& pattern : patterns) {
    if (pattern.empty()) {
      return absl::InvalidArgumentError("elasticsearch.index_systems: a pattern is empty");
    }
    const size_t first = pattern.find(kCapture);
    if (first != std::string::npos && pattern.find(kCapture, first + 1) != std::string::npos) {
      return absl::InvalidArgumentError(StrCat("elasticsearch.index_systems: '", pattern,
                                               "' has <system> twice; a pattern captures one"));
    }
    routing.patterns_.push_back(pattern);
  }
  return routing;
}

std::optional<std::string> IndexRouting::SystemOf(std::string_view index) const {
  for (const std::string& pattern : patterns_) {
    std::string_view captured;
    if (!Match(pattern, index, &captured)) continue;
    if (captured.empty()) return std::nullopt;
    auto system = NormalizeSystemName(captured);
    // A capture that is no system name ("logs-$x-1") lets later patterns try.
    if (system.ok()) return *std::move(system);
  }
  return std::nullopt;
}

void IndexRouting::Route(std::string_view index, LogRecord* record) const {
  if (auto system = SystemOf(index)) {
    record->system = *std::move(system);
    return;
  }
  if (record->system != kDefaultSystem || record->service.empty()) return;
  auto from_service = NormalizeSystemName(record->service);
  if (from_service.ok()) record->system = *std::move(from_service);
}

}  // namespace mayak
