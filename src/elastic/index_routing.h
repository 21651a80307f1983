// Which system a document sent to an Elasticsearch index belongs to: the
// `elasticsearch.index_systems` patterns, tried in order against the index
// name. `*` matches any text and `<system>` captures the system's name, one
// or more characters up to the next '-' (`logs-<system>-*` reads `shop`
// from the data stream `logs-shop-default`).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/log_record.h"

namespace mayak {

class IndexRouting {
 public:
  // Fails on an empty pattern or one with more than one <system>.
  static absl::StatusOr<IndexRouting> Create(const std::vector<std::string>& patterns);

  // The system that `index` names: from the first pattern that matches,
  // when it captures a valid system name. Nullopt when the document is to
  // name its system (the first match has no <system>, or none matches).
  std::optional<std::string> SystemOf(std::string_view index) const;

  // Sets `record`'s system from `index`, else keeps the system the document
  // named, else takes its service.name when that is a valid system name.
  void Route(std::string_view index, LogRecord* record) const;

 private:
  std::vector<std::string> patterns_;
};

}  // namespace mayak
