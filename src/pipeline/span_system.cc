#include "pipeline/span_system.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/normalize.h"

namespace mayak {
namespace {

// Takes `key` out of `attributes` when it is a string.
std::optional<std::string> TakeString(std::vector<Attribute>* attributes, std::string_view key) {
  std::optional<std::string> found;
  for (auto it = attributes->begin(); it != attributes->end();) {
    if (it->key == key && std::holds_alternative<std::string>(it->value)) {
      if (!found) found = std::get<std::string>(std::move(it->value));
      it = attributes->erase(it);
    } else {
      ++it;
    }
  }
  return found;
}

}  // namespace

absl::Status ChooseSpanSystem(Span* span) {
  std::optional<std::string> system;
  for (std::vector<Attribute>* list : {&span->attributes, &span->resource}) {
    for (std::string_view key : {std::string_view("mayak.system"), field::kSystem}) {
      std::optional<std::string> value = TakeString(list, key);
      if (!system) system = std::move(value);
    }
  }
  if (system) {
    auto name = NormalizeSystemName(*system);
    if (!name.ok()) return name.status();
    span->system = *std::move(name);
  } else if (!span->service.empty()) {
    if (auto name = NormalizeSystemName(span->service); name.ok()) span->system = *std::move(name);
  }
  return absl::OkStatus();
}

}  // namespace mayak
