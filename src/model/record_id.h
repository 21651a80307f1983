// A record's id in API replies (`_id`), for asking what surrounds it
// (GET /api/v1/context): its time and a hash of where it came from and what
// it says. Made from the record's content, it stays the same whatever
// storage does with the record (flushes, merges, restores from the archive).
//   "1795510800123456789-9f86d081884c7d65"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "model/log_record.h"

namespace mayak {

struct RecordIdParts {
  int64_t timestamp_ns = 0;
  uint64_t hash = 0;
};

// XXH3 of the record's system, service.name, host.name and message.
uint64_t RecordHash(const LogRecord& record);
std::string RecordId(const LogRecord& record);
// InvalidArgument naming the id when it is not one RecordId makes.
absl::StatusOr<RecordIdParts> ParseRecordId(std::string_view id);

}  // namespace mayak
