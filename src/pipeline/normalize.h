// Normalization of one JSON document into the canonical record: nested
// objects flatten to dotted keys, and the well-known fields, under any of
// their usual names, fill the record's own members:
//   @timestamp | timestamp          RFC 3339 or epoch s/ms/µs/ns (missing: received time)
//   log.level  | level              names of any common logger, or pino/bunyan numbers
//   message    | msg
//   system                          lower-cased; names a retention unit
//   service.name | service
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "model/log_record.h"
#include "simdjson.h"

namespace mayak {

// Fails when the document is not an object or a well-known field has a value
// that cannot be understood (an unparsable timestamp, a bad system name).
absl::StatusOr<LogRecord> NormalizeJsonDocument(simdjson::dom::element document,
                                                int64_t received_ns);

// Lower-cases and checks a system name: 1-64 of a-z, 0-9, '-', '_', '.'.
absl::StatusOr<std::string> NormalizeSystemName(std::string_view text);

}  // namespace mayak
