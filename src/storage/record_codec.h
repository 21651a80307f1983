// The binary form of a batch of records inside a WAL entry (docs/format/wal.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/log_record.h"

namespace mayak {

void EncodeRecordBatch(const std::vector<LogRecord>& records, std::string* out);

// Fails on truncated or malformed input without reading past `data`.
absl::StatusOr<std::vector<LogRecord>> DecodeRecordBatch(std::string_view data);

}  // namespace mayak
