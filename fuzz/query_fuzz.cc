// The query parsers on arbitrary text: a query either parses or fails with a
// message; a parsed filter can be run on records without crashing. A KQL
// tree written back as text parses to the same tree, and a KQL error names a
// position inside the query.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status_macros.h"
#include "fuzz_check.h"
#include "model/log_record.h"
#include "query/filter.h"
#include "query/kql.h"
#include "query/pipes.h"

namespace {

std::vector<mayak::LogRecord> SampleRecords() {
  mayak::LogRecord full;
  full.timestamp_ns = 1'790'000'000'000'000'000;
  full.level = mayak::Level::kError;
  full.message = "payment failed: connection refused";
  full.system = "shop";
  full.service = "shop-api";
  full.attributes = {{"http.response.status_code", int64_t{500}},
                     {"order.id", int64_t{10442}},
                     {"event.duration", 0.25},
                     {"user.email", std::string("a***@example.com")},
                     {"cache.hit", false}};
  return {full, mayak::LogRecord{}};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view query(reinterpret_cast<const char*>(data), size);
  static const std::vector<mayak::LogRecord> records = SampleRecords();

  auto filter = mayak::Filter::Parse(query);
  if (filter.ok()) {
    for (const mayak::LogRecord& record : records) (void)filter->Matches(record);
  } else {
    FUZZ_CHECK(!mayak::StatusMessage(filter.status()).empty(), "a parse error without a message");
  }
  auto tree = mayak::kql::Parse(query);
  if (tree.ok()) {
    const std::string written = mayak::kql::ToString(*tree);
    auto again = mayak::kql::Parse(written);
    FUZZ_CHECK(again.ok() && mayak::kql::ToString(*again) == written,
               "a KQL tree written back does not parse to the same tree");
  } else {
    const int64_t position = mayak::kql::SyntaxPosition(tree.status());
    FUZZ_CHECK(position >= 0 && static_cast<size_t>(position) <= query.size(),
               "a KQL error without a position in the query");
  }
  auto piped = mayak::ParsePipes(query);
  if (!piped.ok()) {
    const int64_t position = mayak::kql::SyntaxPosition(piped.status());
    FUZZ_CHECK(position >= 0 && static_cast<size_t>(position) <= query.size(),
               "a pipe error without a position in the query");
  }
  return 0;
}
