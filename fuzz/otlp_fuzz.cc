// OTLP/HTTP log bodies, protobuf (first byte even) or JSON (odd): a body is
// a batch or an error naming the problem, never a crash; an error on
// protobuf names a byte inside the body; every record taken has a level
// among the six and a time.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/status_macros.h"
#include "fuzz_check.h"
#include "otlp/otlp_logs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool json = (data[0] & 1) != 0;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  constexpr int64_t kReceived = 1'795'608'000'000'000'000;
  auto batch = json ? mayak::DecodeOtlpLogsJson(body, kReceived)
                    : mayak::DecodeOtlpLogsProtobuf(body, kReceived);
  if (!batch.ok()) {
    FUZZ_CHECK(!mayak::StatusMessage(batch.status()).empty(), "an error without a reason");
    return 0;
  }
  for (const mayak::LogRecord& r : batch->records) {
    FUZZ_CHECK(r.level <= mayak::Level::kFatal, "a level out of range");
    FUZZ_CHECK(r.observed_timestamp_ns == kReceived, "a record without its receive time");
  }
  FUZZ_CHECK(batch->rejected == 0 || !batch->first_error.empty(), "a rejection without a reason");
  return 0;
}
