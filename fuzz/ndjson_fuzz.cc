// The native ingest path on arbitrary request bodies: NDJSON decoding and
// normalization must answer every line (a record or an error naming a line
// that exists), and every record it accepts must come back unchanged from
// the WAL's record encoding.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "pipeline/ndjson_decoder.h"
#include "storage/record_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  mayak::NdjsonDecoder decoder(/*max_line_bytes=*/4096);
  const mayak::DecodedBatch batch = decoder.Decode(body, /*received_ns=*/1'790'000'000'000'000'000);

  const size_t lines = static_cast<size_t>(std::count(body.begin(), body.end(), '\n')) + 1;
  FUZZ_CHECK(batch.records.size() + batch.errors.size() <= lines,
             "more records and errors than lines");
  for (const mayak::LineError& error : batch.errors) {
    FUZZ_CHECK(error.line >= 1 && error.line <= lines, "an error names a line that is not there");
    FUZZ_CHECK(!error.reason.empty(), "an error without a reason");
  }

  std::string encoded;
  mayak::EncodeRecordBatch(batch.records, &encoded);
  auto decoded = mayak::DecodeRecordBatch(encoded);
  FUZZ_CHECK(decoded.ok(), "accepted records do not decode from the WAL encoding");
  FUZZ_CHECK(*decoded == batch.records, "accepted records change in the WAL encoding");
  return 0;
}
