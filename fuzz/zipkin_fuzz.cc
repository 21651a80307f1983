// Zipkin v2 span lists (POST /api/v2/spans), JSON or (first byte odd)
// protobuf: a list is spans or an
// error naming the problem, never a crash; every span taken has well-formed
// ids, a start and a duration that is not negative, and reads back from its
// stored row.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/status_macros.h"
#include "fuzz_check.h"
#include "zipkin/zipkin_spans.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  auto spans =
      (data[0] & 1) != 0 ? mayak::DecodeZipkinProtobuf(body) : mayak::DecodeZipkinJson(body);
  if (!spans.ok()) {
    FUZZ_CHECK(!mayak::StatusMessage(spans.status()).empty(), "an error without a reason");
    return 0;
  }
  for (const mayak::Span& s : *spans) {
    FUZZ_CHECK(mayak::IsSpanIdentifier(s.trace_id, 32), "a span with a bad trace id");
    FUZZ_CHECK(mayak::IsSpanIdentifier(s.span_id, 16), "a span with a bad span id");
    FUZZ_CHECK(s.start_ns > 0 && s.duration_ns >= 0, "a span without a start or duration");
    FUZZ_CHECK(mayak::SpanFromRecord(mayak::SpanToRecord(s, 0)).ok(),
               "a span that does not read back from its row");
  }
  return 0;
}
