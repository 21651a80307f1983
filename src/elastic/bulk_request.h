// The body of an Elasticsearch _bulk request: NDJSON pairs of an action line
// ({"index":{"_index":"logs-shop-default","_id":"1"}}) and, for index,
// create and update, a source line. Delete and update are recognized (so
// that the lines stay paired) and refused per item; Mayak keeps logs
// append-only.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace mayak {

enum class BulkAction { kIndex, kCreate, kDelete, kUpdate };

// "index", "create", "delete" or "update": the key of the item in replies.
std::string_view BulkActionName(BulkAction action);

struct BulkItem {
  BulkAction action = BulkAction::kIndex;
  std::string index;        // the action's _index, else the request path's
  std::string id;           // the action's _id; empty when it gave none
  std::string_view source;  // the source line (index, create, update); views the body
  size_t line = 0;          // the action line's number, counting from 1
};

// Splits a bulk body into items. A malformed action line, an unknown
// action, an action without its source line or without an index (in the
// line or `default_index`) fails the whole request, as in Elasticsearch:
// past such a line, which line is which can no longer be told. Source lines
// are not parsed here.
absl::StatusOr<std::vector<BulkItem>> ParseBulkBody(std::string_view body,
                                                    std::string_view default_index);

}  // namespace mayak
