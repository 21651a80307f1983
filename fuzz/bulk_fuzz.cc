// Elasticsearch _bulk bodies: the parser must pair every action with its
// source line or fail the whole body with a reason, never read outside the
// body, and give every item an index; each source line then goes through
// normalization as the route does, which must answer without crashing.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "elastic/bulk_request.h"
#include "fuzz_check.h"
#include "pipeline/normalize.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto items = mayak::ParseBulkBody(body, "fuzz-index");
  if (!items.ok()) {
    FUZZ_CHECK(!items.status().message().empty(), "a refusal without a reason");
    return 0;
  }
  const size_t lines = static_cast<size_t>(std::count(body.begin(), body.end(), '\n')) + 1;
  FUZZ_CHECK(items->size() <= lines, "more items than lines");
  simdjson::dom::parser parser;
  size_t last_line = 0;
  for (const mayak::BulkItem& item : *items) {
    FUZZ_CHECK(item.line > last_line && item.line <= lines, "an item on a line out of order");
    last_line = item.line;
    FUZZ_CHECK(!item.index.empty(), "an item without an index");
    const bool has_source = item.action != mayak::BulkAction::kDelete;
    if (!has_source) {
      FUZZ_CHECK(item.source.empty(), "a delete with a source line");
      continue;
    }
    FUZZ_CHECK(item.source.data() >= body.data() &&
                   item.source.data() + item.source.size() <= body.data() + body.size(),
               "a source line outside the body");
    simdjson::dom::element document;
    if (parser.parse(item.source.data(), item.source.size()).get(document) != simdjson::SUCCESS) {
      continue;
    }
    auto record = mayak::NormalizeJsonDocument(document, 1'790'000'000'000'000'000);
    FUZZ_CHECK(record.ok() || !record.status().message().empty(), "a refusal without a reason");
  }
  return 0;
}
