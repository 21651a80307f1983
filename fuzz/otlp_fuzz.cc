// OTLP/HTTP bodies: the first byte picks the decoder (bit 0: JSON or
// protobuf; bit 1: traces or logs). A body is a batch or an error naming
// the problem, never a crash; every record taken has a level among the six
// and its receive time; every span taken has well-formed ids and a
// duration that is not negative.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/status_macros.h"
#include "fuzz_check.h"
#include "otlp/otlp_logs.h"
#include "otlp/otlp_traces.h"

namespace {

constexpr int64_t kReceived = 1'795'608'000'000'000'000;

void Logs(std::string_view body, bool json) {
  auto batch = json ? mayak::DecodeOtlpLogsJson(body, kReceived)
                    : mayak::DecodeOtlpLogsProtobuf(body, kReceived);
  if (!batch.ok()) {
    FUZZ_CHECK(!mayak::StatusMessage(batch.status()).empty(), "an error without a reason");
    return;
  }
  for (const mayak::LogRecord& r : batch->records) {
    FUZZ_CHECK(r.level <= mayak::Level::kFatal, "a level out of range");
    FUZZ_CHECK(r.observed_timestamp_ns == kReceived, "a record without its receive time");
  }
  FUZZ_CHECK(batch->rejected == 0 || !batch->first_error.empty(), "a rejection without a reason");
}

void Traces(std::string_view body, bool json) {
  auto batch = json ? mayak::DecodeOtlpTracesJson(body) : mayak::DecodeOtlpTracesProtobuf(body);
  if (!batch.ok()) {
    FUZZ_CHECK(!mayak::StatusMessage(batch.status()).empty(), "an error without a reason");
    return;
  }
  for (const mayak::Span& s : batch->spans) {
    FUZZ_CHECK(mayak::IsSpanIdentifier(s.trace_id, 32), "a span with a bad trace id");
    FUZZ_CHECK(mayak::IsSpanIdentifier(s.span_id, 16), "a span with a bad span id");
    FUZZ_CHECK(s.duration_ns >= 0, "a negative duration");
    auto row = mayak::SpanFromRecord(mayak::SpanToRecord(s, kReceived));
    FUZZ_CHECK(row.ok(), "a span that does not read back from its row");
  }
  FUZZ_CHECK(batch->rejected == 0 || !batch->first_error.empty(), "a rejection without a reason");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool json = (data[0] & 1) != 0;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  if ((data[0] & 2) != 0) {
    Traces(body, json);
  } else {
    Logs(body, json);
  }
  return 0;
}
