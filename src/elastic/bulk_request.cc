#include "elastic/bulk_request.h"

#include "common/strings.h"
#include "simdjson.h"

namespace mayak {
namespace {

// The next non-blank line of `body` from `*pos`, without its end; advances
// `*pos` and `*line` (the line's number). False at the end.
bool NextLine(std::string_view body, size_t* pos, size_t* line, std::string_view* text) {
  while (*pos < body.size()) {
    const size_t end = std::min(body.find('\n', *pos), body.size());
    std::string_view candidate = body.substr(*pos, end - *pos);
    *pos = end + 1;
    ++*line;
    if (candidate.ends_with('\r')) candidate.remove_suffix(1);
    if (!StripWhitespace(candidate).empty()) {
      *text = candidate;
      return true;
    }
  }
  return false;
}

absl::Status Malformed(size_t line, std::string_view why) {
  return absl::InvalidArgumentError(StrCat("Malformed action/metadata line [", line, "], ", why));
}

}  // namespace

std::string_view BulkActionName(BulkAction action) {
  switch (action) {
    case BulkAction::kIndex:
      return "index";
    case BulkAction::kCreate:
      return "create";
    case BulkAction::kDelete:
      return "delete";
    case BulkAction::kUpdate:
      return "update";
  }
  return "index";
}

absl::StatusOr<std::vector<BulkItem>> ParseBulkBody(std::string_view body,
                                                    std::string_view default_index) {
  simdjson::dom::parser parser;
  std::vector<BulkItem> items;
  size_t pos = 0;
  size_t line = 0;
  std::string_view text;
  while (NextLine(body, &pos, &line, &text)) {
    BulkItem item;
    item.line = line;
    simdjson::dom::object action;
    if (parser.parse(text.data(), text.size()).get_object().get(action) != simdjson::SUCCESS) {
      return Malformed(line, "expected a JSON object such as {\"index\":{}}");
    }
    if (action.size() != 1) {
      return Malformed(line, "expected one action: create, delete, index or update");
    }
    const simdjson::dom::key_value_pair only = *action.begin();
    const std::string_view name = only.key;
    if (name == "index") {
      item.action = BulkAction::kIndex;
    } else if (name == "create") {
      item.action = BulkAction::kCreate;
    } else if (name == "delete") {
      item.action = BulkAction::kDelete;
    } else if (name == "update") {
      item.action = BulkAction::kUpdate;
    } else {
      return Malformed(line, StrCat("expected field [create], [delete], [index] or [update] but "
                                    "found [",
                                    name, "]"));
    }
    simdjson::dom::object meta;
    if (only.value.get_object().get(meta) != simdjson::SUCCESS) {
      return Malformed(line, StrCat("the value of [", name, "] must be an object"));
    }
    item.index = std::string(default_index);
    for (const auto [key, value] : meta) {
      if (key != "_index" && key != "_id") continue;  // routing, pipeline, ... are ignored
      std::string_view v;
      int64_t number = 0;
      if (value.get_string().get(v) == simdjson::SUCCESS) {
        (key == "_index" ? item.index : item.id) = std::string(v);
      } else if (key == "_id" && value.get_int64().get(number) == simdjson::SUCCESS) {
        item.id = StrCat(number);
      } else {
        return Malformed(line, StrCat("[", key, "] must be a string"));
      }
    }
    if (item.index.empty()) {
      return absl::InvalidArgumentError(
          StrCat("Validation Failed: 1: index is missing for the action on line ", line,
                 "; name it in the action or the path (/{index}/_bulk)"));
    }
    if (item.action != BulkAction::kDelete) {
      std::string_view source;
      if (!NextLine(body, &pos, &line, &source)) {
        return absl::InvalidArgumentError(
            StrCat("the ", name, " action on line ", item.line, " has no source line after it"));
      }
      item.source = source;
    }
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace mayak
