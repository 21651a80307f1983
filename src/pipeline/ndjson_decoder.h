// Decodes an NDJSON body (one JSON object per line) into canonical records.
// A bad line is reported with its number and reason and never spoils the
// good ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/log_record.h"
#include "simdjson.h"

namespace mayak {

struct LineError {
  size_t line = 0;  // counts from 1
  std::string reason;
};

struct DecodedBatch {
  std::vector<LogRecord> records;
  std::vector<LineError> errors;
  size_t input_bytes = 0;
};

class NdjsonDecoder {
 public:
  explicit NdjsonDecoder(size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

  // Blank lines are skipped; "\r\n" line ends are accepted.
  DecodedBatch Decode(std::string_view body, int64_t received_ns);

 private:
  size_t max_line_bytes_;
  simdjson::dom::parser parser_;
};

}  // namespace mayak
