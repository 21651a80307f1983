// The WAL's record batch decoder on arbitrary bytes: it must fail cleanly on
// anything malformed, and whatever it accepts must survive encoding again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "storage/record_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto records = mayak::DecodeRecordBatch(input);
  if (!records.ok()) return 0;
  // Compared as bytes, not records: a decoded double may be a NaN.
  std::string encoded;
  mayak::EncodeRecordBatch(*records, &encoded);
  auto again = mayak::DecodeRecordBatch(encoded);
  FUZZ_CHECK(again.ok(), "a batch encoded from decoded records does not decode");
  std::string encoded_again;
  mayak::EncodeRecordBatch(*again, &encoded_again);
  FUZZ_CHECK(encoded == encoded_again, "a record batch changes when encoded twice");
  return 0;
}
